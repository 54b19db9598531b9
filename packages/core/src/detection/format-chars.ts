/**
 * Format characters (Unicode category Cf) for the normalizer: which code points they are, and how text
 * under a right-to-left override reads on screen. Kept apart from the fold in normalize.ts, which calls
 * `isFormatChar` per non-ASCII character and `withDisplayOrder` when a U+202E is present.
 * @module
 */
import type { NormalizedText } from './normalize.js';

// Format characters are told by the runtime's own Unicode tables,
// through a per-code-point cache filled on demand (BMP: 64 KB once; astral: a small map).
const FORMAT = /^\p{Cf}$/u;
let formatBmp: Uint8Array | undefined;
let formatAstral: Map<number, boolean> | undefined;

/**
 * True for a format character (Unicode general category Cf). Code points outside the few blocks that hold
 * them (Latin, Cyrillic, Greek, CJK, ... letters: nearly all text) are answered without the table; the
 * tests check the whole code space against `\p{Cf}`, so a format character added by a later Unicode
 * version outside these blocks fails them.
 */
export function isFormatChar(cp: number): boolean {
  if (
    !(
      cp === 0xad ||
      (cp >= 0x600 && cp <= 0x8ff) ||
      cp === 0x180e ||
      (cp >= 0x200b && cp <= 0x206f) ||
      cp >= 0xfeff
    )
  )
    return false;
  if (cp < 0x10000) {
    formatBmp ??= new Uint8Array(0x10000);
    let known = formatBmp[cp]!;
    if (known === 0) {
      known = cp >= 0xd800 && cp <= 0xdfff ? 1 : FORMAT.test(String.fromCharCode(cp)) ? 2 : 1;
      formatBmp[cp] = known;
    }
    return known === 2;
  }
  formatAstral ??= new Map();
  let known = formatAstral.get(cp);
  if (known === undefined) {
    known = FORMAT.test(String.fromCodePoint(cp));
    if (formatAstral.size < 4096) formatAstral.set(cp, known);
  }
  return known;
}

const PDF = 0x202c;

/**
 * Spans under a right-to-left override (U+202E), up to its closing U+202C (nested embeddings and
 * overrides counted), the end of the paragraph or of the text. Linear.
 */
function overrideSpans(input: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let at = input.indexOf('\u202E');
  while (at !== -1) {
    let depth = 0;
    let end = at + 1;
    for (; end < input.length; end++) {
      const c = input.charCodeAt(end);
      if (c === 0x0a || c === 0x0d || c === 0x2029 || c === 0x85) break;
      if (c >= 0x202a && c <= 0x202e && c !== PDF) depth++;
      else if (c === PDF && depth-- === 0) break;
    }
    if (end > at + 1) spans.push([at + 1, end]);
    at = input.indexOf('\u202E', end);
  }
  return spans;
}

/**
 * Trojan-Source-style text: after U+202E the characters are stored in reverse and displayed in reading
 * order, so `\u202E snoitcurtsni suoiverp erongi` shows a plain injection to a reviewer while a scan of
 * the stored order sees nonsense. The override is neutralised by scanning both: the logical text, then
 * (after a newline) each overridden span as displayed, mapped back to its original offsets.
 * `normalizeLogical` is the fold itself (passed in: this module sits below normalize.ts).
 */
export function withDisplayOrder(
  input: string,
  logical: NormalizedText,
  normalizeLogical: (text: string) => NormalizedText,
): NormalizedText {
  let visual = '';
  const origin: number[] = [];
  for (const [start, end] of overrideSpans(input)) {
    if (visual) {
      visual += '\n';
      origin.push(start);
    }
    for (let i = end - 1; i >= start; i--) {
      const c = input.charCodeAt(i);
      // Keep surrogate pairs in order: a reversed pair would be two lone surrogates.
      if (c >= 0xdc00 && c <= 0xdfff && i > start) {
        const hi = input.charCodeAt(i - 1);
        if (hi >= 0xd800 && hi <= 0xdbff) {
          visual += input[i - 1]! + input[i]!;
          origin.push(i - 1, i);
          i--;
          continue;
        }
      }
      visual += input[i]!;
      origin.push(i);
    }
  }
  const display = normalizeLogical(visual);
  // Joined by one newline, with the whitespace on either side dropped, as the fold would collapse it.
  let left = logical.text;
  const trimLeft = left.length > 0 && (left.endsWith(' ') || left.endsWith('\n')) ? 1 : 0;
  left = left.slice(0, left.length - trimLeft);
  const dropRight = display.text.startsWith(' ') || display.text.startsWith('\n') ? 1 : 0;
  const right = display.text.slice(dropRight);
  if (!right) return logical;
  const text = `${left}\n${right}`;
  let map: Int32Array | undefined;
  if (display.stats.hasCjk) logical.stats.hasCjk = true;
  return {
    text,
    stats: logical.stats,
    get map(): Int32Array {
      if (!map) {
        map = new Int32Array(text.length + 1);
        map.set(logical.map.subarray(0, left.length));
        map[left.length] = left.length < logical.map.length ? logical.map[left.length]! : input.length;
        const shown = display.map;
        for (let k = 0; k < right.length; k++) {
          map[left.length + 1 + k] = origin[shown[k + dropRight]!] ?? input.length;
        }
        map[text.length] = input.length;
      }
      return map;
    },
  };
}
