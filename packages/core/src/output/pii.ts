/**
 * `scanPii`: finds emails, phone numbers, payment cards, IBANs, US SSNs, IP addresses and secrets in text.
 * One cheap pre-pass over char codes (`candidates.ts`) finds the spans where an entity could start; the
 * validating scanners (hand-written loops or sticky, bounded regexes) run only there. A scan is linear in
 * the text length with no catastrophic backtracking, and benign prose costs one table lookup per
 * character; the fuzz tests hold it to that.
 * @module
 */
import type { CountryCode } from 'libphonenumber-js/max';
import { findCandidates, NO_CANDIDATES } from './candidates.js';
import { type PhoneCache, scanPhones } from './phones.js';
import type { PiiEntity, PiiType, RawEntity } from './pii-types.js';
import { scanCardsAndSsn, scanIban, scanIpv4, scanIpv6 } from './scan-numbers.js';
import { scanSecrets } from './secrets.js';

export type { PiiAction, PiiEntity, PiiType } from './pii-types.js';
export { PII_TYPES } from './pii-types.js';

/** Options of {@link scanPii}. */
export interface ScanPiiOptions {
  /** Entity types to look for. Default: all of {@link PII_TYPES}. */
  types?: readonly PiiType[];
  /** Country assumed for phone numbers written without `+<country code>`. Default `'US'`. */
  defaultCountry?: CountryCode;
  /** Entities below this confidence are dropped. Default `0.5`. */
  minConfidence?: number;
  /**
   * Memo of phone-candidate validations, owned by the caller (a response checker keeps one so its streams
   * do not re-validate the same held-back number on every chunk). Default: none.
   */
  phoneCache?: PhoneCache;
}

/** The result of {@link scanPii}: non-overlapping entities sorted by `start`. */
export interface PiiScanResult {
  entities: PiiEntity[];
}

/**
 * Finds PII and secrets in `text`. Works the same on model responses and on user input (to redact before
 * the prompt reaches the model).
 *
 * @example
 * ```ts
 * const { entities } = scanPii('mail jane@example.com or call +44 20 7946 0958');
 * // [{ type: 'email', start: 5, end: 21, confidence: 0.95 }, { type: 'phone', start: 30, end: 46, ... }]
 * ```
 */
export function scanPii(text: string, options: ScanPiiOptions = {}): PiiScanResult {
  const mask = options.types === undefined ? ALL_TYPES : piiTypeMask(options.types);
  return {
    entities: scanPiiMasked(
      text,
      mask,
      options.minConfidence ?? 0.5,
      options.defaultCountry ?? 'US',
      options.phoneCache,
    ),
  };
}

/**
 * {@link scanPii} with the options already resolved (`mask` from {@link piiTypeMask}), for callers that
 * scan many strings with the same settings (the response checker and its streams).
 */
export function scanPiiMasked(
  text: string,
  mask: number,
  minConfidence: number,
  country: CountryCode,
  phoneCache?: PhoneCache,
): PiiEntity[] {
  const cand = findCandidates(text);
  if (cand === NO_CANDIDATES) return [];
  const { numbers } = cand;
  const raw: RawEntity[] = [];
  // Same scanner order as a full scan, so overlap resolution sees entities in the same order.
  if (mask & TYPE_BIT.email && cand.ats.length > 0) scanEmails(text, cand.ats, raw);
  if (mask & (TYPE_BIT.card | TYPE_BIT.ssn)) {
    for (let r = 0; r < numbers.length; r += 4) {
      if (numbers[r + 2]! >= 9) scanCardsAndSsn(text, raw, numbers[r], numbers[r + 1]);
    }
  }
  if (mask & TYPE_BIT.iban && cand.ibans.length > 0) scanIban(text, raw, cand.ibans);
  if (mask & TYPE_BIT.ip) {
    for (let r = 0; r < numbers.length; r += 4) {
      if (numbers[r + 3]! >= 3) scanIpv4(text, raw, numbers[r], numbers[r + 1]);
    }
    const { v6 } = cand;
    for (let r = 0; r < v6.length; r += 2) scanIpv6(text, raw, v6[r], v6[r + 1]);
  }
  if (mask & TYPE_BIT.secret && (cand.tokens.length > 0 || cand.dashes)) {
    scanSecrets(text, raw, cand.tokens, cand.dashes);
  }
  if (mask & TYPE_BIT.phone) {
    for (let r = 0; r < numbers.length; r += 4) {
      if (numbers[r + 2]! >= 7) scanPhones(text, raw, country, phoneCache, numbers[r], numbers[r + 1]);
    }
  }
  if (raw.length === 0) return raw;
  const kept = raw.filter((e) => (mask & TYPE_BIT[e.type]) !== 0 && e.confidence >= minConfidence);
  return resolveOverlaps(kept);
}

const TYPE_BIT: Readonly<Record<PiiType, number>> = {
  email: 1,
  phone: 2,
  card: 4,
  iban: 8,
  ssn: 16,
  ip: 32,
  secret: 64,
};
const ALL_TYPES = 127;

/** The requested types as a bit set (no Set allocation per call). */
export function piiTypeMask(types: readonly PiiType[]): number {
  let m = 0;
  for (const t of types) m |= TYPE_BIT[t] ?? 0;
  return m;
}

/** Tie-break between overlapping entities of equal confidence: the more specific type wins. */
const TYPE_RANK: Record<PiiType, number> = { secret: 6, card: 5, iban: 4, ssn: 3, email: 2, ip: 1, phone: 0 };

function better(a: PiiEntity, b: PiiEntity): boolean {
  if (a.confidence !== b.confidence) return a.confidence > b.confidence;
  const la = a.end - a.start;
  const lb = b.end - b.start;
  if (la !== lb) return la > lb;
  return TYPE_RANK[a.type] > TYPE_RANK[b.type];
}

/**
 * Keeps one entity per overlapping cluster, preferring confidence, then length, then type. A sweep over
 * entities sorted by start: O(k log k), where a pairwise check would be quadratic on adversarial input.
 */
export function resolveOverlaps(entities: PiiEntity[]): PiiEntity[] {
  entities.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: PiiEntity[] = [];
  for (const e of entities) {
    const last = out[out.length - 1];
    if (last && e.start < last.end) {
      // A private-key block swallows whatever was found inside it.
      if (last.subtype === 'private-key') continue;
      if (better(e, last)) out[out.length - 1] = e;
      continue;
    }
    out.push(e);
  }
  return out;
}

function isLocalCode(c: number): boolean {
  // RFC 5322 dot-atom characters that appear in real addresses.
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 46 || // .
    c === 95 || // _
    c === 37 || // %
    c === 43 || // +
    c === 45 || // -
    c === 39 // '
  );
}

function isDomainCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46;
}

/**
 * Emails, anchored on each `@`: walk left over at most 64 local-part characters (RFC 5321 limit) and right
 * over at most 253 domain characters, so each `@` costs O(1).
 */
function scanEmails(text: string, ats: readonly number[], out: RawEntity[]): void {
  for (const at of ats) {
    let s = at;
    while (s > 0 && at - s <= 64 && isLocalCode(text.charCodeAt(s - 1))) s--;
    while (s < at && (text[s] === '.' || text[s] === "'")) s++; // local part cannot start with a dot
    let e = at + 1;
    while (e < text.length && e - at <= 253 && isDomainCode(text.charCodeAt(e))) e++;
    while (e > at + 1 && (text[e - 1] === '.' || text[e - 1] === '-')) e--;
    const tooLong = at - s > 64 || (s > 0 && isLocalCode(text.charCodeAt(s - 1)));
    if (!tooLong && s < at && domainOk(text.slice(at + 1, e)) && text[at - 1] !== '.') {
      out.push({ type: 'email', start: s, end: e, confidence: 0.95 });
    }
  }
}

/**
 * File extensions that are not top-level domains: `logo@2x.png`, `icon@3x.webp` are asset names (the
 * `@2x` retina convention), not addresses. Extensions that are also country domains (`.md`, `.py`, `.sh`)
 * are not listed.
 */
const FILE_EXTENSIONS = new Set([
  'png',
  'jpg',
  'jpeg',
  'gif',
  'webp',
  'svg',
  'ico',
  'bmp',
  'tif',
  'tiff',
  'avif',
  'heic',
  'js',
  'mjs',
  'cjs',
  'jsx',
  'tsx',
  'css',
  'scss',
  'less',
  'json',
  'xml',
  'txt',
  'pdf',
  'mp3',
  'mp4',
  'wav',
  'woff',
  'woff2',
  'ttf',
  'otf',
  'eot',
  'webm',
  'yaml',
  'yml',
  'html',
  'htm',
  'map',
  'lock',
  'log',
]);

function domainOk(domain: string): boolean {
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  const tld = labels[labels.length - 1]!;
  return (
    /^[A-Za-z]{2,24}$/.test(tld) &&
    !FILE_EXTENSIONS.has(tld.toLowerCase()) &&
    labels.every((l) => l.length > 0 && l.length <= 63 && l[0] !== '-' && l[l.length - 1] !== '-')
  );
}
