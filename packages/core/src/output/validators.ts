/**
 * Checksums and structural validators behind `scanPii`. Each one is a pure function over a short,
 * already-bounded candidate, so the scanners stay linear in the size of the whole text.
 * @module
 */

/** Luhn (ISO/IEC 7812-1) check over a string of digits only. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Card networks by issuer identification number (IIN) prefix, with the lengths each network issues.
 * `strong` ranges are the big international networks: a Luhn-valid number there reads as a card on its
 * own. The others (national and regional schemes, Maestro's wide ranges, 13-digit Visa) overlap with
 * barcodes and account numbers, so they count only next to a card word (see `cues.ts`).
 */
const CARD_RANGES: ReadonlyArray<
  readonly [low: number, high: number, prefixLen: number, lengths: readonly number[], strong: boolean]
> = [
  [4, 4, 1, [16, 19], true], // Visa
  [4, 4, 1, [13], false], // Visa's old 13-digit numbers
  [51, 55, 2, [16], true], // Mastercard
  [2221, 2720, 4, [16], true], // Mastercard 2-series
  [34, 34, 2, [15], true], // American Express
  [37, 37, 2, [15], true],
  [6011, 6011, 4, [16, 17, 18, 19], true], // Discover
  [644, 649, 3, [16, 17, 18, 19], true],
  [65, 65, 2, [16, 17, 18, 19], true], // Discover, RuPay
  [3528, 3589, 4, [16, 17, 18, 19], true], // JCB
  [300, 305, 3, [14, 15, 16, 17, 18, 19], true], // Diners Club
  [36, 36, 2, [14, 15, 16, 17, 18, 19], true],
  [38, 39, 2, [14, 16, 17, 18, 19], true],
  [62, 62, 2, [16, 17, 18, 19], true], // UnionPay
  [2200, 2204, 4, [16, 17, 18, 19], true], // Mir
  [50, 50, 2, [12, 13, 14, 15, 16, 17, 18, 19], false], // Maestro, Elo, Verve, Dankort, RuPay 508
  [56, 69, 2, [12, 13, 14, 15, 16, 17, 18, 19], false], // Maestro, RuPay 60, Hipercard, Elo 636/650
  [81, 82, 2, [16, 17, 18, 19], false], // RuPay, UnionPay 81
  [9792, 9792, 4, [16], false], // Troy
  [1, 1, 1, [15], false], // UATP
];

/**
 * The card network class of `digits`: `strong` for a Luhn-valid number in a major network's range and
 * length, `weak` for one in a regional or wide range, `undefined` when it is not a card number.
 */
export function cardClass(digits: string): 'strong' | 'weak' | undefined {
  if (digits.length < 12 || digits.length > 19) return undefined;
  let cls: 'strong' | 'weak' | undefined;
  for (const [low, high, prefixLen, lengths, strong] of CARD_RANGES) {
    const prefix = Number(digits.slice(0, prefixLen));
    if (prefix >= low && prefix <= high && lengths.includes(digits.length)) {
      cls = strong ? 'strong' : 'weak';
      if (strong) break;
    }
  }
  // A run of one repeated digit passes Luhn for some lengths and is never a real card.
  return cls && !/^(\d)\1+$/.test(digits) && luhnValid(digits) ? cls : undefined;
}

/** True when `digits` has a known network prefix, a length that network issues, and a valid Luhn digit. */
export function cardValid(digits: string): boolean {
  return cardClass(digits) !== undefined;
}

/** IBAN length per country (SWIFT IBAN registry). */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MR: 27,
  MT: 31,
  MU: 30,
  NL: 18,
  NO: 15,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
};

/** ISO 13616 mod-97 check over an IBAN without spaces (upper case). */
export function ibanValid(iban: string): boolean {
  if (IBAN_LENGTHS[iban.slice(0, 2)] !== iban.length) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    // Letters count as two digits (A=10 ... Z=35); folding digit by digit keeps numbers small.
    if (c >= 48 && c <= 57) rem = (rem * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) rem = (rem * 100 + (c - 55)) % 97;
    else return false;
  }
  return rem === 1;
}

/** US SSN validity per SSA rules: area not 000, 666 or 9xx; group not 00; serial not 0000. */
export function ssnValid(area: string, group: string, serial: string): boolean {
  if (area === '000' || area === '666' || area[0] === '9') return false;
  if (group === '00' || serial === '0000') return false;
  // Numbers the SSA published as examples and that appear in advertising, never issued to a person.
  return !(area === '078' && group === '05' && serial === '1120') && !(area === '219' && group === '09');
}

/** Parses a dotted-quad IPv4 address; rejects leading zeros (often octal in tools, rarely a real IP). */
export function ipv4Valid(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  return parts.every((p) => /^(?:0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** Parses an IPv6 address (RFC 4291 text forms, incl. `::` and an embedded IPv4 tail). */
export function ipv6Valid(s: string): boolean {
  if (s.length < 2 || s.length > 45) return false;
  const zoneless = s;
  let tailGroups = 0;
  let body = zoneless;
  const lastColon = body.lastIndexOf(':');
  if (body.indexOf('.', lastColon) !== -1) {
    if (!ipv4Valid(body.slice(lastColon + 1))) return false;
    body = body.slice(0, lastColon + 1) + '0';
    tailGroups = 1; // the IPv4 tail takes two groups; the placeholder '0' counts one
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (h: string): string[] | null => {
    if (h === '') return [];
    const g = h.split(':');
    return g.every((x) => /^[0-9A-Fa-f]{1,4}$/.test(x)) ? g : null;
  };
  const left = groupsOf(halves[0]!);
  const right = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (!left || !right) return false;
  const count = left.length + right.length + tailGroups;
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** True for ASCII letters, digits and `_` (the JS `\w` class) by char code. */
export function isWordCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** True for ASCII digits by char code. */
export function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}
