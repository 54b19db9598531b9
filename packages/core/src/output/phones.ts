/**
 * Phone numbers. Strict validity is the wrong test for redaction: numbering plans change, and numbers in
 * unassigned area codes or unallocated ranges still read as phone numbers. So a candidate is accepted
 * when it is
 * 1. valid for the default country (libphonenumber-js `max` metadata), or
 * 2. international (`+<code>`) and of a possible length, or
 * 3. of a possible length for a country the text points to (phone words in its language, place names),
 *    with a phone or number word nearby, or a North American shape (`(415) 555-0100`, `415-555-0100`), or
 * 4. written in a national shape (trunk `0` or an area code in parentheses, grouped) right after a word
 *    that only introduces phone numbers ("Tel.", "Handy", "電話").
 * Identifier words (order, customer, tax, company numbers, in each language) veto all of these unless a
 * phone word sits closer to the number. libphonenumber-js only ever sees short candidates: its matcher is
 * superlinear on long digit-heavy text.
 * @module
 */
import { type CountryCode, findPhoneNumbersInText } from 'libphonenumber-js/max';
import { before, type PhoneCues, phoneCues } from './cues.js';
import type { RawEntity } from './pii-types.js';
import { isDigitCode, isWordCode } from './validators.js';

/** Memo of libphonenumber results per (country, leniency, candidate), owned by the caller. */
export type PhoneCache = Map<string, ReadonlyArray<readonly [number, number]>>;

const VERSION_BEFORE = /(?:\bv|\bversion|\bver\.?|\brelease)\s?$/i;
// ISBN-10 hyphenation (group-publisher-title-check); no numbering plan writes a lone leading digit so.
const ISBN_LIKE = /^(?:97[89]-)?\d{1,5}-\d{1,7}-\d{1,7}-[\dX]$/;
const DECIMAL = /^\d{1,4}\.\d{5,}$/;
const DATE_LIKE = /^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})$/;
const DOTTED_QUAD = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const DIGITS_ONLY = /^\d+$/;
// North American shapes: (NXX) NXX-XXXX, NXX-NXX-XXXX, NXX.NXX.XXXX, optionally after 1- or +1.
const NANP_SHAPE = /^(?:\+?1[ -.]?)?(?:\([2-9]\d\d\) ?|[2-9]\d\d[-.])[2-9]\d\d[-. ]\d{4}$/;
// A national number as written in most countries: trunk 0 or a parenthesized area code, then groups.
const NATIONAL_SHAPE = /^(?:0\d{1,4}|\(0?\d{1,4}\))[ \-./]?\d{2,8}(?:[ \-./]\d{1,8}){0,4}$/;
/** Digits in at least two groups: how people write numbers they expect to be read back. */
const GROUPED = /\d[ \-./()]+\d/;
/** Countries tried when the text gives no country but a phone word (most common national formats). */
const MAX_COUNTRIES = 5;

/** `[0-9+()\-. /\u00a0]`: the characters a phone candidate is made of. */
function isPhoneCode(c: number): boolean {
  return (
    (c >= 48 && c <= 57) ||
    c === 43 || // +
    c === 40 || // (
    c === 41 || // )
    c === 45 || // -
    c === 46 || // .
    c === 32 || // space
    c === 47 || // /
    c === 0xa0
  );
}

function lookup(
  cand: string,
  country: CountryCode,
  leniency: 'VALID' | 'POSSIBLE',
  cache: PhoneCache | undefined,
): ReadonlyArray<readonly [number, number]> {
  const key = `${country}${leniency === 'VALID' ? '' : '?'}|${cand}`;
  let found = cache?.get(key);
  if (!found) {
    // `extended` is the library's switch to its POSSIBLE leniency (length checks only).
    found = findPhoneNumbersInText(cand, { defaultCountry: country, extended: leniency === 'POSSIBLE' }).map(
      (m) => [m.startsAt, m.endsAt] as const,
    );
    if (cache) {
      if (cache.size >= 512) cache.clear();
      cache.set(key, found);
    }
  }
  return found;
}

/**
 * Phone numbers in the number region `[from, to)`: candidate runs of 7-15 digits and at most 32
 * characters, each decided as described in the module comment.
 */
export function scanPhones(
  text: string,
  out: RawEntity[],
  defaultCountry: CountryCode,
  cache?: PhoneCache,
  from = 0,
  to = text.length,
): void {
  let i = from;
  while (i < to) {
    const ch = text[i]!;
    const startOk = ch === '+' || ch === '(' || isDigitCode(ch.charCodeAt(0));
    const p = text.charCodeAt(i - 1);
    // Not inside a word, a decimal ("10.5634/...") or a path ("12/345/..."): those digits belong to it.
    if (!startOk || (i > 0 && (isWordCode(p) || p === 46 || p === 47))) {
      i++;
      continue;
    }
    let e = i + 1;
    let digits = isDigitCode(ch.charCodeAt(0)) ? 1 : 0;
    while (e < text.length && e - i < 40 && isPhoneCode(text.charCodeAt(e))) {
      // Among phone characters (and the start character) the only whitespace is space and NBSP.
      const ce = text.charCodeAt(e);
      const cp = text.charCodeAt(e - 1);
      if (ce === 43 || ((ce === 32 || ce === 0xa0) && (cp === 32 || cp === 0xa0))) break;
      if (isDigitCode(ce)) digits++;
      e++;
    }
    while (e > i && !isDigitCode(text.charCodeAt(e - 1)) && text[e - 1] !== ')') e--;
    // "(mail, (596) 372 0118)": the closing parenthesis of the sentence is not part of the number.
    if (text[e - 1] === ')' && unbalanced(text, i, e)) e--;
    const glued = isWordCode(text.charCodeAt(e)) || (text[e] === '.' && isDigitCode(text.charCodeAt(e + 1)));
    if (glued || digits < 7 || digits > 15 || e - i > 32) {
      i = Math.max(e, i + 1);
      continue;
    }
    const cand = text.slice(i, e);
    if (!shapeRejected(text, i, cand)) candidate(text, out, defaultCountry, cache, i, e, cand);
    i = e;
  }
}

/** More closing than opening parentheses in `[i, e)`. */
function unbalanced(text: string, i: number, e: number): boolean {
  let depth = 0;
  for (let k = i; k < e; k++) {
    if (text[k] === '(') depth++;
    else if (text[k] === ')') depth--;
  }
  return depth < 0;
}

/** Shapes that are never a phone whatever the words around them say. */
function shapeRejected(text: string, start: number, cand: string): boolean {
  return (
    DATE_LIKE.test(cand) ||
    ISBN_LIKE.test(cand) ||
    DECIMAL.test(cand) ||
    DOTTED_QUAD.test(cand) ||
    VERSION_BEFORE.test(before(text, start, 10))
  );
}

function candidate(
  text: string,
  out: RawEntity[],
  defaultCountry: CountryCode,
  cache: PhoneCache | undefined,
  start: number,
  end: number,
  cand: string,
): void {
  const cues = phoneCues(text, start, end);
  if (cues.kind === 'id') return;
  const bare = DIGITS_ONLY.test(cand);
  const worded = cues.kind === 'phone' || cues.kind === 'number';
  // A bare digit string is an id, an amount or a count unless the text talks about phoning.
  if (bare && !worded) return;
  const intl = cand[0] === '+';
  const placed = cues.placed && !bare && GROUPED.test(cand);
  // International numbers carry their country; national ones are tried for the countries the text
  // points to when the default country does not read the whole candidate.
  const countries = intl || !(worded || placed) ? [defaultCountry] : countriesOf(cues, defaultCountry);
  // 1, 3a. Valid.
  let found = bestMatch(cand, countries, 'VALID', cache);
  let conf = intl ? 0.9 : worded ? 0.85 : 0.8;
  // 2, 3b. Possible length: international, a country the text points to (by a phone or number word, or
  // by a place name for a grouped number), or a North American shape.
  if (found.length === 0 && (intl || worded || placed || NANP_SHAPE.test(cand))) {
    found = bestMatch(cand, intl || worded || placed ? countries : ['US'], 'POSSIBLE', cache);
    conf = intl ? 0.8 : worded ? 0.7 : 0.6;
  }
  if (found.length === 0) {
    // 4. A national shape right after a phone word, in a numbering plan we could not place.
    if (cues.kind === 'phone' && !bare && NATIONAL_SHAPE.test(cand)) push(out, start, end, 0.65);
    return;
  }
  for (const [s, e] of found) {
    const piece = cand.slice(s, e);
    if (DATE_LIKE.test(piece) || ISBN_LIKE.test(piece)) continue;
    // libphonenumber may keep only the tail of a candidate ("10.5634/616361"): a number cut out of a
    // longer one is not reported.
    const prev = cand[s - 1];
    if (s > 0 && prev !== ' ' && prev !== '(' && prev !== '\u00a0') continue;
    push(out, start + s, start + e, DIGITS_ONLY.test(piece) && !worded ? 0.35 : conf);
  }
}

/**
 * The first country whose matches cover the whole candidate, else the first partial result (the default
 * country's, tried first): "(11) 91234-5678" is a Brazilian number, not a US one cut after "(11)".
 */
function bestMatch(
  cand: string,
  countries: readonly CountryCode[],
  leniency: 'VALID' | 'POSSIBLE',
  cache: PhoneCache | undefined,
): ReadonlyArray<readonly [number, number]> {
  let partial: ReadonlyArray<readonly [number, number]> = [];
  for (const c of countries) {
    const found = lookup(cand, c, leniency, cache);
    if (found.length === 1 && found[0]![0] === 0 && found[0]![1] === cand.length) return found;
    if (partial.length === 0) partial = found;
  }
  return partial;
}

function push(out: RawEntity[], start: number, end: number, confidence: number): void {
  out.push({ type: 'phone', start, end, confidence });
}

/** The countries to try: the default, then those the text points to, at most {@link MAX_COUNTRIES}. */
function countriesOf(cues: PhoneCues, defaultCountry: CountryCode): CountryCode[] {
  const list = [defaultCountry];
  for (const c of cues.countries) if (list.length < MAX_COUNTRIES && c !== defaultCountry) list.push(c);
  return list;
}
