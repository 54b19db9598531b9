/**
 * Tokenizer and phrase-rule matcher. One pass over the folded text computes, per word, a 32-bit hash
 * and its concept mask (exact words and stems are looked up by rolling hash in an open-addressing
 * table, so no substring is allocated). Rules are then tried only at words that can start them, each
 * with bounded look-ahead: total work is O(words x rules-per-word x gap), linear in the input.
 * @module
 */
import {
  C,
  C2,
  CONCEPT_WORDS,
  CONCEPT2_WORDS,
  type Concept2Name,
  type ConceptName,
  FUZZY_WORDS,
} from './lexicon.js';
import { normalizeText } from './normalize.js';
import { PHRASE_RULES, type PhraseRule } from './rules.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

interface LexEntry {
  text: string;
  stem: boolean;
  mask: number;
  mask2: number;
  word: number;
}

interface Elem {
  mask: number;
  mask2: number;
  word: number;
  gap: number;
}

interface CompiledRule {
  id: number;
  rule: PhraseRule;
  elems: Elem[];
}

/** The compiled lexicon and rules; built once, lazily, on first use. */
export interface Matcher {
  keys: Int32Array;
  slots: Int32Array;
  entries: LexEntry[];
  tableMask: number;
  /** Bit n set when some stem has length n (n < 32). */
  stemLengths: number;
  byConcept: CompiledRule[][];
  byConcept2: CompiledRule[][];
  byWord: CompiledRule[][];
  /** Bloom bits (65,536) over the hash of each stem's first four characters: most words skip stem probes. */
  stemPrefix: Uint8Array;
  /** `isWordChar` for ASCII, as a table. */
  wordAscii: Uint8Array;
  /** Per rule: the matchRules generation that already matched it (avoids a Set per call). */
  seen: Int32Array;
  gen: number;
}

/** Words of a folded text. Offsets index the folded text. */
export interface Tokens {
  count: number;
  start: Int32Array;
  end: Int32Array;
  hash: Int32Array;
  mask: Int32Array;
  /** Second concept word ({@link C2}). */
  mask2: Int32Array;
  word: Int32Array;
  /** Words recognized only after undoing leetspeak ("1gn0r3"). */
  leet: number;
  /**
   * Which ASCII characters 0x20..0x5f occur between words: bit `c - 0x20` of `punct` for c < 0x40,
   * bit `c - 0x40` of `punct2` above. Lets later layers skip patterns whose characters are absent.
   */
  punct: number;
  punct2: number;
  /** OR of all token concept masks. */
  any: number;
  any2: number;
}

/** One rule hit, in folded-text offsets. */
export interface RuleHit {
  rule: PhraseRule;
  start: number;
  end: number;
}

// Leetspeak digits and symbols -> letters (0->o 1->i 3->e 4->a 5->s 7->t @->a $->s), by char code.
const LEET_TABLE = [
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  115, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 111, 105, 0, 101, 97, 115, 0, 116, 0, 0, 0, 0, 0, 0, 0, 0, 97,
];

function hashString(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h | 0;
}

/** Token characters: ASCII letters and digits, `@`/`$` (leetspeak) and non-punctuation non-ASCII. */
export function isWordChar(c: number): boolean {
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x40 || c === 0x24;
  return !(
    (c >= 0x2000 && c <= 0x2bff) ||
    (c >= 0x3000 && c <= 0x303f) ||
    (c >= 0xd800 && c <= 0xdfff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff20) ||
    c === 0xa0 ||
    (c >= 0xa1 && c <= 0xbf) ||
    c === 0xd7 ||
    c === 0xf7
  );
}

let cached: Matcher | undefined;

function fold(word: string): string {
  return normalizeText(word).text.trim();
}

/** Builds (once) the lexicon table and compiled rules. */
export function getMatcher(): Matcher {
  if (cached) return cached;
  const entries: LexEntry[] = [];
  const index = new Map<string, LexEntry>();
  const add = (raw: string, mask: number, word: number, mask2 = 0): LexEntry | undefined => {
    let stem = raw.endsWith('*');
    let text = fold(stem ? raw.slice(0, -1) : raw);
    if (!text) return undefined;
    if (stem && text.length < 4) stem = false;
    text = text.replace(/\s+/g, '');
    const key = (stem ? '*' : '=') + text;
    let entry = index.get(key);
    if (!entry) {
      entry = { text, stem, mask: 0, mask2: 0, word: -1 };
      index.set(key, entry);
      entries.push(entry);
    }
    entry.mask |= mask;
    entry.mask2 |= mask2;
    if (word >= 0) entry.word = word;
    return entry;
  };
  for (const name of Object.keys(CONCEPT_WORDS) as ConceptName[]) {
    for (const w of CONCEPT_WORDS[name].split(/\s+/)) if (w) add(w, C[name], -1);
  }
  for (const name of Object.keys(CONCEPT2_WORDS) as Concept2Name[]) {
    for (const w of CONCEPT2_WORDS[name].split(/\s+/)) if (w) add(w, 0, -1, C2[name]);
  }
  const words = new Map<string, number>();
  const byConcept: CompiledRule[][] = Array.from({ length: 32 }, () => []);
  const byConcept2: CompiledRule[][] = Array.from({ length: 32 }, () => []);
  const byWord: CompiledRule[][] = [];
  for (const rule of PHRASE_RULES) {
    const elems: Elem[] = [];
    let gap = 0;
    for (const part of rule.p.split(' ')) {
      if (part.startsWith('~')) {
        gap = Number(part.slice(1));
        continue;
      }
      if (part.startsWith('@')) {
        const name = part.slice(1);
        const mask = (C as Record<string, number>)[name] ?? 0;
        const mask2 = (C2 as Record<string, number>)[name] ?? 0;
        if (!mask && !mask2) throw new Error(`Unknown concept ${part} in rule "${rule.p}"`);
        elems.push({ mask, mask2, word: -2, gap });
      } else {
        const key = part;
        let id = words.get(key);
        if (id === undefined) {
          id = words.size;
          words.set(key, id);
          byWord.push([]);
          add(part, 0, id);
        }
        elems.push({ mask: 0, mask2: 0, word: id, gap });
      }
      gap = 0;
    }
    const compiled = { id: PHRASE_RULES.indexOf(rule), rule, elems };
    const first = elems[0]!;
    if (first.word >= 0) byWord[first.word]!.push(compiled);
    else if (first.mask) byConcept[31 - Math.clz32(first.mask)]!.push(compiled);
    else byConcept2[31 - Math.clz32(first.mask2)]!.push(compiled);
  }
  let size = 1;
  while (size < entries.length * 4) size <<= 1;
  const keys = new Int32Array(size);
  const slots = new Int32Array(size).fill(-1);
  let stemLengths = 0;
  const stemPrefix = new Uint8Array(8192);
  const wordAscii = new Uint8Array(128);
  for (let c = 0; c < 128; c++) wordAscii[c] = isWordChar(c) ? 1 : 0;
  entries.forEach((entry, i) => {
    if (entry.stem) {
      const p = hashString(`=${entry.text.slice(0, 4)}`) & 0xffff;
      stemPrefix[p >>> 3]! |= 1 << (p & 7);
    }
    const h = (hashString(`=${entry.text}`) ^ (entry.stem ? STEM_KEY : 0)) | 0;
    let at = h & (size - 1);
    while (slots[at] !== -1) at = (at + 1) & (size - 1);
    keys[at] = h;
    slots[at] = i;
    if (entry.stem && entry.text.length < 32) stemLengths |= 1 << entry.text.length;
  });
  cached = {
    keys,
    slots,
    entries,
    tableMask: size - 1,
    stemLengths,
    byConcept,
    byConcept2,
    byWord,
    stemPrefix,
    wordAscii,
    seen: new Int32Array(PHRASE_RULES.length),
    gen: 0,
  };
  return cached;
}

const EQ = Math.imul(FNV_OFFSET ^ 61, FNV_PRIME); // hash state after '=' (word hashes start here)
// Stems are keyed by the same rolling hash xor a constant, so one hash per character serves both lookups.
const STEM_KEY = 0x2a2a2a2a;

function probe(
  m: Matcher,
  h: number,
  text: string,
  start: number,
  len: number,
  leet: boolean,
  stem: boolean,
): LexEntry | undefined {
  let at = h & m.tableMask;
  for (;;) {
    const slot = m.slots[at]!;
    if (slot === -1) return undefined;
    if (m.keys[at] === h) {
      const e = m.entries[slot]!;
      if (e.stem === stem && e.text.length === len) {
        let ok = true;
        for (let k = 0; k < len; k++) {
          let c = text.charCodeAt(start + k);
          if (leet && c < 0x41) c = LEET_TABLE[c] || c;
          if (c !== e.text.charCodeAt(k)) {
            ok = false;
            break;
          }
        }
        if (ok) return e;
      }
    }
    at = (at + 1) & m.tableMask;
  }
}

/** Reusable token arrays (see {@link tokenize}'s `into`). */
export interface TokenScratch {
  start: Int32Array;
  end: Int32Array;
  hash: Int32Array;
  mask: Int32Array;
  mask2: Int32Array;
  word: Int32Array;
}

/** Allocates token arrays for `capacity` words. */
export function createTokenScratch(capacity = 256): TokenScratch {
  return {
    start: new Int32Array(capacity),
    end: new Int32Array(capacity),
    hash: new Int32Array(capacity),
    mask: new Int32Array(capacity),
    mask2: new Int32Array(capacity),
    word: new Int32Array(capacity),
  };
}

function grow(a: Int32Array, size: number): Int32Array {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}

/**
 * Splits folded text into words, with hashes and concept masks. With `into`, the word arrays are
 * taken from (and grown in) that scratch, so the result is only valid until the scratch is reused.
 */
export function tokenize(text: string, m: Matcher = getMatcher(), into?: TokenScratch): Tokens {
  const sc = into ?? createTokenScratch(Math.min(text.length, 1 << 22) / 4 + 8);
  let { start, end, hash, mask, mask2, word } = sc;
  let count = 0;
  let leet = 0;
  let punct = 0;
  let punct2 = 0;
  let any = 0;
  let any2 = 0;
  const n = text.length;
  const stemLengths = m.stemLengths;
  const stemPrefix = m.stemPrefix;
  const wordAscii = m.wordAscii;
  const slots = m.slots;
  const tableMask = m.tableMask;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    if (c < 0x80 ? wordAscii[c] === 0 : !isWordChar(c)) {
      if (c < 0x40) punct |= 1 << (c & 31);
      else if (c < 0x60) punct2 |= 1 << (c & 31);
      i++;
      continue;
    }
    const s = i;
    let stems = false;
    let h = EQ;
    // Leetspeak-folded hash: only tracked once a leet character shows up (rare), from the token start.
    let hl = EQ;
    let letters = 0;
    let leetChars = 0;
    let tokMask = 0;
    let tokMask2 = 0;
    let tokWord = -1;
    let len = 0;
    while (i < n && ((c = text.charCodeAt(i)) < 0x80 ? wordAscii[c] === 1 : isWordChar(c))) {
      if (c < 0x41) {
        // Digits, '@' and '$': leetspeak candidates.
        const l = LEET_TABLE[c]!;
        if (l !== 0) {
          if (leetChars === 0) {
            hl = EQ;
            for (let k = s; k < i; k++) hl = Math.imul(hl ^ text.charCodeAt(k), FNV_PRIME);
          }
          leetChars++;
          hl = Math.imul(hl ^ l, FNV_PRIME);
        } else if (leetChars > 0) hl = Math.imul(hl ^ c, FNV_PRIME);
      } else {
        letters++;
        if (leetChars > 0) hl = Math.imul(hl ^ c, FNV_PRIME);
      }
      h = Math.imul(h ^ c, FNV_PRIME);
      len++;
      i++;
      if (len === 4) {
        // Stems are 4+ characters: probe them only if some stem starts with these four.
        let p = h & 0xffff;
        stems = ((stemPrefix[p >>> 3]! >>> (p & 7)) & 1) === 1;
        if (!stems && leetChars > 0) {
          p = hl & 0xffff;
          stems = ((stemPrefix[p >>> 3]! >>> (p & 7)) & 1) === 1;
        }
      }
      if (stems && len < 32 && (stemLengths >>> len) & 1) {
        const hk = h ^ STEM_KEY;
        // Most probes land on an empty slot: check it inline before calling probe().
        let e = slots[hk & tableMask] === -1 ? undefined : probe(m, hk, text, s, len, false, true);
        if (!e && leetChars > 0 && letters > 0) {
          e = probe(m, hl ^ STEM_KEY, text, s, len, true, true);
          if (e) leet++;
        }
        if (e) {
          tokMask |= e.mask;
          tokMask2 |= e.mask2;
          if (e.word >= 0) tokWord = e.word;
        }
      }
    }
    const e = probe(m, h | 0, text, s, len, false, false);
    if (e) {
      tokMask |= e.mask;
      tokMask2 |= e.mask2;
      if (e.word >= 0) tokWord = e.word;
    } else if (leetChars > 0 && letters > 0) {
      const el = probe(m, hl | 0, text, s, len, true, false);
      if (el) {
        leet++;
        tokMask |= el.mask;
        tokMask2 |= el.mask2;
        if (el.word >= 0) tokWord = el.word;
      }
    }
    if (count === start.length) {
      const size = start.length * 2;
      start = sc.start = grow(start, size);
      end = sc.end = grow(end, size);
      hash = sc.hash = grow(hash, size);
      mask = sc.mask = grow(mask, size);
      mask2 = sc.mask2 = grow(mask2, size);
      word = sc.word = grow(word, size);
    }
    start[count] = s;
    end[count] = i;
    hash[count] = h | 0;
    mask[count] = tokMask;
    mask2[count] = tokMask2;
    any |= tokMask;
    any2 |= tokMask2;
    word[count] = tokWord;
    count++;
  }
  return { count, start, end, hash, mask, mask2, word, leet, punct, punct2, any, any2 };
}

function matchesAt(t: Tokens, j: number, e: Elem): boolean {
  return (
    (t.mask[j]! & e.mask) !== 0 || (t.mask2[j]! & e.mask2) !== 0 || (e.word >= 0 && t.word[j] === e.word)
  );
}

function tryRule(t: Tokens, i: number, r: CompiledRule): number {
  let pos = i;
  for (let k = 1; k < r.elems.length; k++) {
    const e = r.elems[k]!;
    const limit = Math.min(t.count - 1, pos + 1 + e.gap);
    let found = -1;
    for (let j = pos + 1; j <= limit; j++) {
      if (matchesAt(t, j, e)) {
        found = j;
        break;
      }
    }
    if (found < 0) return -1;
    pos = found;
  }
  return pos;
}

/** Tries the rules that can start at word `i`; each rule matches at most once per call (`seen`). */
function tryRules(
  t: Tokens,
  i: number,
  rules: CompiledRule[],
  seen: Int32Array,
  gen: number,
  hits: RuleHit[],
): void {
  for (const r of rules) {
    if (seen[r.id] === gen) continue;
    const last = tryRule(t, i, r);
    if (last >= 0) {
      seen[r.id] = gen;
      hits.push({ rule: r.rule, start: t.start[i]!, end: t.end[last]! });
    }
  }
}

/**
 * Runs every phrase rule over the tokens. Returns at most one hit per rule (the first), which is all
 * the scorer needs and keeps output bounded on adversarial repetition.
 */
export function matchRules(t: Tokens, m: Matcher = getMatcher()): RuleHit[] {
  const hits: RuleHit[] = [];
  const seen = m.seen;
  m.gen = (m.gen + 1) | 0;
  if (m.gen <= 0) {
    seen.fill(0);
    m.gen = 1;
  }
  const gen = m.gen;
  for (let i = 0; i < t.count; i++) {
    let tm = t.mask[i]!;
    let tm2 = t.mask2[i]!;
    const w = t.word[i]!;
    if (tm === 0 && tm2 === 0 && w < 0) continue;
    while (tm !== 0) {
      const bit = 31 - Math.clz32(tm);
      tm &= ~(1 << bit);
      tryRules(t, i, m.byConcept[bit]!, seen, gen, hits);
    }
    while (tm2 !== 0) {
      const bit = 31 - Math.clz32(tm2);
      tm2 &= ~(1 << bit);
      tryRules(t, i, m.byConcept2[bit]!, seen, gen, hits);
    }
    if (w >= 0) tryRules(t, i, m.byWord[w]!, seen, gen, hits);
  }
  return hits;
}

/** Masks of one fuzzy dictionary word. */
interface FuzzyEntry {
  mask: number;
  mask2: number;
}

let fuzzy: Map<string, FuzzyEntry> | undefined;

function deletions(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

/** Each fuzzy word and its one-letter deletions, with the word's concept masks (built once). */
function fuzzyTable(m: Matcher): Map<string, FuzzyEntry> {
  if (fuzzy) return fuzzy;
  const table = new Map<string, FuzzyEntry>();
  for (const w of FUZZY_WORDS.split(' ')) {
    const t = tokenize(w, m);
    if (t.count !== 1) continue;
    const e = { mask: t.mask[0]!, mask2: t.mask2[0]! };
    if (!e.mask && !e.mask2) continue;
    for (const v of [w, ...deletions(w)]) if (!table.has(v)) table.set(v, e);
  }
  fuzzy = table;
  return table;
}

/** Anchors: a correctly spelled override word makes its neighbours worth a fuzzy look-up. */
const ANCHOR = C.IGNORE | C.PRIOR | C.INSTR;
const FUZZY_REACH = 3;

/**
 * Typo-tolerant matching of the override vocabulary (symmetric deletions, edit distance 1). Only
 * unknown ASCII words of 5-16 letters within {@link FUZZY_REACH} words of an anchor are looked up, so
 * ordinary text costs almost nothing. Repaired words get the concept masks of the word they match.
 * Returns how many words were repaired.
 */
export function repairTypos(text: string, t: Tokens, m: Matcher = getMatcher()): number {
  if (!(t.any & ANCHOR)) return 0;
  let table: Map<string, FuzzyEntry> | undefined;
  let repaired = 0;
  let last = -1;
  for (let i = 0; i < t.count; i++) {
    if (!(t.mask[i]! & ANCHOR)) continue;
    const from = Math.max(last + 1, i - FUZZY_REACH);
    const to = Math.min(t.count - 1, i + FUZZY_REACH);
    for (let j = from; j <= to; j++) {
      if (t.mask[j] !== 0 || t.mask2[j] !== 0 || t.word[j]! >= 0) continue;
      const s = t.start[j]!;
      const len = t.end[j]! - s;
      if (len < 5 || len > 16) continue;
      let ascii = true;
      for (let k = s; k < s + len; k++) {
        const c = text.charCodeAt(k);
        if (c < 0x61 || c > 0x7a) {
          ascii = false;
          break;
        }
      }
      if (!ascii) continue;
      table ??= fuzzyTable(m);
      const word = text.slice(s, s + len);
      let hit = table.get(word);
      if (!hit) for (const d of deletions(word)) if ((hit = table.get(d))) break;
      if (hit) {
        t.mask[j] = hit.mask;
        t.mask2[j] = hit.mask2;
        t.any |= hit.mask;
        t.any2 |= hit.mask2;
        repaired++;
      }
    }
    last = to;
  }
  return repaired;
}
