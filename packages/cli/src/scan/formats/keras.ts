/**
 * Keras models: the `config.json` of a `.keras` zip and the `model_config` JSON attribute of a legacy
 * `.h5`/HDF5 file. The JSON is found by scanning for it, so no HDF5 library is needed. Lambda layers carry
 * marshalled Python bytecode and custom objects import arbitrary modules, so both are reported.
 * @module
 */
import { type ByteSource, Cursor, latin1Text, utf8 } from '../bytes.js';
import { logLine, report, type ScanContext } from '../context.js';

const SUSPICIOUS_CODE =
  /\b(os|posix|subprocess|system|popen|exec|eval|__import__|builtins|socket|open|compile|getattr|pty|shutil|requests|urllib)\b/g;

function decodeBase64(s: string): string | undefined {
  if (s.length < 16 || !/^[A-Za-z0-9+/=\s]+$/.test(s)) return undefined;
  return latin1Text(Buffer.from(s, 'base64'));
}

function lambdaCode(cfg: unknown, out: string[]): void {
  if (typeof cfg === 'string') {
    const code = decodeBase64(cfg);
    if (code) out.push(code);
  } else if (Array.isArray(cfg)) for (const v of cfg) lambdaCode(v, out);
  else if (cfg && typeof cfg === 'object') for (const v of Object.values(cfg)) lambdaCode(v, out);
}

/**
 * Where a layer loads a SavedModel from: `TFSMLayer` (`filepath`, Keras 3) and TensorFlow Hub's
 * `KerasLayer` (`handle`, a path or URL).
 */
function externalModel(
  cls: string | undefined,
  cfg: Record<string, unknown> | undefined,
): string | undefined {
  if (!cfg) return undefined;
  const value = cls === 'TFSMLayer' ? cfg.filepath : cls === 'KerasLayer' ? cfg.handle : undefined;
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 200)) : undefined;
}

function visit(node: unknown, ctx: ScanContext, path: string): void {
  if (Array.isArray(node)) {
    node.forEach((v, i) => {
      visit(v, ctx, `${path}[${i}]`);
    });
    return;
  }
  if (!node || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  const cls = typeof o.class_name === 'string' ? o.class_name : undefined;
  const cfg = o.config as Record<string, unknown> | undefined;
  const name = typeof cfg?.name === 'string' ? cfg.name : path;
  if (cls === 'Lambda') {
    const codes: string[] = [];
    lambdaCode(cfg?.function ?? cfg, codes);
    const hits = new Set<string>();
    for (const c of codes) for (const m of c.matchAll(SUSPICIOUS_CODE)) hits.add(m[1]!);
    report(ctx, {
      ruleId: 'keras/lambda-layer',
      severity: hits.size ? 'critical' : 'high',
      message:
        `Lambda layer "${name}" stores Python bytecode that runs when the model is loaded with safe_mode=False ` +
        '(or on Keras < 2.13 / CVE-2024-3660). Replace it with a registered custom layer.',
      evidence: hits.size ? `bytecode references: ${[...hits].join(', ')}` : `layer ${name}`,
      cwe: 'CWE-94',
    });
  }
  const external = externalModel(cls, cfg);
  if (external) {
    report(ctx, {
      ruleId: 'keras/external-model',
      severity: 'critical',
      message:
        `Layer "${name}" (${cls}) loads a TensorFlow SavedModel from ${external}: its graph comes from outside this file ` +
        "and runs when the model is called, and Keras' safe_mode has not reliably stopped it. Load only SavedModels you " +
        'trust, or export the whole model as one .keras file.',
      evidence: `${path}: ${cls} ${external}`,
      cwe: 'CWE-829',
    });
  }
  const module = typeof o.module === 'string' ? o.module : undefined;
  if (module && cls) {
    const target = typeof o.config === 'string' ? o.config : cls;
    const verdict = ctx.policy.rate(module, target);
    // Unlisted Keras layer classes are normal; only known-dangerous references count here.
    if (verdict.kind === 'dangerous') {
      report(ctx, {
        ruleId: 'keras/dangerous-reference',
        severity: 'critical',
        message: `Config deserializes ${module}.${target} (${verdict.reason}); see CVE-2025-1550. Do not load this model.`,
        evidence: `${path}: module=${module} class_name=${cls}`,
        cwe: 'CWE-502',
      });
    } else if (
      !/^(keras|tensorflow|tf_keras|keras_hub|keras_nlp|keras_cv)(\.|$)/.test(module) &&
      cls !== '__lambda__'
    ) {
      report(ctx, {
        ruleId: 'keras/custom-object',
        severity: 'medium',
        message: `Custom object ${module}.${cls} must be imported to load the model; review that module's code.`,
        evidence: `${name}: ${module}.${cls}`,
        cwe: 'CWE-829',
      });
    }
  }
  for (const [k, v] of Object.entries(o)) if (v && typeof v === 'object') visit(v, ctx, `${path}.${k}`);
}

/** Analyses one parsed Keras model config. */
export function analyzeKerasConfig(config: unknown, ctx: ScanContext): void {
  visit(config, ctx, '$');
}

/** Scans a `.keras` archive's `config.json`. */
export function scanKerasConfig(src: ByteSource, ctx: ScanContext): void {
  if (src.size > ctx.limits.maxTextBytes) {
    logLine(ctx, 'warn', 'config.json larger than the text limit; skipped');
    return;
  }
  try {
    analyzeKerasConfig(JSON.parse(utf8(src.read(0, src.size))), ctx);
  } catch {
    report(ctx, {
      ruleId: 'keras/malformed-config',
      severity: 'low',
      message: 'config.json is not valid JSON.',
    });
  }
}

/** Reads a JSON object starting at `start` by brace matching (string-aware); `undefined` if unbalanced. */
function extractJson(src: ByteSource, start: number, max: number): string | undefined {
  const c = new Cursor(src, start, Math.min(src.size, start + max));
  let depth = 0;
  let inStr = false;
  let esc = false;
  const chunks: Uint8Array[] = [];
  while (c.remaining > 0) {
    const chunk = c.bytes(Math.min(65536, c.remaining));
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i]!;
      if (inStr) {
        if (esc) esc = false;
        else if (ch === 0x5c) esc = true;
        else if (ch === 0x22) inStr = false;
      } else if (ch === 0x22) inStr = true;
      else if (ch === 0x7b) depth++;
      else if (ch === 0x7d && --depth === 0) {
        chunks.push(chunk.subarray(0, i + 1));
        return chunks.map(utf8).join('');
      }
    }
    chunks.push(chunk.slice());
  }
  return undefined;
}

const NEEDLE = Buffer.from('{"class_name":');

/** Scans an HDF5 file for Keras `model_config` JSON (streamed in windows; no HDF5 parser involved). */
export function scanH5(src: ByteSource, ctx: ScanContext): void {
  const step = 4 << 20;
  let found = 0;
  for (let pos = 0; pos < src.size && found < 8; ) {
    const win = Buffer.from(src.read(pos, step + NEEDLE.length));
    let i = win.indexOf(NEEDLE);
    let next = pos + step;
    while (i >= 0 && i < step) {
      const json = extractJson(src, pos + i, ctx.limits.maxTextBytes);
      let parsed: unknown;
      try {
        parsed = json === undefined ? undefined : JSON.parse(json);
      } catch {
        parsed = undefined;
      }
      if (parsed && json) {
        found++;
        logLine(ctx, 'info', `Keras config JSON at offset ${pos + i} (${json.length} bytes)`);
        analyzeKerasConfig(parsed, ctx);
        next = Math.max(next, pos + i + json.length);
        if (pos + i + json.length >= pos + step) break;
        i = win.indexOf(NEEDLE, i + json.length);
      } else i = win.indexOf(NEEDLE, i + 1);
    }
    pos = next;
  }
  if (!found) logLine(ctx, 'info', 'no Keras model_config found (weights-only HDF5)');
}
