/**
 * Content sniffing and routing. Files are trusted by their bytes, not their names: a pickle renamed to
 * `.safetensors` or tucked inside a zip entry called `notes.txt` is still scanned as a pickle.
 * @module
 */
import type { ByteSource } from './bytes.js';
import { MemorySource, ParseError } from './bytes.js';
import { child, logLine, report, type ScanContext } from './context.js';
import { scanZip } from './formats/archive.js';
import { scanGguf } from './formats/gguf.js';
import { scanH5 } from './formats/keras.js';
import { scanNpy } from './formats/numpy.js';
import { scanSafetensors } from './formats/safetensors.js';
import { inflateCapped, looksLikeZip } from './formats/zip.js';
import { looksLikePickle, scanPickle } from './pickle/scan-pickle.js';

/** Binary formats recognisable from their first bytes. */
export type Magic =
  | 'pickle'
  | 'zip'
  | 'numpy'
  | 'hdf5'
  | 'gguf'
  | 'safetensors'
  | 'gzip'
  | 'zlib'
  | 'bz2'
  | 'xz';

/** Compression formats: scanned through what they hold. */
export const COMPRESSED: ReadonlySet<Magic> = new Set(['gzip', 'zlib', 'bz2', 'xz']);

/** Identifies a binary format from its leading bytes, or `undefined`. */
export function sniff(src: ByteSource): Magic | undefined {
  const b = src.read(0, 16);
  if (b.length < 4) return undefined;
  if (looksLikePickle(src)) return 'pickle';
  if (looksLikeZip(src)) return 'zip';
  if (b[0] === 0x93 && b[1] === 0x4e && b[2] === 0x55 && b[3] === 0x4d) return 'numpy'; // \x93NUMPY
  if (b[0] === 0x89 && b[1] === 0x48 && b[2] === 0x44 && b[3] === 0x46) return 'hdf5'; // \x89HDF
  if (b[0] === 0x47 && b[1] === 0x47 && b[2] === 0x55 && b[3] === 0x46) return 'gguf'; // GGUF
  if (b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  // "BZh1".."BZh9" and the xz stream header: joblib's compress='bz2' / 'xz', `pickle` + bz2.open.
  if (b[0] === 0x42 && b[1] === 0x5a && b[2] === 0x68 && b[3]! >= 0x31 && b[3]! <= 0x39) return 'bz2';
  if (b[0] === 0xfd && b[1] === 0x37 && b[2] === 0x7a && b[3] === 0x58 && b[4] === 0x5a && b[5] === 0)
    return 'xz';
  // zlib: CMF 0x78 and a header checksum divisible by 31 (RFC 1950 §2.2); joblib's compress=N output.
  if (b[0] === 0x78 && ((b[0] << 8) | b[1]!) % 31 === 0) return 'zlib';
  if (b.length >= 10 && b[8] === 0x7b && (b[9] === 0x22 || b[9] === 0x7d)) {
    const len = b[0]! + b[1]! * 0x100 + b[2]! * 0x10000 + b[3]! * 0x1000000 + b[4]! * 0x100000000;
    if (b[5] === 0 && b[6] === 0 && b[7] === 0 && len > 1 && len + 8 <= src.size) return 'safetensors';
  }
  return undefined;
}

/** Options for `scanNested`. */
export interface NestedOptions {
  /** Only act on unambiguous magic (used for arbitrary byte strings inside pickles). */
  onlyKnownMagic?: boolean;
}

/**
 * Scans bytes of unknown origin (an archive entry, a byte string in a pickle) by their magic.
 * Returns the detected format, or `undefined` when nothing was recognised.
 */
export function scanNested(src: ByteSource, ctx: ScanContext, opts: NestedOptions = {}): Magic | undefined {
  if (ctx.depth > ctx.limits.maxDepth) {
    logLine(ctx, 'warn', `nesting deeper than ${ctx.limits.maxDepth}; not followed`);
    return undefined;
  }
  const magic = sniff(src);
  if (!magic) return undefined;
  if (
    opts.onlyKnownMagic &&
    (magic === 'zlib' || magic === 'safetensors' || magic === 'bz2' || magic === 'xz')
  )
    return undefined;
  logLine(ctx, 'info', `nested ${magic} data (${src.size} bytes)`);
  if (ctx.depth > 0 && (magic === 'pickle' || magic === 'zip')) {
    report(ctx, {
      ruleId: 'archive/nested-payload',
      severity: magic === 'pickle' ? 'medium' : 'low',
      offset: 0,
      message: `Embedded ${magic} data inside another container; nesting is a common way to hide payloads from scanners.`,
      evidence: `${magic}, ${src.size} bytes`,
    });
  }
  scanByMagic(magic, src, ctx);
  return magic;
}

/**
 * Runs the scanner for a sniffed format. `hint` is what the file's name says it is, used when a
 * compressed stream holds data without magic bytes (protocol 0/1 pickles).
 */
export function scanByMagic(magic: Magic, src: ByteSource, ctx: ScanContext, hint?: 'pickle'): void {
  switch (magic) {
    case 'pickle':
      scanPickle(src, ctx);
      return;
    case 'zip':
      scanZip(src, ctx);
      return;
    case 'numpy':
      scanNpy(src, ctx);
      return;
    case 'hdf5':
      scanH5(src, ctx);
      return;
    case 'gguf':
      scanGguf(src, ctx);
      return;
    case 'safetensors':
      scanSafetensors(src, ctx);
      return;
    case 'bz2':
    case 'xz':
      report(ctx, {
        ruleId: 'archive/uninspectable',
        severity: 'high',
        offset: 0,
        message:
          `${magic}-compressed model data, which the scanner cannot decompress: a pickle inside would run code when ` +
          'loaded. Decompress it and scan again, or store the model uncompressed or as safetensors.',
        evidence: magic,
      });
      return;
    case 'gzip':
    case 'zlib': {
      let inner: Uint8Array;
      try {
        inner = inflateCapped(src, magic, ctx.limits.maxInflateBytes);
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        report(ctx, {
          ruleId: 'archive/corrupt',
          severity: 'low',
          message: `Cannot decompress: ${e.message}`,
        });
        return;
      }
      const mem = new MemorySource(inner);
      const innerMagic = sniff(mem);
      logLine(
        ctx,
        'info',
        `${magic}-compressed stream of ${inner.length} bytes holds ${innerMagic ?? 'unknown data'}`,
      );
      if (innerMagic && COMPRESSED.has(innerMagic)) {
        // Compressed twice: follow it as nesting, so the depth limit bounds it.
        if (ctx.depth < ctx.limits.maxDepth) scanByMagic(innerMagic, mem, child(ctx, magic), hint);
        else logLine(ctx, 'warn', `compression nested deeper than ${ctx.limits.maxDepth}; not followed`);
      } else if (innerMagic) scanByMagic(innerMagic, mem, ctx);
      else if (hint === 'pickle') scanPickle(mem, ctx);
      return;
    }
  }
}
