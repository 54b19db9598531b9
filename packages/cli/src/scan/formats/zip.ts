/**
 * A random-access ZIP reader (central directory, ZIP64) on top of `ByteSource`. Only the entries a
 * scanner asks for are touched: stored entries become slices of the file, deflated ones are inflated
 * by fflate in streaming mode under a size cap, so zip bombs and multi-GB checkpoints stay cheap.
 * @module
 */
import { Gunzip, Inflate, Unzlib } from 'fflate';
import { type ByteSource, Cursor, MemorySource, ParseError, SliceSource, utf8 } from '../bytes.js';

/** One central-directory record. */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** True when the source starts with a ZIP local header (or is an empty archive). */
export function looksLikeZip(src: ByteSource): boolean {
  const b = src.read(0, 4);
  return b[0] === 0x50 && b[1] === 0x4b && ((b[2] === 3 && b[3] === 4) || (b[2] === 5 && b[3] === 6));
}

function findEocd(src: ByteSource): number {
  const tail = Math.min(src.size, 65557);
  const buf = src.read(src.size - tail, tail);
  for (let i = buf.length - 22; i >= 0; i--) {
    if (buf[i] === 0x50 && buf[i + 1] === 0x4b && buf[i + 2] === 5 && buf[i + 3] === 6)
      return src.size - tail + i;
  }
  throw new ParseError('no end-of-central-directory record', src.size);
}

/** Lists entries from the central directory (capped at `maxEntries`). Throws `ParseError` if broken. */
export function readZip(src: ByteSource, maxEntries = 100_000): ZipEntry[] {
  const eocd = findEocd(src);
  const c = new Cursor(src, eocd + 10);
  let total = c.u16();
  let cdSize = c.u32();
  let cdOffset = c.u32();
  if (eocd >= 20 && (cdOffset === 0xffffffff || total === 0xffff)) {
    const loc = new Cursor(src, eocd - 20);
    if (loc.u32() === 0x07064b50) {
      loc.skip(4);
      const z = new Cursor(src, loc.u64());
      if (z.u32() !== 0x06064b50) throw new ParseError('bad ZIP64 end record', z.pos);
      z.skip(8 + 2 + 2 + 4 + 4 + 8);
      total = z.u64();
      cdSize = z.u64();
      cdOffset = z.u64();
    }
  }
  if (cdOffset + cdSize > src.size) throw new ParseError('central directory outside the file', cdOffset);
  const cur = new Cursor(src, cdOffset, cdOffset + cdSize);
  const entries: ZipEntry[] = [];
  while (cur.remaining >= 46 && entries.length < Math.min(total, maxEntries)) {
    if (cur.u32() !== 0x02014b50) throw new ParseError('bad central directory record', cur.pos - 4);
    cur.skip(6);
    const method = cur.u16();
    cur.skip(8);
    let compressedSize = cur.u32();
    let size = cur.u32();
    const nameLen = cur.u16();
    const extraLen = cur.u16();
    const commentLen = cur.u16();
    cur.skip(8);
    let localOffset = cur.u32();
    const name = utf8(cur.bytes(nameLen));
    const extraEnd = cur.pos + extraLen;
    while (cur.pos + 4 <= extraEnd) {
      const id = cur.u16();
      const len = cur.u16();
      const next = cur.pos + len;
      if (id === 1) {
        // ZIP64 extra: only the fields whose 32-bit value is saturated are present, in this order.
        if (size === 0xffffffff) size = cur.u64();
        if (compressedSize === 0xffffffff) compressedSize = cur.u64();
        if (localOffset === 0xffffffff) localOffset = cur.u64();
      }
      cur.pos = next;
    }
    cur.pos = extraEnd;
    cur.skip(commentLen);
    entries.push({ name, method, compressedSize, size, localOffset });
  }
  return entries;
}

function dataStart(src: ByteSource, e: ZipEntry): number {
  const c = new Cursor(src, e.localOffset);
  if (c.u32() !== 0x04034b50) throw new ParseError(`bad local header for ${e.name}`, e.localOffset);
  c.skip(22);
  const n = c.u16();
  const x = c.u16();
  const start = e.localOffset + 30 + n + x;
  if (start + e.compressedSize > src.size) throw new ParseError(`entry ${e.name} runs past the end`, start);
  return start;
}

type Streamer = { push(chunk: Uint8Array, final?: boolean): void };

/** Streams `src` through a decompressor, stopping with `ParseError` once output exceeds `cap`. */
export function inflateCapped(src: ByteSource, kind: 'deflate' | 'gzip' | 'zlib', cap: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  const ondata = (chunk: Uint8Array) => {
    total += chunk.length;
    if (total > cap) throw new ParseError(`inflates to more than ${cap} bytes (possible zip bomb)`, 0);
    parts.push(chunk);
  };
  const s: Streamer =
    kind === 'deflate' ? new Inflate(ondata) : kind === 'gzip' ? new Gunzip(ondata) : new Unzlib(ondata);
  const step = 1 << 20;
  try {
    for (let p = 0; p < src.size; p += step) s.push(src.read(p, step), p + step >= src.size);
  } catch (e) {
    if (e instanceof ParseError) throw e;
    throw new ParseError(`corrupt compressed data: ${(e as Error).message}`, 0);
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * The first `n` decompressed bytes of a gzip or zlib stream (fewer if it is shorter), or `undefined` when
 * it does not decompress. Reads only as much input as it needs, for sniffing what a `.gz` file holds.
 */
export function peekInflated(src: ByteSource, kind: 'gzip' | 'zlib', n: number): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  let total = 0;
  const s: Streamer =
    kind === 'gzip'
      ? new Gunzip((c) => {
          parts.push(c);
          total += c.length;
        })
      : new Unzlib((c) => {
          parts.push(c);
          total += c.length;
        });
  const step = 16 * 1024;
  try {
    for (let p = 0; p < src.size && total < n; p += step) s.push(src.read(p, step), p + step >= src.size);
  } catch {
    if (total === 0) return undefined;
  }
  const out = new Uint8Array(Math.min(n, total));
  let o = 0;
  for (const part of parts) {
    if (o >= out.length) break;
    out.set(part.subarray(0, out.length - o), o);
    o += part.length;
  }
  return out;
}

/** Opens an entry's contents: a slice when stored, an inflated copy (≤ `cap` bytes) when deflated. */
export function openEntry(src: ByteSource, e: ZipEntry, cap: number): ByteSource {
  const start = dataStart(src, e);
  const raw = new SliceSource(src, start, e.compressedSize);
  if (e.method === 0) return raw;
  if (e.method === 8) return new MemorySource(inflateCapped(raw, 'deflate', cap));
  throw new ParseError(`unsupported compression method ${e.method} for ${e.name}`, e.localOffset);
}
