/**
 * The semantic tier on ONNX Runtime: run a transformer prompt-injection classifier you downloaded
 * (Prompt Guard, a DeBERTa injection model, your own fine-tune exported to ONNX) as a
 * `detection.external` detector. With `detection.externalWhen: 'ambiguous'` only texts the fast tier
 * could not decide reach it.
 *
 * `onnxruntime-node` is an optional peer dependency, loaded on first use (or pass `runtime`, e.g.
 * `onnxruntime-web`). Installing it with npm on Linux x64 downloads CUDA libraries unless
 * `ONNXRUNTIME_NODE_INSTALL=skip` is set; pnpm skips that script by default. The CPU runtime is
 * bundled either way.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { semanticResult } from '../detection/endpoint-classifier.js';
import type { ExternalDetector, ExternalDetectorResult } from '../detection/external.js';

/** Token ids for one text, as the model's tokenizer produces them (special tokens included). */
export interface TokenizedText {
  ids: ArrayLike<number>;
  /** Defaults to all ones. */
  attentionMask?: ArrayLike<number>;
}

/**
 * The model's tokenizer. For a Hugging Face model, `@huggingface/transformers`' `AutoTokenizer` works:
 * `(text) => { const t = tok(text); return { ids: Array.from(t.input_ids.data, Number) }; }`.
 */
export type TextTokenizer = (text: string) => TokenizedText | Promise<TokenizedText>;

/** The parts of the ONNX Runtime JavaScript API this module uses (onnxruntime-node and -web both fit). */
export interface OrtRuntime {
  InferenceSession: {
    create(model: string | Uint8Array, options?: Record<string, unknown>): Promise<OrtSession>;
  };
  Tensor: new (type: 'int64', data: BigInt64Array, dims: readonly number[]) => unknown;
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown; dims: readonly number[] }>>;
  release?(): Promise<void>;
}

/** Options for {@link createOnnxDetector}. */
export interface OnnxDetectorOptions {
  /** Path of the `.onnx` file, or its bytes. */
  model: string | Uint8Array;
  tokenizer: TextTokenizer;
  /**
   * Output classes that count as an attack; the score is their summed softmax probability (a
   * single-logit output is read as a sigmoid). Default: every class but 0 (Prompt Guard: 1 injection,
   * 2 jailbreak; binary models: 1).
   */
  positiveLabels?: number[];
  /** Tokens per window (default 512). Longer texts are scored in overlapping windows; the maximum wins. */
  maxTokens?: number;
  /** Tokens between window starts (default `maxTokens / 2`). */
  stride?: number;
  /** Windows per text at most (default 8): the first ones, so cost stays bounded. */
  maxWindows?: number;
  /** Input names; default: the session's inputs named like input_ids / attention_mask / token_type_ids. */
  inputs?: { ids?: string; mask?: string; typeIds?: string };
  /** Output name (default: the session's first output). */
  output?: string;
  /** The runtime module (default: `await import('onnxruntime-node')`). */
  runtime?: OrtRuntime;
  /** Passed to `InferenceSession.create` (threads, graph optimisation level, execution providers). */
  sessionOptions?: Record<string, unknown>;
  /** Name used in findings (default `'onnx'`). */
  name?: string;
}

/** An {@link ExternalDetector} backed by an ONNX session, plus `close()` to release it. */
export interface OnnxDetector extends ExternalDetector {
  close(): Promise<void>;
}

async function loadRuntime(): Promise<OrtRuntime> {
  try {
    const mod = (await import('onnxruntime-node')) as unknown as OrtRuntime & { default?: OrtRuntime };
    return mod.InferenceSession ? mod : mod.default!;
  } catch (error) {
    throw new Error(
      'createOnnxDetector needs onnxruntime-node: `pnpm add onnxruntime-node` (npm on Linux: set ONNXRUNTIME_NODE_INSTALL=skip to skip the CUDA download), or pass `runtime`',
      { cause: error },
    );
  }
}

function pickInput(names: readonly string[], wanted: string | undefined, like: RegExp): string | undefined {
  if (wanted) return wanted;
  return names.find((n) => like.test(n));
}

/** Softmax probability mass of `positive` (sigmoid for a single logit). */
export function attackProbability(logits: ArrayLike<number>, positive?: number[]): number {
  if (logits.length === 1) return 1 / (1 + Math.exp(-Number(logits[0])));
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, Number(logits[i]));
  let sum = 0;
  const exp = new Array<number>(logits.length);
  for (let i = 0; i < logits.length; i++) {
    exp[i] = Math.exp(Number(logits[i]) - max);
    sum += exp[i]!;
  }
  let p = 0;
  for (let i = 0; i < logits.length; i++) {
    const counts = positive ? positive.includes(i) : i > 0;
    if (counts) p += exp[i]! / sum;
  }
  return Math.min(1, Math.max(0, p));
}

/**
 * Creates a detector that scores text with an ONNX classifier. The session is created on the first
 * call (not at start-up) and shared by all calls.
 * @example
 * import { createOnnxDetector } from '@ai-shield/core/node';
 * const semantic = createOnnxDetector({ model: './prompt-guard.onnx', tokenizer });
 * app.use(aiShield({ detection: { external: semantic, externalWhen: 'ambiguous', externalTimeoutMs: 300 } }));
 */
export function createOnnxDetector(options: OnnxDetectorOptions): OnnxDetector {
  const maxTokens = options.maxTokens ?? 512;
  const stride = Math.max(1, options.stride ?? Math.floor(maxTokens / 2));
  const maxWindows = options.maxWindows ?? 8;
  const name = options.name ?? 'onnx';
  let ready: Promise<{ ort: OrtRuntime; session: OrtSession }> | undefined;

  const open = () =>
    (ready ??= (async () => {
      const ort = options.runtime ?? (await loadRuntime());
      const bytes =
        typeof options.model === 'string' ? new Uint8Array(await readFile(options.model)) : options.model;
      const session = await ort.InferenceSession.create(bytes, options.sessionOptions);
      return { ort, session };
    })());

  const detector = (async (text: string, { signal }): Promise<ExternalDetectorResult> => {
    const { ort, session } = await open();
    const tokens = await options.tokenizer(text);
    const ids = Array.from(tokens.ids);
    const mask = tokens.attentionMask ? Array.from(tokens.attentionMask) : ids.map(() => 1);
    const idsName =
      pickInput(session.inputNames, options.inputs?.ids, /input_?ids|^ids$/i) ?? session.inputNames[0]!;
    const maskName = pickInput(session.inputNames, options.inputs?.mask, /attention_?mask|^mask$/i);
    const typeName = pickInput(session.inputNames, options.inputs?.typeIds, /token_?type_?ids/i);
    const output = options.output ?? session.outputNames[0]!;
    let best = 0;
    let windows = 0;
    for (let start = 0; windows < maxWindows; start += stride) {
      if (signal.aborted) throw new Error('aborted');
      const end = Math.min(ids.length, start + maxTokens);
      const n = Math.max(1, end - start);
      const feeds: Record<string, unknown> = {
        [idsName]: new ort.Tensor('int64', BigInt64Array.from(ids.slice(start, start + n), BigInt), [1, n]),
      };
      if (maskName)
        feeds[maskName] = new ort.Tensor('int64', BigInt64Array.from(mask.slice(start, start + n), BigInt), [
          1,
          n,
        ]);
      if (typeName) feeds[typeName] = new ort.Tensor('int64', new BigInt64Array(n), [1, n]);
      const out = await session.run(feeds);
      const logits = out[output]?.data as ArrayLike<number> | undefined;
      if (!logits || logits.length === 0) throw new Error(`model output "${output}" is empty`);
      best = Math.max(best, attackProbability(logits, options.positiveLabels));
      windows++;
      if (end >= ids.length) break;
    }
    return semanticResult(best, name);
  }) as OnnxDetector;
  detector.close = async () => {
    if (!ready) return;
    const { session } = await ready;
    ready = undefined;
    await session.release?.();
  };
  return detector;
}
