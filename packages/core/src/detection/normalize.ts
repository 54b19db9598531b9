/**
 * Text normalization for detection: one linear pass that produces a folded view of the input
 * (compatibility-decomposed, diacritics and invisible characters removed, homoglyphs folded to Latin,
 * lower-cased, whitespace collapsed) plus a map back to the original offsets so findings can point at
 * the user's text.
 * @module
 */

import { isFormatChar, withDisplayOrder } from './format-chars.js';

/** What the normalizer removed or saw, for findings. */
export interface NormalizeStats {
  /** Zero-width and every other format character (Unicode category Cf: U+200B, U+2060.., U+FEFF, soft hyphen, ...). */
  zeroWidth: number;
  /** Bidirectional controls (U+202A..U+202E, U+2066..U+2069, U+061C): used to reorder text shown to humans. */
  bidi: number;
  /** Unicode tag characters (U+E0000..U+E007F): invisible, and map 1:1 to ASCII ("ASCII smuggling"). */
  tags: number;
  /** Variation selectors: invisible, used to smuggle bits. */
  variation: number;
  /** Letters from Cyrillic/Greek/etc. folded to a Latin look-alike inside a Latin word. */
  confusables: number;
  /** Offset of the first removed invisible character, or -1. */
  firstHidden: number;
  /** ASCII text carried by tag characters, decoded (bounded). */
  tagText: string;
  /** True when the text has CJK, kana or Hangul (phrase matching without spaces is needed). */
  hasCjk: boolean;
}

/** Result of {@link normalizeText}. */
export interface NormalizedText {
  /** The folded text. Newlines are kept (documents are line-structured); other whitespace runs become one space. */
  text: string;
  /**
   * `map[i]` is the offset in the original text of folded character `i`; `map[text.length]` is the
   * input length. Built lazily on first read; treat it as read-only.
   */
  readonly map: Int32Array;
  stats: NormalizeStats;
}

// Homoglyphs that fold to a Latin letter. Cyrillic and Greek only: they are the ones that render
// identically to Latin in common fonts (Unicode TR39 confusables, restricted to single letters).
const CONFUSABLE_PAIRS = 'аaвbсcдdеeёeһhіiјjкkӏlмmнhоoрpԛqѕsтtуyхxьbԝwɡgαaβbεeηnιiκkνvοoρpτtυuχxωwϲcϳjⅰiⅼlℓl';

let confusables: Map<number, number> | undefined;
let foldCache: Map<number, string> | undefined;

function confusableMap(): Map<number, number> {
  if (confusables) return confusables;
  const map = new Map<number, number>();
  for (let i = 0; i + 1 < CONFUSABLE_PAIRS.length; i += 2) {
    map.set(CONFUSABLE_PAIRS.charCodeAt(i), CONFUSABLE_PAIRS.charCodeAt(i + 1));
  }
  confusables = map;
  return map;
}

function isCombiningMark(c: number): boolean {
  return (
    (c >= 0x300 && c <= 0x36f) ||
    (c >= 0x1ab0 && c <= 0x1aff) ||
    (c >= 0x1dc0 && c <= 0x1dff) ||
    (c >= 0x20d0 && c <= 0x20ff) ||
    (c >= 0xfe20 && c <= 0xfe2f)
  );
}

/** Folds one non-ASCII code point: NFKD, drop Latin combining marks, lower-case. Cached lazily. */
function foldCodePoint(cp: number): string {
  let cache = foldCache;
  if (!cache) cache = foldCache = new Map();
  const hit = cache.get(cp);
  if (hit !== undefined) return hit;
  const ch = String.fromCodePoint(cp);
  let out = '';
  // Hangul syllables decompose to jamo under NFKD; keep them whole so Korean phrases still match.
  const decomposed = cp >= 0xac00 && cp <= 0xd7a3 ? ch : ch.normalize('NFKD');
  for (const part of decomposed) {
    const c = part.codePointAt(0)!;
    if (isCombiningMark(c)) continue;
    out += part.toLowerCase();
  }
  if (cache.size < 20_000) cache.set(cp, out);
  return out;
}

function isInvisible(c: number): 'zw' | 'bidi' | 'var' | undefined {
  if (c === 0xad || c === 0x180e || c === 0xfeff || c === 0x34f) return 'zw';
  if (c >= 0x200b && c <= 0x200f) return c >= 0x200e ? 'bidi' : 'zw';
  if (c >= 0x202a && c <= 0x202e) return 'bidi';
  if (c >= 0x2060 && c <= 0x2064) return 'zw';
  if ((c >= 0x2066 && c <= 0x2069) || c === 0x061c) return 'bidi';
  if (c >= 0xfe00 && c <= 0xfe0f) return 'var';
  return undefined;
}

function isSpace(c: number): boolean {
  return (
    c === 0x20 ||
    c === 0x09 ||
    c === 0x0b ||
    c === 0x0c ||
    c === 0xa0 ||
    c === 0x3000 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x202f ||
    c === 0x205f
  );
}

function isLatinLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

const MAX_TAG_TEXT = 4096;
const PLAIN_ASCII = /^[\x20-\x7e\n]*$/;
// What the slow path would change: space runs, spaces next to newlines, blank-line runs.
const NEEDS_COLLAPSE = / {2}| \n|\n\n|\n /;

// A run of 2+ spaces/newlines becomes one newline if it has one, else one space. One greedy class
// run: linear (a pattern like / *\n/ backtracks quadratically on long space runs in tables).
const SPACE_RUN = /[ \n]{2,}/g;
const collapseRun = (run: string): string => (run.includes('\n') ? '\n' : ' ');
const collapseSpaces = (text: string): string => text.replace(SPACE_RUN, collapseRun);
// Characters the native fast path cannot fold: non-ASCII and control characters.
const SPECIAL_RUN = /[^\x20-\x7e\n]+/g;

// null: this runtime has no UTF-16 TextDecoder (fall back to String.fromCharCode).
let utf16: TextDecoder | null | undefined;

function unitsToString(units: Uint16Array, len: number): string {
  if (utf16 === undefined) {
    try {
      utf16 = new TextDecoder('utf-16le');
    } catch {
      utf16 = null;
    }
  }
  // Lossless here: fold() never emits a lone surrogate (the decoder would turn one into U+FFFD), and
  // typed arrays are little-endian on every platform this runs on.
  if (len === 1) return String.fromCharCode(units[0]!);
  if (utf16 && len > 64) return utf16.decode(units.subarray(0, len));
  let text = '';
  for (let start = 0; start < len; start += 8192) {
    text += String.fromCharCode.apply(
      null,
      units.subarray(start, Math.min(len, start + 8192)) as unknown as number[],
    );
  }
  return text;
}

// Scratch output buffer, grown on demand and reused across calls (created lazily, never at import).
let scratch: Uint16Array | undefined;
let identity: Int32Array | undefined;

function emptyStats(): NormalizeStats {
  return {
    zeroWidth: 0,
    bidi: 0,
    tags: 0,
    variation: 0,
    confusables: 0,
    firstHidden: -1,
    tagText: '',
    hasCjk: false,
  };
}

/** Identity offset map of `n + 1` entries (a view of one shared, lazily grown array). */
function identityMap(n: number): Int32Array {
  if (!identity || identity.length < n + 1) {
    const size = Math.max(n + 1, 4096, (identity?.length ?? 0) * 2);
    identity = new Int32Array(size);
    for (let i = 0; i < size; i++) identity[i] = i;
  }
  return identity.subarray(0, n + 1);
}

/**
 * A lazily built offset map: most texts have no findings, so most scans never need it. `special` is
 * how many characters took the per-character path (mostly-ASCII texts use the quicker builder).
 */
function lazyResult(
  input: string,
  text: string,
  stats: NormalizeStats,
  fast: boolean,
  special = 0,
): NormalizedText {
  let map: Int32Array | undefined;
  return {
    text,
    stats,
    get map(): Int32Array {
      if (!map) {
        if (fast) map = identityMap(input.length);
        else if (special * 8 <= input.length) map = mapMostlyAscii(input, text.length);
        else map = offsetMapReference(input, text.length);
      }
      return map;
    },
  };
}

/** The offset map by the full per-character fold (reference; also used for mostly non-ASCII text). */
export function offsetMapReference(input: string, foldedLength: number): Int32Array {
  const map = new Int32Array(foldedLength + 1);
  fold(input, 0, input.length, map, emptyStats(), true, 0);
  return map;
}

/**
 * The same map for mostly-ASCII text: printable ASCII maps one to one inline, whitespace collapses
 * inline, and only the other characters go through fold(), one code point at a time.
 */
export function mapMostlyAscii(input: string, foldedLength: number): Int32Array {
  const map = new Int32Array(foldedLength + 1);
  const stats = emptyStats();
  const run: LookAhead = { end: -1, latin: false };
  const n = input.length;
  let len = 0;
  // Last folded unit written (0: none yet).
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c > 0x20 && c < 0x7f) {
      map[len++] = i;
      prev = c;
      continue;
    }
    let first = 0;
    let count = 1;
    let width = 1;
    if (c < 0x80) {
      if (c === 0x0a || c === 0x0d) first = 0x0a;
      else if (c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c) first = 0x20;
      else continue;
    } else {
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        const lo = input.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) width = 2;
      }
      count = fold(input, i, i + width, undefined, stats, false, prev, run);
      first = count > 0 ? scratch![0]! : 0;
    }
    for (let k = 0; k < count; k++) {
      const u = k === 0 ? first : scratch![k]!;
      if (u === 0x0a) {
        // Same collapsing as fold(): drop a trailing space, keep one newline per blank-line run.
        if (prev === 0x20) len--;
        else if (prev === 0x0a) continue;
      } else if (u === 0x20 && (prev === 0x20 || prev === 0x0a)) continue;
      map[len++] = i;
      prev = u;
    }
    i += width - 1;
  }
  map[len] = n;
  return map;
}

/** The answer of the last look-ahead, valid for every position before `end`. */
interface LookAhead {
  end: number;
  latin: boolean;
}

/**
 * True when the next character that survives folding, from `from` on, folds to a Latin letter, or to a
 * look-alike that itself folds (a chain of look-alikes ending in a Latin letter). Deciding on folded
 * characters, never raw ones, keeps the fold idempotent: what pass one drops or rewrites (invisible
 * characters, combining marks, "é") cannot change the decision in pass two. `run` memoises the answer
 * for the whole chain, so the look-ahead stays linear.
 */
function latinFollows(input: string, from: number, run: LookAhead): boolean {
  if (from < run.end) return run.latin;
  let j = from;
  let latin = false;
  while (j < input.length) {
    const c = input.charCodeAt(j);
    if (c < 0x80) {
      latin = isLatinLetter(c);
      // Control characters other than whitespace are dropped by the fold.
      if (!latin && ((c < 0x20 && (c < 0x09 || c > 0x0d)) || c === 0x7f)) {
        j++;
        continue;
      }
      break;
    }
    // Greek and Cyrillic (the usual neighbours of a look-alike) hold nothing the fold drops: only
    // whether the letter is itself a look-alike matters.
    if (c >= 0x370 && c < 0x530) {
      const folded = foldCodePoint(c);
      if (folded.length === 1 && (confusables ?? confusableMap()).has(folded.charCodeAt(0))) {
        j++;
        continue;
      }
      latin = folded.length > 0 && isLatinLetter(folded.charCodeAt(0));
      if (folded.length > 0) break;
      j++;
      continue;
    }
    let cp = c;
    let width = 1;
    if (c >= 0xd800 && c <= 0xdbff && j + 1 < input.length) {
      const lo = input.charCodeAt(j + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = ((c - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    const dropped =
      (c >= 0xd800 && c <= 0xdfff && width === 1) ||
      (cp >= 0xe0000 && cp <= 0xe007f) ||
      (cp >= 0xe0100 && cp <= 0xe01ef) ||
      isInvisible(c) !== undefined ||
      isFormatChar(cp);
    if (dropped) {
      j += width;
      continue;
    }
    if (isSpace(c) || c === 0x2028 || c === 0x2029 || c === 0x85) break;
    const folded = foldCodePoint(cp);
    if (folded.length === 0) {
      j += width;
      continue;
    }
    const first = folded.charCodeAt(0);
    latin = isLatinLetter(first);
    if (!latin && folded.length === 1 && confusableMap().has(first)) {
      j += width;
      continue;
    }
    break;
  }
  run.end = j;
  run.latin = latin;
  return latin;
}

/**
 * The folding pass. Writes folded UTF-16 units into the scratch buffer, and offsets into `map` when
 * given (the lazy second pass), and returns the folded length.
 */
function fold(
  input: string,
  from: number,
  to: number,
  map: Int32Array | undefined,
  stats: NormalizeStats,
  collapse: boolean,
  prev: number,
  run: LookAhead = { end: -1, latin: false },
): number {
  const n = to;
  let out: Uint16Array =
    scratch && scratch.length >= n + 64
      ? scratch
      : (scratch = new Uint16Array(Math.max(1024, n + 64, (scratch?.length ?? 0) * 2)));
  let len = 0;
  let tagText = stats.tagText;
  let conf: Map<number, number> | undefined;

  for (let i = from; i < n; i++) {
    let c = input.charCodeAt(i);
    if (c < 0x80) {
      if (c >= 0x41 && c <= 0x5a) c += 32;
      else if (c < 0x21) {
        if (c === 0x0a || c === 0x0d) {
          // Collapse trailing spaces before a newline and runs of blank lines.
          if (collapse && len > 0 && out[len - 1] === 0x20) len--;
          if (collapse && len > 0 && out[len - 1] === 0x0a) continue;
          c = 0x0a;
        } else if (c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c) {
          if (collapse && len > 0 && (out[len - 1] === 0x20 || out[len - 1] === 0x0a)) continue;
          c = 0x20;
        } else continue;
      } else if (c === 0x7f) continue;
      if (map) map[len] = i;
      out[len++] = c;
      continue;
    }
    // Non-ASCII: one code point may fold to several units (NFKD ligatures); keep room for them.
    if (len + 40 >= out.length) {
      const bigger: Uint16Array = new Uint16Array(out.length * 2);
      bigger.set(out);
      out = scratch = bigger;
    }
    // Unicode tag characters live in plane 14 as surrogate pairs: U+E0000..U+E007F = DB40 DC00..DC7F.
    if (c === 0xdb40 && i + 1 < n) {
      const lo = input.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdc7f) {
        stats.tags++;
        if (stats.firstHidden < 0) stats.firstHidden = i;
        const ascii = lo - 0xdc00;
        if (ascii >= 0x20 && ascii < 0x7f && tagText.length < MAX_TAG_TEXT)
          tagText += String.fromCharCode(ascii);
        i++;
        continue;
      }
      if (lo >= 0xdd00 && lo <= 0xddef) {
        // U+E0100..U+E01EF: variation selectors supplement.
        stats.variation++;
        if (stats.firstHidden < 0) stats.firstHidden = i;
        i++;
        continue;
      }
    }
    const kind = isInvisible(c);
    if (kind !== undefined) {
      // Emoji legitimately use ZWJ (U+200D) and presentation selectors (U+FE0E/F), and RTL text uses
      // LRM/RLM (U+200E/F): remove them from the folded view but do not report them.
      const prev = i > 0 ? input.charCodeAt(i - 1) : 0;
      const benign =
        (c === 0x200d && prev >= 0xd800 && prev <= 0xdfff) ||
        c === 0xfe0e ||
        c === 0xfe0f ||
        c === 0x200e ||
        c === 0x200f;
      if (!benign) {
        if (kind === 'zw') stats.zeroWidth++;
        else if (kind === 'bidi') stats.bidi++;
        else stats.variation++;
        if (stats.firstHidden < 0) stats.firstHidden = i;
      }
      continue;
    }
    if (isSpace(c)) {
      if (collapse && len > 0 && (out[len - 1] === 0x20 || out[len - 1] === 0x0a)) continue;
      if (map) map[len] = i;
      out[len++] = 0x20;
      continue;
    }
    if (c === 0x2028 || c === 0x2029 || c === 0x85) {
      if (collapse && len > 0 && out[len - 1] === 0x20) len--;
      if (collapse && len > 0 && out[len - 1] === 0x0a) continue;
      if (map) map[len] = i;
      out[len++] = 0x0a;
      continue;
    }
    let cp = c;
    let width = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const lo = input.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = ((c - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    if (isFormatChar(cp)) {
      stats.zeroWidth++;
      if (stats.firstHidden < 0) stats.firstHidden = i;
      i += width - 1;
      continue;
    }
    if (
      (cp >= 0x3040 && cp <= 0x30ff) ||
      (cp >= 0x3400 && cp <= 0x9fff) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff)
    ) {
      stats.hasCjk = true;
      if (map) map[len] = i;
      out[len++] = cp;
      continue;
    }
    const folded = width === 1 && c >= 0xd800 && c <= 0xdfff ? '' : foldCodePoint(cp);
    for (let k = 0; k < folded.length; k++) {
      let f = folded.charCodeAt(k);
      if (f >= 0x0370) {
        conf ??= confusableMap();
        const latin = conf.get(f);
        // Fold only inside Latin words: an all-Cyrillic word is Russian, not a disguise.
        if (
          latin !== undefined &&
          (isLatinLetter(len > 0 ? out[len - 1]! : prev) || latinFollows(input, i + width, run))
        ) {
          f = latin;
          stats.confusables++;
        }
      }
      if (map) map[len] = i;
      out[len++] = f;
    }
    i += width - 1;
  }
  if (map) map[len] = input.length;
  stats.tagText = tagText;
  return len;
}

/**
 * Normalizes `input` in one pass. Linear in the input length; never throws on any string, including
 * lone surrogates. The offset `map` is built on first access only (a second pass), so scans without
 * findings never pay for it. Every format character (Cf: zero-width, bidi controls, ...) is removed and
 * counted; text under a right-to-left override is also given in the order a reader sees it (below).
 * @example
 * normalizeText('ІGNORE\u200b previous').text // 'ignore previous'
 */
export function normalizeText(input: string): NormalizedText {
  const logical = normalizeLogical(input);
  return logical.stats.bidi > 0 && input.indexOf('\u202E') !== -1
    ? withDisplayOrder(input, logical, normalizeLogical)
    : logical;
}

/** The fold in stored (logical) order. */
function normalizeLogical(input: string): NormalizedText {
  // Fast path: printable ASCII with nothing to collapse folds to its lower case, offsets unchanged.
  // Native toLowerCase/regex are several times faster than the per-character loop below.
  if (PLAIN_ASCII.test(input)) {
    if (!NEEDS_COLLAPSE.test(input)) return lazyResult(input, input.toLowerCase(), emptyStats(), true);
    // Same result as the loop: a run of 2+ spaces/newlines becomes one newline if it has one, else a space.
    const text = collapseSpaces(input.toLowerCase());
    return lazyResult(input, text, emptyStats(), false);
  }
  // Mixed text: ASCII stretches are lower-cased natively; only the other characters go through the
  // per-character fold. Whitespace is collapsed afterwards on the joined text (same result as the
  // loop, whose collapsing depends only on the output stream).
  const stats = emptyStats();
  let text = '';
  let last = 0;
  let special = 0;
  const run: LookAhead = { end: -1, latin: false };
  SPECIAL_RUN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = SPECIAL_RUN.exec(input)) !== null) {
    const at = m.index;
    if (at > last) text += input.slice(last, at).toLowerCase();
    const end = at + m[0].length;
    special += m[0].length;
    const prev = text.length > 0 ? text.charCodeAt(text.length - 1) : 0;
    const len = fold(input, at, end, undefined, stats, false, prev, run);
    if (len > 0) text += unitsToString(scratch!, len);
    last = end;
  }
  if (last < input.length) text += input.slice(last).toLowerCase();
  if (NEEDS_COLLAPSE.test(text)) text = collapseSpaces(text);
  return lazyResult(input, text, stats, false, special);
}

/** Maps a span of the folded text back to the original text. */
export function originalSpan(
  norm: NormalizedText,
  start: number,
  end: number,
): { start: number; end: number } {
  const last = norm.map.length - 1;
  const s = norm.map[Math.max(0, Math.min(start, last))] ?? 0;
  const e = end >= last ? (norm.map[last] ?? 0) : (norm.map[Math.max(0, end)] ?? 0);
  // Text shown in display order (see withDisplayOrder) maps backwards: its span runs from the last
  // character's offset to just past the first's.
  const tail = norm.map[Math.max(0, Math.min(end - 1, last))] ?? 0;
  if (end - 1 > start && tail < s) return { start: tail, end: s + 1 };
  return { start: s, end: Math.max(s, e) };
}
