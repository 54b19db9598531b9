/**
 * The semantic tier as a self-hosted classifier endpoint: any HTTP service that answers a text with
 * labelled scores (Hugging Face text-classification servers, Text Embeddings Inference `/predict`, a
 * small FastAPI around a Prompt Guard model). Web-standard `fetch`: works on Node, Bun, Deno, Workers.
 * @module
 */
import { severityFromScore } from '../risk.js';
import type { Finding } from '../types.js';
import type { ExternalDetector, ExternalDetectorResult } from './external.js';

/** Options for {@link createClassifierEndpoint}. */
export interface ClassifierEndpointOptions {
  /** URL that takes a POST with the text. */
  url: string;
  /** Extra headers (e.g. `Authorization`). */
  headers?: Record<string, string>;
  /** Request body for a text (default `JSON.stringify({ inputs: text })`, the Hugging Face shape). */
  body?: (text: string) => string;
  /** Labels that count as an attack (case-insensitive; default: injection, jailbreak, malicious, unsafe, attack, LABEL_1). */
  positiveLabels?: string[];
  /** A fetch implementation (default the global one). */
  fetch?: typeof fetch;
  /** Name used in findings (default `'endpoint'`). */
  name?: string;
}

const DEFAULT_POSITIVE = ['injection', 'jailbreak', 'malicious', 'unsafe', 'attack', 'label_1'];

interface Labelled {
  label: string;
  score: number;
}

function isLabelled(x: unknown): x is Labelled {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as Labelled).label === 'string' &&
    typeof (x as Labelled).score === 'number'
  );
}

/** Reads `{ score }`, `[{ label, score }]` or `[[{ label, score }]]` into an attack probability. */
export function scoreFromResponse(body: unknown, positive: string[] = DEFAULT_POSITIVE): number {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const score = (body as { score?: unknown }).score;
    if (typeof score === 'number') return score;
  }
  let list: unknown = body;
  if (Array.isArray(list) && Array.isArray(list[0])) list = list[0];
  if (!Array.isArray(list) || !list.every(isLabelled)) {
    throw new Error('classifier response must be { score } or [{ label, score }]');
  }
  const wanted = new Set(positive.map((l) => l.toLowerCase()));
  let p = 0;
  for (const x of list) if (wanted.has(x.label.toLowerCase())) p += x.score;
  return Math.min(1, Math.max(0, p));
}

/**
 * Creates a detector that asks a classifier endpoint. Non-2xx answers and malformed bodies reject,
 * which `detection.externalOnError` turns into a pass (`open`) or a block (`closed`).
 * @example
 * const semantic = createClassifierEndpoint({ url: 'http://127.0.0.1:8081/predict' });
 * app.use(aiShield({ detection: { external: semantic, externalWhen: 'ambiguous' } }));
 */
export function createClassifierEndpoint(options: ClassifierEndpointOptions): ExternalDetector {
  const name = options.name ?? 'endpoint';
  return async (text, { signal }) => {
    const doFetch = options.fetch ?? fetch;
    const res = await doFetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: options.body ? options.body(text) : JSON.stringify({ inputs: text }),
      signal,
    });
    if (!res.ok) throw new Error(`classifier endpoint answered ${res.status}`);
    return semanticResult(scoreFromResponse(await res.json(), options.positiveLabels), name);
  };
}

/**
 * A semantic-tier result: the score rounded to three decimals and, from 0.2 up, one
 * `semantic.injection_like` finding naming the classifier. Shared by the endpoint and ONNX detectors.
 */
export function semanticResult(probability: number, name: string): ExternalDetectorResult {
  const score = Math.round(probability * 1000) / 1000;
  const findings: Finding[] =
    score >= 0.2
      ? [
          {
            kind: 'semantic.injection_like',
            severity: severityFromScore(score),
            message: `Semantic classifier (${name}): ${Math.round(score * 100)}% likely an injection or jailbreak`,
            source: 'detection',
            score,
          },
        ]
      : [];
  return { score, findings };
}
