/**
 * Decodes one pickle opcode and its operand at a time, without interpreting it. Large byte payloads are
 * not read: the operand records their offset and length so the caller can skip or sub-scan them.
 * @module
 */
import { type Cursor, latin1Text, ParseError, utf8 } from '../bytes.js';
import { OPCODES, type OpInfo } from './opcodes.js';

/** Longest string operand kept in memory; longer ones are truncated (and still skipped correctly). */
export const MAX_STRING = 64 * 1024;

/** A decoded operand. Payload opcodes give `{ offset, length }` plus the text for string types. */
export type Operand =
  | undefined
  | number
  | bigint
  | string
  | [string, string]
  | { offset: number; length: number; text?: string };

/** One decoded instruction. */
export interface Instruction {
  offset: number;
  code: number;
  info: OpInfo;
  arg: Operand;
}

function lineText(cur: Cursor): string {
  return utf8(cur.line());
}

/** Python `repr()` string → value, for protocol 0 STRING operands. */
function unquote(raw: string): string {
  const q = raw[0];
  if ((q !== "'" && q !== '"') || raw[raw.length - 1] !== q || raw.length < 2) {
    throw new ParseError('STRING operand is not quoted', 0);
  }
  return pyUnescape(raw.slice(1, -1));
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '0': '\0',
};

function pyUnescape(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_m, e: string) => {
    if (e.length > 1) return String.fromCodePoint(Number.parseInt(e.slice(1), 16));
    return ESCAPES[e] ?? e;
  });
}

function payload(
  cur: Cursor,
  length: number,
  code: number,
): { offset: number; length: number; text?: string } {
  if (!Number.isFinite(length) || length < 0 || length > cur.remaining) {
    throw new ParseError(`payload of ${length} bytes runs past the end of the stream`, cur.pos);
  }
  const offset = cur.pos;
  const isText = code === 0x58 || code === 0x8c || code === 0x8d || code === 0x54 || code === 0x55; // X, 8c, 8d, T, U
  let text: string | undefined;
  if (isText) {
    const bytes = cur.src.read(offset, Math.min(length, MAX_STRING));
    // BINSTRING/SHORT_BINSTRING are Python 2 `str`: CPython decodes them as ASCII/Latin-1 by default.
    text = code === 0x54 || code === 0x55 ? latin1Text(bytes) : utf8(bytes);
  }
  cur.skip(length);
  return text === undefined ? { offset, length } : { offset, length, text };
}

function littleEndianInt(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  if (bytes[bytes.length - 1]! & 0x80) v -= 1n << BigInt(bytes.length * 8);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Reads the next instruction. Throws `ParseError` on unknown opcodes and truncation. */
export function nextInstruction(cur: Cursor): Instruction {
  const offset = cur.pos;
  const code = cur.u8();
  const info = OPCODES[code];
  if (!info) throw new ParseError(`unknown opcode 0x${code.toString(16).padStart(2, '0')}`, offset);
  let arg: Operand;
  switch (info.arg) {
    case 'none':
      break;
    case 'u1':
      arg = cur.u8();
      break;
    case 'u2':
      arg = cur.u16();
      break;
    case 'u4':
      arg = cur.u32();
      break;
    case 'i4':
      arg = cur.i32();
      break;
    case 'f8':
      cur.skip(8);
      arg = 0;
      break;
    case 'line': {
      const text = lineText(cur);
      if (info.name === 'STRING') arg = unquote(text.trimEnd());
      else if (info.name === 'UNICODE') arg = pyUnescape(text);
      else arg = text;
      break;
    }
    case 'line2':
      arg = [lineText(cur), lineText(cur)];
      break;
    case 'len1':
      if (info.name === 'LONG1') arg = littleEndianInt(cur.bytes(cur.u8()));
      else arg = payload(cur, cur.u8(), code);
      break;
    case 'len4':
      arg = payload(cur, cur.u32(), code);
      break;
    case 'slen4': {
      const n = cur.i32();
      if (n < 0) throw new ParseError('negative length', offset);
      if (info.name === 'LONG4') {
        if (n > 64) {
          cur.skip(n);
          arg = 0;
        } else arg = littleEndianInt(cur.bytes(n));
      } else arg = payload(cur, n, code);
      break;
    }
    case 'len8': {
      const n = cur.u64();
      // FRAME only announces the size of the next frame; the opcodes inside follow normally. A length
      // past the end is the machine's to report: the pure-Python unpickler reads on regardless.
      if (info.name === 'FRAME') arg = n;
      else arg = payload(cur, n, code);
      break;
    }
  }
  return { offset, code, info, arg };
}
