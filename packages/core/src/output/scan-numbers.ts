/**
 * Scanners for the number-shaped entities: payment cards, US SSNs, IBANs and IPv4/IPv6 (phone numbers
 * are in `phones.ts`). Each walks the text once and hands only short, bounded candidates to a validator,
 * so total work is linear in the text length whatever its content.
 * @module
 */
import { before, cardWordBefore, dottedQuadCue, idBeforeCard } from './cues.js';
import type { RawEntity } from './pii-types.js';
import {
  cardClass,
  IBAN_LENGTHS,
  ibanValid,
  ipv4Valid,
  ipv6Valid,
  isDigitCode,
  isWordCode,
  ssnValid,
} from './validators.js';

const SSN_CONTEXT = /(?:ssn|social security|seguro social|ss#|soc\.? sec)/i;
// The digits right after an IBAN's country code and check digits belong to the account number.
const IBAN_HEAD = /[A-Z]{2}\d{2}(?: [A-Z0-9]{4})? $/;

/** A run of digit groups joined by one uniform separator (` ` or `-`), e.g. `4111 1111 1111 1111`. */
interface DigitRun {
  groups: Array<[start: number, end: number]>;
  sep: string;
}

function readDigitRun(text: string, i: number): DigitRun {
  const groups: Array<[number, number]> = [];
  let sep = '';
  let pos = i;
  for (;;) {
    const start = pos;
    while (pos < text.length && isDigitCode(text.charCodeAt(pos))) pos++;
    groups.push([start, pos]);
    const next = text[pos];
    if (
      (next === ' ' || next === '-') &&
      (sep === '' || sep === next) &&
      isDigitCode(text.charCodeAt(pos + 1))
    ) {
      sep = next;
      pos++;
      continue;
    }
    return { groups, sep };
  }
}

/**
 * Cards (Luhn + IIN) and SSNs (SSA ranges), both found on digit runs starting in `[from, to)` (a number
 * region from the pre-pass; the runs never extend past it).
 */
export function scanCardsAndSsn(text: string, out: RawEntity[], from = 0, to = text.length): void {
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    const p1 = text.charCodeAt(i - 1);
    // Skip digits inside words and decimal tails ("3.14159...", "1,234,567").
    const inside = isWordCode(p1) || ((p1 === 46 || p1 === 44) && isDigitCode(text.charCodeAt(i - 2)));
    if (!isDigitCode(c) || (i > 0 && inside)) {
      i++;
      continue;
    }
    const run = readDigitRun(text, i);
    const last = run.groups[run.groups.length - 1]![1];
    const tail = text.slice(last, last + 2);
    // A trailing letter or decimal part means this is not a standalone number (e.g. a hash or 1234.56).
    const cleanEnd = !isWordCode(text.charCodeAt(last)) && !/^[.,]\d/.test(tail);
    if (cleanEnd) scanRun(text, run, out);
    i = last + 1;
  }
}

/** The digits of groups `a..b` of a run, separators dropped. */
function digitsOf(text: string, groups: DigitRun['groups'], a: number, b: number): string {
  let d = '';
  for (let k = a; k <= b; k++) d += text.slice(groups[k]![0], groups[k]![1]);
  return d;
}

function scanRun(text: string, run: DigitRun, out: RawEntity[]): void {
  const { groups, sep } = run;
  const start = groups[0]![0];
  // Most runs are short numbers in prose ("18%", "2024"): skip them before building any context string.
  let digitCount = 0;
  for (const [s, e] of groups) digitCount += e - s;
  if (digitCount < 9) return;
  const ctx = before(text, start, 24);
  // SSN: exactly 3-2-4 as the whole run, or 9 bare digits after an SSN keyword.
  if (groups.length === 3) {
    const [a, b, c] = [0, 1, 2].map((k) => text.slice(groups[k]![0], groups[k]![1]));
    if (a!.length === 3 && b!.length === 2 && c!.length === 4 && ssnValid(a!, b!, c!)) {
      const conf = SSN_CONTEXT.test(ctx) ? 0.95 : sep === '-' ? 0.85 : 0.6;
      out.push({ type: 'ssn', start, end: groups[2]![1], confidence: conf });
      return;
    }
  }
  if (groups.length === 1 && groups[0]![1] - start === 9 && SSN_CONTEXT.test(ctx)) {
    const d = text.slice(start, start + 9);
    if (ssnValid(d.slice(0, 3), d.slice(3, 5), d.slice(5))) {
      out.push({ type: 'ssn', start, end: start + 9, confidence: 0.85 });
      return;
    }
  }
  // Cards: the longest run of whole groups with 12-19 digits that validates; groups of 3-6 digits when
  // separated (4-4-4-4, Amex 4-6-5, Diners 4-6-4), the last one may be shorter (13-digit Visa as
  // 4-4-4-1, 19 digits as 4-4-4-4-3); any single group otherwise.
  if (IBAN_HEAD.test(before(text, start, 10))) return;
  // A grouped number is read as one sequence: a card window starts at its first group ("9400 6486 3808
  // 1358 5935 45" is a tracking number that holds a Luhn-valid run), and one that stops before its last
  // group ("3555-2178-9032-1162-562") is a longer number whose prefix happens to validate.
  let total = 0;
  let best = -1;
  let bestClass: 'strong' | 'weak' | undefined;
  for (let h = 0; h < groups.length && h < 19; h++) {
    const len = groups[h]![1] - groups[h]![0];
    if (groups.length > 1 && (len > 6 || (len < 3 && h === 0))) break;
    total += len;
    if (total > 19) break;
    if (total >= 12) {
      const cls = cardClass(digitsOf(text, groups, 0, h));
      if (cls) {
        best = h;
        bestClass = cls;
      }
    }
    if (len < 3) break;
  }
  if (best < 0) return;
  // Digits left after the card: an expiry written on ("4111 1111 1111 1111 04/27") is not a longer number.
  let rest = 0;
  for (let h = best + 1; h < groups.length; h++) rest += groups[h]![1] - groups[h]![0];
  const whole = rest < 3 || (best === groups.length - 2 && text[groups[best + 1]![1]] === '/');
  // Printed in fours (4242 4242 4242 4242) is how cards are written; a bare regional-range number needs a
  // card word.
  const inFours = best >= 2 && groups[0]![1] - groups[0]![0] === 4;
  // The words are read only for numbers that validate: most digit runs are not cards.
  const idContext = idBeforeCard(text, start);
  const cardWord = bestClass === 'weak' && cardWordBefore(text, start);
  const conf = idContext || !whole ? 0.4 : bestClass === 'strong' || cardWord ? 0.95 : inFours ? 0.85 : 0.45;
  out.push({ type: 'card', start: groups[0]![0], end: groups[best]![1], confidence: conf });
}

/**
 * IBANs: country code + check digits, the registry length for that country, print groups of four.
 * `anchors` are the pre-pass positions of two upper-case letters followed by a digit.
 */
export function scanIban(text: string, out: RawEntity[], anchors: readonly number[]): void {
  let next = 0;
  for (const i of anchors) {
    if (i < next || i + 15 > text.length) continue;
    const end = ibanAt(text, i);
    if (end >= 0) {
      out.push({ type: 'iban', start: i, end, confidence: 0.95 });
      next = end + 1;
    }
  }
}

/** The end of an IBAN starting at `i`, or -1. */
function ibanAt(text: string, i: number): number {
  const c0 = text.charCodeAt(i);
  if (c0 < 65 || c0 > 90 || (i > 0 && isWordCode(text.charCodeAt(i - 1)))) return -1;
  const len = IBAN_LENGTHS[text.slice(i, i + 2)];
  if (!len || !isDigitCode(text.charCodeAt(i + 2)) || !isDigitCode(text.charCodeAt(i + 3))) return -1;
  let compact = '';
  let pos = i;
  while (pos < text.length && compact.length < len) {
    const ch = text[pos]!;
    const code = ch.charCodeAt(0);
    if ((code >= 65 && code <= 90) || isDigitCode(code)) {
      compact += ch;
      pos++;
    } else if (ch === ' ' && compact.length % 4 === 0 && compact.length > 0) {
      pos++;
    } else break;
  }
  return compact.length === len && !isWordCode(text.charCodeAt(pos)) && ibanValid(compact) ? pos : -1;
}

const IPV4_AT = /(?:\d{1,3}\.){3}\d{1,3}/y;

/**
 * IPv4 dotted quads (not inside longer dotted numbers) starting in `[from, to)`. Words decide the
 * ambiguous ones: after "version", "section", "rule", "ratio" ... a quad is not an address; after
 * "server", "IP", "from", "ping" ... it is; and a quad of single digits with neither ("8.5.4.8") reads as a
 * version or a ratio, not an address.
 */
export function scanIpv4(text: string, out: RawEntity[], from = 0, to = text.length): void {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (!isDigitCode(c) || (i > 0 && (isWordCode(text.charCodeAt(i - 1)) || text[i - 1] === '.'))) continue;
    IPV4_AT.lastIndex = i;
    const m = IPV4_AT.exec(text);
    if (!m) continue;
    const end = i + m[0].length;
    const after = text.slice(end, end + 2);
    if (isWordCode(text.charCodeAt(end)) || /^\.\d/.test(after) || !ipv4Valid(m[0])) continue;
    const cue = dottedQuadCue(text, i, end);
    // A port or a CIDR suffix only follows addresses.
    const suffix = /^[:/]\d/.test(after);
    const singleDigits = m[0].length === 7;
    const confidence =
      cue === 'not-address' && !suffix ? 0.3 : cue === 'address' || suffix ? 0.9 : singleDigits ? 0.4 : 0.8;
    out.push({ type: 'ip', subtype: 'ipv4', start: i, end, confidence });
    i = end;
  }
}

function isHexCode(c: number): boolean {
  return isDigitCode(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** IPv6 addresses around the colons in `[from, to)` (a hex/colon run from the pre-pass). */
export function scanIpv6(text: string, out: RawEntity[], from = 0, to = text.length): void {
  let i = text.indexOf(':', from);
  while (i !== -1 && i < to) {
    // Walk back to the start of the hex/colon run containing this colon, then forward to its end.
    let s = i;
    while (s > 0 && (isHexCode(text.charCodeAt(s - 1)) || text[s - 1] === ':') && i - s < 45) s--;
    let e = i;
    while (
      e < text.length &&
      (isHexCode(text.charCodeAt(e)) || text[e] === ':' || text[e] === '.') &&
      e - s < 46
    )
      e++;
    while (e > s && (text[e - 1] === '.' || (text[e - 1] === ':' && text[e - 2] !== ':'))) e--;
    let cand = text.slice(s, e);
    const colons = cand.split(':').length - 1;
    const boundary = !(s > 0 && isWordCode(text.charCodeAt(s - 1))) && !isWordCode(text.charCodeAt(e));
    // "Listening on fe80:…:72dc:8080": a port written after an unbracketed address.
    const port = /:\d{1,5}$/.exec(cand);
    if (port && colons === 8 && !ipv6Valid(cand)) {
      cand = cand.slice(0, port.index);
      e = s + cand.length;
    }
    if (boundary && colons >= 2 && /[0-9a-fA-F]/.test(cand) && ipv6Valid(cand)) {
      out.push({
        type: 'ip',
        subtype: 'ipv6',
        start: s,
        end: e,
        confidence: cand.includes('::') ? 0.8 : 0.9,
      });
    }
    i = text.indexOf(':', Math.max(e, i + 1));
  }
}
