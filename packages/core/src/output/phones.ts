/**
 * Phone numbers. Strict validity is the wrong test for redaction: numbering plans change, and numbers in
 * unassigned area codes or unallocated ranges still read as phone numbers. A candidate (7-15 digits of
 * phone characters) is accepted when it is
 * 1. valid for the default country (libphonenumber-js `max` metadata), or
 * 2. valid, else of a possible length, for a country the text points to (the language of its phone or
 *    number words, place names, function words; `cues.ts`) when a phone or number word is near, or when
 *    a place name stands by a grouped number ("Büro Zürich: 078 659 20 93"), or
 * 3. international (`+<code>`) of a possible length, or a North American shape (`(415) 555-0100`,
 *    `415-555-0100`) of a possible length, or
 * 4. a national shape (area code, then groups; 8-13 digits) next to a phone or number word, in a plan
 *    none of those countries reads.
 * Identifier words (order, customer, tax, company numbers, in each language) veto all of these unless a
 * phone word sits closer to the number; dates, ISBNs, decimals, dotted quads and dotted thousands never
 * count. libphonenumber-js only ever sees short candidates: its matcher is superlinear on long digit-heavy
 * text.
 * @module
 */
import { type CountryCode, findPhoneNumbersInText } from 'libphonenumber-js/max';
import { before, phoneCountries, phoneCues } from './cues.js';
import type { RawEntity } from './pii-types.js';
import { isDigitCode, isWordCode } from './validators.js';

/** Memo of libphonenumber results per (country, leniency, candidate), owned by the caller. */
export type PhoneCache = Map<string, ReadonlyArray<readonly [number, number]>>;

const VERSION_BEFORE = /(?:\bv|\bversion|\bver\.?|\brelease)\s?$/i;
// ISBN-10 hyphenation (group-publisher-title-check); no numbering plan writes a lone leading digit so.
const ISBN_LIKE = /^(?:97[89]-)?\d{1,5}-\d{1,7}-\d{1,7}-[\dX]$/;
const DECIMAL = /^\d{1,4}\.\d{5,}$/;
/** `9.036.211`: thousands separated by dots (German, Spanish, Italian, Dutch, Portuguese notation). */
const DOTTED_THOUSANDS = /^\d{1,3}(?:\.\d{3}){2,}$/;
const DATE_LIKE = /^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})$/;
const DOTTED_QUAD = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const DIGITS_ONLY = /^\d+$/;
// North American shapes: (NXX) NXX-XXXX, NXX-NXX-XXXX, NXX.NXX.XXXX, optionally after 1- or +1.
const NANP_SHAPE = /^(?:\+?1[ -.]?)?(?:\([2-9]\d\d\) ?|[2-9]\d\d[-.])[2-9]\d\d[-. ]\d{4}$/;
// A national number as written in most countries: an area code (trunk 0 or parentheses optional), then
// groups; 8 to 13 digits in all.
const NATIONAL_SHAPE = /^(?:0?\d{1,4}|\(0?\d{1,4}\))[ \-./]?\d{2,8}(?:[ \-./]\d{1,8}){0,4}$/;
/** How North Americans group digits: 3-3-4, optionally after 1; or no separators at all. */
const NANP_GROUPS = /^(?:\+?1[ \-.]?)?(?:\(\d{3}\)|\d{3})[ \-.]?\d{3}[ \-.]?\d{4}$/;
/** Digits in at least two groups: how people write numbers they expect to be read back. */
const GROUPED = /\d[ \-./()]+\d/;
/** Countries tried per candidate: the default, then those the text points to. */
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
    DOTTED_THOUSANDS.test(cand) ||
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
  const intl = cand[0] === '+';
  // 1. Valid for the default country (international numbers carry their own). A valid international
  // number needs no words around it, so they are read only when something is left to decide.
  let found = bestMatch(cand, [defaultCountry], 'VALID', cache);
  if (intl && found.length > 0) {
    pushAll(out, cand, start, found, 0.9);
    return;
  }
  const cues = phoneCues(text, start, end);
  if (cues.kind === 'id') return;
  const bare = DIGITS_ONLY.test(cand);
  const worded = cues.kind === 'phone' || cues.kind === 'number';
  // A bare digit string is an id, an amount or a count unless the text talks about phoning.
  if (bare && !worded) return;
  const nanpShape = NANP_SHAPE.test(cand);
  let conf = worded ? 0.85 : 0.8;
  const whole = found.length === 1 && found[0]![0] === 0 && found[0]![1] === cand.length;
  if (!whole && !intl) {
    // 2. A national number the default country does not read whole: the countries the text points to.
    const countries = phoneCountries(text, start, end, cues.wordCountries);
    const placed = !worded && !bare && countries.length > 0 && GROUPED.test(cand);
    if (worded || placed) {
      const tries = countriesOf(countries, defaultCountry);
      const valid = bestMatch(cand, tries, 'VALID', cache);
      if (valid.length > 0) {
        found = valid;
        conf = 0.8;
      } else if (found.length === 0) {
        found = bestMatch(cand, tries, 'POSSIBLE', cache);
        conf = worded ? 0.7 : 0.6;
      }
    }
  }
  // 3. Possible length: international, or a North American shape in an unassigned area code.
  if (found.length === 0 && (intl || nanpShape)) {
    found = bestMatch(cand, [intl ? defaultCountry : 'US'], 'POSSIBLE', cache);
    conf = intl ? 0.8 : 0.6;
  }
  if (pushAll(out, cand, start, found, conf)) return;
  // 4. A national shape next to a phone word, in a numbering plan we could not place.
  const digits = cand.replace(/\D/g, '').length;
  if (worded && !bare && digits >= 8 && digits <= 13 && NATIONAL_SHAPE.test(cand))
    push(out, start, end, 0.65);
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
    // North American numbers are written 3-3-4: "204-92-12038" is a batch number that happens to parse,
    // and "31 5329-9335" a Brazilian number that also has ten digits.
    const found = lookup(cand, c, leniency, cache).filter(
      ([s, e]) => (c !== 'US' && c !== 'CA') || cand[s] === '+' || NANP_GROUPS.test(cand.slice(s, e)),
    );
    if (found.length === 1 && found[0]![0] === 0 && found[0]![1] === cand.length) return found;
    if (partial.length === 0) partial = found;
  }
  return partial;
}

/**
 * Reports the matches of a candidate, skipping pieces that are not numbers of their own. Returns whether
 * any was reported.
 */
function pushAll(
  out: RawEntity[],
  cand: string,
  start: number,
  found: ReadonlyArray<readonly [number, number]>,
  conf: number,
): boolean {
  let pushed = false;
  for (const [s, e] of found) {
    const piece = cand.slice(s, e);
    if (DATE_LIKE.test(piece) || ISBN_LIKE.test(piece)) continue;
    // libphonenumber may keep only the tail of a candidate ("10.5634/616361"): a number cut out of a
    // longer one is not reported.
    const prev = cand[s - 1];
    if (s > 0 && prev !== ' ' && prev !== '(' && prev !== '\u00a0') continue;
    if (piece.startsWith('+1') && !NANP_GROUPS.test(piece)) continue;
    // A short piece of a longer candidate ("96481" of "(11) 96481 0549") is no number of its own.
    if (e - s < cand.length && piece.replace(/\D/g, '').length < 7) continue;
    push(out, start + s, start + e, conf);
    pushed = true;
  }
  return pushed;
}

function push(out: RawEntity[], start: number, end: number, confidence: number): void {
  out.push({ type: 'phone', start, end, confidence });
}

/** The countries to try: the default, then those the text points to, at most {@link MAX_COUNTRIES}. */
function countriesOf(countries: readonly CountryCode[], defaultCountry: CountryCode): CountryCode[] {
  const list = [defaultCountry];
  for (const c of countries) if (list.length < MAX_COUNTRIES && c !== defaultCountry) list.push(c);
  return list;
}
