/**
 * safetensors header sanity. The format cannot run code, but a header that lies about lengths, offsets
 * or dtypes is how parser bugs are triggered, and unclaimed bytes are a place to smuggle data.
 * @module
 */
import { type ByteSource, Cursor, ParseError, utf8 } from '../bytes.js';
import { logLine, report, type ScanContext } from '../context.js';

/** Bits per element of each dtype in the safetensors spec. */
export const SAFETENSORS_DTYPE_BITS: Readonly<Record<string, number>> = {
  BOOL: 8,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  F64: 64,
  I64: 64,
  U64: 64,
  C64: 64,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
};

/** The reference implementation refuses headers over 100 MB; so do we. */
const MAX_HEADER = 100_000_000;

interface Tensor {
  name: string;
  begin: number;
  end: number;
}

function problem(
  ctx: ScanContext,
  severity: 'low' | 'medium' | 'high',
  message: string,
  evidence?: string,
): void {
  report(ctx, { ruleId: 'safetensors/invalid-header', severity, message, ...(evidence ? { evidence } : {}) });
}

/** Scans a `.safetensors` file header. */
export function scanSafetensors(src: ByteSource, ctx: ScanContext): void {
  let header: Record<string, unknown>;
  let n: number;
  try {
    const c = new Cursor(src);
    n = c.u64();
    if (n > MAX_HEADER || n + 8 > src.size) {
      problem(
        ctx,
        'high',
        `Header length ${n} exceeds the file or the 100 MB limit.`,
        `length ${n}, file ${src.size}`,
      );
      return;
    }
    const text = utf8(c.bytes(n));
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      problem(ctx, 'high', `Header is not valid JSON: ${(e as Error).message}`);
      return;
    }
    // The format says "a JSON object"; parsers that accept anything else disagree with those that do not.
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !text.trimStart().startsWith('{')) {
      problem(
        ctx,
        'high',
        `Header is JSON but not an object (${Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : typeof parsed}).`,
        text.slice(0, 80),
      );
      return;
    }
    header = parsed as Record<string, unknown>;
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    problem(ctx, 'high', `Header cannot be read: ${e.message}`);
    return;
  }
  const dataSize = src.size - 8 - n;
  const tensors: Tensor[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      const ok = raw && typeof raw === 'object' && Object.values(raw).every((v) => typeof v === 'string');
      if (!ok) problem(ctx, 'medium', '__metadata__ must map strings to strings.', name);
      continue;
    }
    const t = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const bits = typeof t.dtype === 'string' ? SAFETENSORS_DTYPE_BITS[t.dtype] : undefined;
    const shape =
      Array.isArray(t.shape) && t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)
        ? (t.shape as number[])
        : undefined;
    const offs = t.data_offsets;
    if (
      !bits ||
      !shape ||
      !Array.isArray(offs) ||
      offs.length !== 2 ||
      !offs.every((o) => Number.isSafeInteger(o) && o >= 0)
    ) {
      problem(
        ctx,
        'medium',
        `Tensor "${name}" has an invalid dtype, shape or data_offsets.`,
        JSON.stringify(raw).slice(0, 200),
      );
      continue;
    }
    const [begin, end] = offs as [number, number];
    if (begin > end || end > dataSize) {
      problem(
        ctx,
        'high',
        `Tensor "${name}" points outside the data section (out-of-bounds read).`,
        `[${begin}, ${end}) of ${dataSize}`,
      );
      continue;
    }
    const expected = Math.ceil((shape.reduce((a, b) => a * b, 1) * bits) / 8);
    if (expected !== end - begin) {
      problem(
        ctx,
        'medium',
        `Tensor "${name}" size does not match its dtype and shape.`,
        `${end - begin} bytes, expected ${expected}`,
      );
    }
    tensors.push({ name, begin, end });
  }
  tensors.sort((a, b) => a.begin - b.begin);
  let pos = 0;
  for (const t of tensors) {
    if (t.begin < pos)
      problem(ctx, 'medium', `Tensor "${t.name}" overlaps the previous tensor.`, `starts at ${t.begin}`);
    else if (t.begin > pos)
      problem(ctx, 'medium', `${t.begin - pos} unclaimed bytes before tensor "${t.name}".`, `at ${pos}`);
    pos = Math.max(pos, t.end);
  }
  if (pos < dataSize) {
    problem(
      ctx,
      'medium',
      `${dataSize - pos} bytes after the last tensor are not part of any tensor (hidden data).`,
      `at ${8 + n + pos}`,
    );
  }
  logLine(ctx, 'info', `${tensors.length} tensors, header ${n} bytes`);
}
