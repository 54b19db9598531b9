/**
 * NumPy `.npy` (and, through the zip scanner, `.npz`). Numeric arrays are inert; object arrays are a
 * pickle after the header, loaded by `np.load(..., allow_pickle=True)`, so their payload is disassembled.
 * @module
 */
import { type ByteSource, Cursor, ParseError, SliceSource, utf8 } from '../bytes.js';
import { logLine, report, type ScanContext } from '../context.js';
import { scanPickle } from '../pickle/scan-pickle.js';

/** Parsed `.npy` header. */
export interface NpyHeader {
  version: string;
  descr: string;
  objects: boolean;
  dataOffset: number;
}

/** Parses the header; throws `ParseError` when it is not a valid `.npy` header. */
export function parseNpyHeader(src: ByteSource): NpyHeader {
  const c = new Cursor(src);
  const magic = c.bytes(6);
  if (magic[0] !== 0x93 || utf8(magic.subarray(1)) !== 'NUMPY') throw new ParseError('not an .npy file', 0);
  const major = c.u8();
  const minor = c.u8();
  if (major < 1 || major > 3) throw new ParseError(`unknown .npy version ${major}.${minor}`, 6);
  const len = major === 1 ? c.u16() : c.u32();
  if (len > 1 << 20) throw new ParseError(`header of ${len} bytes is implausibly large`, 8);
  const header = utf8(c.bytes(len));
  const m = /['"]descr['"]\s*:\s*('[^']*'|"[^"]*"|\[.*?\]\s*(?=,\s*['"]fortran_order))/s.exec(header);
  if (!m) throw new ParseError('header has no descr', 10);
  const descr = m[1]!;
  // Object dtype is `|O` (or `O` in a structured dtype's field list).
  const objects = /(^|['"(,\s])[|<>=]?O\d*['"]/.test(descr);
  return { version: `${major}.${minor}`, descr, objects, dataOffset: c.pos };
}

/** Scans one `.npy` stream. */
export function scanNpy(src: ByteSource, ctx: ScanContext): void {
  let h: NpyHeader;
  try {
    h = parseNpyHeader(src);
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    report(ctx, {
      ruleId: 'numpy/malformed',
      severity: 'low',
      offset: e.offset,
      message: `Malformed .npy header: ${e.message}`,
    });
    return;
  }
  logLine(ctx, 'debug', `npy v${h.version} descr=${h.descr}`);
  if (!h.objects) return;
  // The object payload is a pickle: scan it first. Plain data (strings, numbers, dicts, allow-listed
  // classes) is as inert as a numeric array; anything else makes `allow_pickle=True` the door it is.
  const before = ctx.findings.length;
  scanPickle(new SliceSource(src, h.dataOffset, src.size - h.dataOffset), ctx);
  const risky = ctx.findings.slice(before).some((f) => f.severity !== 'low');
  if (!risky) {
    logLine(ctx, 'info', 'object array of allow-listed data (needs allow_pickle=True to load)');
    return;
  }
  ctx.findings.splice(before, 0, {
    ruleId: 'numpy/object-array',
    severity: 'medium',
    file: ctx.file,
    ...(ctx.entry === undefined ? {} : { entry: ctx.entry }),
    offset: h.dataOffset,
    message:
      'Object-dtype array whose pickle imports more than plain data; np.load(allow_pickle=True) runs it. ' +
      'Store numeric arrays only.',
    evidence: `descr ${h.descr}`,
    cwe: 'CWE-502',
  });
}
