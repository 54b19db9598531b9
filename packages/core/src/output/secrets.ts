/**
 * Secret scanners: provider API keys by their published prefixes, JWTs, PEM private keys, AWS secret keys
 * next to an AWS keyword, vendor-less keys right after a secret word, and generic high-entropy tokens.
 *
 * Vendor-less keys (AWS-style 40-character secrets, Azure account keys, random API keys) have no shape of
 * their own; what gives them away is where they stand: right after `Bearer`, `key:`, `export KEY=`,
 * `config.token = "`, `Passwort:` and the like (in the languages of `cues.ts`). There the whole token,
 * `/` and `+` included, counts when it looks random: upper and lower case, a digit or symbol, an entropy of
 * at least 3.5 bits per character, and not a readable identifier.
 *
 * High-entropy policy (why it looks the way it does): a token counts as a generic secret when it is
 * 24-256 characters of `[A-Za-z0-9_-]`, mixes upper case, lower case and at least two digits, and has a
 * Shannon entropy of at least 4 bits per character. That rules out words, identifiers and paths (split on
 * `/` and `.`), and it rules out hex-only strings (UUIDs, git SHAs, SHA-256 digests), which are
 * everywhere in normal output and rarely secret; hex strings of 32+ characters are reported only right
 * after a keyword such as `secret`, `token`, `api_key` or `password`. Blobs longer than 256 characters
 * (base64 images, embeddings) are left alone, and so are content ids (IPFS), SSH public keys, public
 * PEM blocks (keys, certificates) and document ids in URLs (a URL keeps its pieces only when it names a
 * hook, token, key or signature).
 * @module
 */
import { before } from './cues.js';
import type { RawEntity } from './pii-types.js';
import { shannonEntropy } from './validators.js';

/** Provider key shapes, each anchored (sticky) at a token start and bounded, so each try is O(1). */
const PROVIDERS: ReadonlyArray<readonly [subtype: string, re: RegExp]> = [
  ['anthropic', /sk-ant-[A-Za-z0-9]{2,8}\d{2}-[A-Za-z0-9_-]{32,200}/y],
  ['openai', /sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,250}/y],
  ['openai', /sk-[A-Za-z0-9]{20,100}/y],
  ['aws-access-key', /(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}/y],
  ['github', /(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,244})/y],
  ['slack', /xox[abposre]-[A-Za-z0-9-]{10,250}/y],
  ['stripe', /(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,247}/y],
  ['google', /AIza[0-9A-Za-z_-]{35}/y],
  ['huggingface', /hf_[A-Za-z]{30,40}/y],
  ['gitlab', /glpat-[A-Za-z0-9_-]{20,50}/y],
  ['npm', /npm_[A-Za-z0-9]{36}/y],
  ['sendgrid', /SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/y],
  ['pypi', /pypi-AgE[A-Za-z0-9_-]{50,300}/y],
  ['digitalocean', /do[opr]_v1_[a-f0-9]{64}/y],
  ['shopify', /shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}/y],
  ['square', /sq0(?:atp|csp)-[A-Za-z0-9_-]{22,43}/y],
  ['slack', /xapp-\d-[A-Z0-9]{9,12}-\d{10,16}-[a-f0-9]{32,80}/y],
  ['twilio', /SK[0-9a-fA-F]{32}/y],
  ['mailgun', /key-[0-9a-zA-Z]{32}/y],
];

/** First letters of the provider prefixes above. */
const PROVIDER_FIRST = 'sAgxrhnSpdk';

const JWT_AT = /eyJ[A-Za-z0-9_-]{4,2000}\.[A-Za-z0-9_-]{2,8000}\.[A-Za-z0-9_-]{0,1000}/y;
const AWS_SECRET = /^[A-Za-z0-9/+]{40}$/;
const AWS_CONTEXT = /aws|secret/i;
/**
 * A secret word right before a token, as written in prose, headers, shells, configs and code: `Bearer `,
 * `token: `, `export KEY=`, `config.token = "`, `"apiSecret": "`, `AccountKey=`, `Passwort: `.
 */
const SECRET_CONTEXT =
  /(?:key|token|secret|passw(?:or)?d|passwort|pwd|bearer|auth\w{0,8}|credential\w{0,2}|private|mot de passe|contrase(?:ñ|n)a|senha|wachtwoord|jeton|clave|chiave|chave|sleutel|schl(?:ü|ue)ssel|cl[ée]|トークン|キー|パスワード)["'`\]]?(?: (?:is|was|lautet|ist|est|es|è|é|é o|is now))?\s{0,3}[:=：]?\s{0,3}["'`]?$/i;
/** Subresource Integrity hashes (`"integrity": "sha512-…"` in lock files and script tags). */
const SRI_HASH = /^sha(?:1|256|384|512)-/;
/** IPFS CIDv0 (base58, 46 characters): a content address, public by design. */
const IPFS_CID = /^Qm[1-9A-HJ-NP-Za-km-z]{44}$/;
/** The key type written before an SSH public key blob. */
const SSH_KEY_TYPE = /(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp\d{3}|sk-ssh-ed25519@openssh\.com)\s$/;
/** Words in a URL that say its pieces are credentials (webhooks, signed links, tokens in paths). */
const URL_SECRET_WORDS = /(?:hook|token|key|secret|sig|auth|passw|credential)/i;
const URL_HEAD = /^(?:www\.)?[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\//;
/** Public PEM blocks looked at per text. */
const MAX_PUBLIC_BLOCKS = 16;
const PEM_BEGIN = /-----BEGIN ((?:[A-Z0-9]+ ){0,3})PRIVATE KEY( BLOCK)?-----/y;

/** Decodes a base64url JWT header and checks it is a JSON object naming an `alg`. */
function jwtHeaderOk(segment: string): boolean {
  try {
    const b64 = segment.replace(/-/g, '+').replace(/_/g, '/');
    const json: unknown = JSON.parse(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)));
    return typeof json === 'object' && json !== null && 'alg' in json;
  } catch {
    return false;
  }
}

/**
 * Secrets in `text`. `tokens` are the pre-pass runs of token characters at least 16 long (`[start, end]`
 * pairs); `dashes` says whether a PEM armor line is possible at all.
 */
export function scanSecrets(
  text: string,
  out: RawEntity[],
  tokens: readonly number[],
  dashes: boolean,
): void {
  const publicBlocks = dashes ? scanPem(text, out) : undefined;
  for (let t = 0; t < tokens.length; t += 2) {
    const i = tokens[t]!;
    const e = tokens[t + 1]!;
    if (publicBlocks && inRanges(publicBlocks, i)) continue;
    // Base64 padding belongs to the token; `=` elsewhere (key=value) separates tokens.
    let padEnd = e;
    while (padEnd < text.length && padEnd - e < 2 && text.charCodeAt(padEnd) === 61) padEnd++;
    scanToken(text, i, e, padEnd, out);
  }
}

function inRanges(ranges: readonly number[], p: number): boolean {
  for (let k = 0; k < ranges.length; k += 2) if (p >= ranges[k]! && p < ranges[k + 1]!) return true;
  return false;
}

function scanToken(text: string, start: number, end: number, padEnd: number, out: RawEntity[]): void {
  let tEnd = end;
  while (tEnd > start && text[tEnd - 1] === '.') tEnd--; // sentence full stop
  if (tEnd - start < 16) return;
  // Keys can sit inside URLs or paths: try the token start and each position after a '/'.
  if (matchKnown(text, start, tEnd, out)) return;
  for (let k = start; k < tEnd - 16; k++) {
    if (text[k] === '/' && matchKnown(text, k + 1, tEnd, out)) return;
  }
  const token = text.slice(start, padEnd);
  if (AWS_SECRET.test(token) && AWS_CONTEXT.test(text.slice(Math.max(0, start - 64), start))) {
    out.push({ type: 'secret', subtype: 'aws-secret-key', start, end: padEnd, confidence: 0.9 });
    return;
  }
  // Tokens over 256 characters are data (base64 images, embeddings), not credentials.
  if (padEnd - start > 256) return;
  const ctx = before(text, start, 48);
  const url =
    (text[start - 1] === ':' && token.startsWith('//')) || URL_HEAD.test(token) || text[start - 1] === '@';
  if (!url && SECRET_CONTEXT.test(ctx) && assignedSecret(text, start, tEnd === end ? padEnd : tEnd, out))
    return;
  if (IPFS_CID.test(token) || SRI_HASH.test(token) || SSH_KEY_TYPE.test(before(text, start, 40))) return;
  // Generic entropy check on pieces split at '/' and '.', so URLs, paths and domains stay out.
  let p = start;
  for (let k = start; k <= tEnd; k++) {
    if (k === tEnd || text[k] === '/' || text[k] === '.') {
      const pieceEnd = k === tEnd && padEnd > end ? padEnd : k;
      if (k - p >= 24) {
        // In a URL, a random-looking piece is a document or object id unless the rest of the URL names
        // a credential (a webhook, a token, a signature).
        const rest = url ? text.slice(start, p) + text.slice(pieceEnd, padEnd) : '';
        entropyPiece(text, p, k, pieceEnd, out, url && !URL_SECRET_WORDS.test(rest) ? 0.45 : 1);
      }
      p = k + 1;
    }
  }
}

/**
 * A token right after a secret word: reported whole (`/`, `+` and padding included) when it looks random.
 * Returns whether it was reported.
 */
function assignedSecret(text: string, s: number, e: number, out: RawEntity[]): boolean {
  const token = text.slice(s, e);
  if (token.length < 20 || token.includes('.')) return false;
  if (/^[0-9a-fA-F-]+$/.test(token)) {
    if (token.replace(/-/g, '').length < 32) return false;
    out.push({ type: 'secret', subtype: 'high-entropy', start: s, end: e, confidence: 0.8 });
    return true;
  }
  const { upper, lower, digit, symbol, vowels } = classes(token);
  if (upper === 0 || lower === 0 || digit + symbol === 0 || shannonEntropy(token) < 3.5) return false;
  // A readable identifier (`MyApplicationSettings2`) has the vowels of words and hardly any digits.
  if (digit <= 1 && vowels / (upper + lower) >= 0.3) return false;
  out.push({ type: 'secret', subtype: 'high-entropy', start: s, end: e, confidence: 0.85 });
  return true;
}

/** Character classes of a token: cases, digits, other symbols (padding `=` aside), and vowels. */
function classes(token: string) {
  let upper = 0;
  let lower = 0;
  let digit = 0;
  let symbol = 0;
  let vowels = 0;
  for (let k = 0; k < token.length; k++) {
    const c = token.charCodeAt(k);
    if (c >= 65 && c <= 90) upper++;
    else if (c >= 97 && c <= 122) lower++;
    else if (c >= 48 && c <= 57) digit++;
    else if (c !== 61) symbol++;
    // a e i o u, either case
    const l = c | 32;
    if (l === 97 || l === 101 || l === 105 || l === 111 || l === 117) vowels++;
  }
  return { upper, lower, digit, symbol, vowels };
}

function matchKnown(text: string, s: number, tEnd: number, out: RawEntity[]): boolean {
  const c = text[s];
  if (c === 'e') {
    JWT_AT.lastIndex = s;
    const m = JWT_AT.exec(text);
    if (m && s + m[0].length <= tEnd && jwtHeaderOk(m[0].slice(0, m[0].indexOf('.')))) {
      out.push({ type: 'secret', subtype: 'jwt', start: s, end: s + m[0].length, confidence: 0.95 });
      return true;
    }
    return false;
  }
  // Cheap first-letter gate: every provider prefix starts with one of these.
  if (!PROVIDER_FIRST.includes(c!)) return false;
  for (const [subtype, re] of PROVIDERS) {
    re.lastIndex = s;
    const m = re.exec(text);
    if (!m) continue;
    const mEnd = s + m[0].length;
    // Must end at the token end (or a '.'/'/' inside it), not in the middle of a longer word.
    if (mEnd < tEnd && text[mEnd] !== '.' && text[mEnd] !== '/') continue;
    out.push({ type: 'secret', subtype, start: s, end: mEnd, confidence: 0.95 });
    return true;
  }
  return false;
}

function entropyPiece(
  text: string,
  s: number,
  e: number,
  padEnd: number,
  out: RawEntity[],
  cap: number,
): void {
  const piece = text.slice(s, e);
  if (piece.length > 256) return;
  if (/^[0-9a-fA-F-]+$/.test(piece)) {
    const hexLen = piece.replace(/-/g, '').length;
    if (hexLen >= 32 && SECRET_CONTEXT.test(text.slice(Math.max(0, s - 40), s))) {
      out.push({ type: 'secret', subtype: 'high-entropy', start: s, end: e, confidence: 0.75 });
    }
    return;
  }
  if (/[+]/.test(piece)) return;
  const { upper, lower, digit } = classes(piece);
  if (upper < 2 || lower < 2 || digit < 2 || shannonEntropy(piece) < 4) return;
  const context = SECRET_CONTEXT.test(text.slice(Math.max(0, s - 40), s));
  out.push({
    type: 'secret',
    subtype: 'high-entropy',
    start: s,
    end: padEnd,
    confidence: Math.min(cap, context ? 0.85 : 0.65),
  });
}

/**
 * PEM blocks: private keys are reported (an unterminated one hides everything after its header, as the
 * stream may be cut mid-key); public keys and certificates are returned as `[start, end]` ranges whose
 * base64 lines must not be taken for secrets.
 */
function scanPem(text: string, out: RawEntity[]): number[] {
  const publicBlocks: number[] = [];
  let i = text.indexOf('-----BEGIN ');
  while (i !== -1) {
    PEM_BEGIN.lastIndex = i;
    const m = PEM_BEGIN.exec(text);
    if (!m) {
      // Another armored block (public key, certificate): its base64 lines are public. The number of such
      // blocks looked at is capped, so a text of many BEGIN lines stays linear.
      const lineEnd = text.indexOf('-----', i + 11);
      if (lineEnd === -1 || lineEnd - i > 64 || publicBlocks.length >= 2 * MAX_PUBLIC_BLOCKS) {
        i = text.indexOf('-----BEGIN ', i + 1);
        continue;
      }
      const footer = `-----END ${text.slice(i + 11, lineEnd)}-----`;
      const endAt = text.indexOf(footer, lineEnd + 5);
      const next = text.indexOf('-----BEGIN ', endAt === -1 ? lineEnd : endAt);
      // An unterminated block covers what follows up to the next BEGIN line (a private key after an
      // unterminated certificate is still reported).
      publicBlocks.push(i, endAt === -1 ? (next === -1 ? text.length : next) : endAt + footer.length);
      i = next;
      continue;
    }
    const footer = `-----END ${m[1] ?? ''}PRIVATE KEY${m[2] ?? ''}-----`;
    const endAt = text.indexOf(footer, i + m[0].length);
    const end = endAt === -1 ? text.length : endAt + footer.length;
    out.push({
      type: 'secret',
      subtype: 'private-key',
      start: i,
      end,
      confidence: endAt === -1 ? 0.9 : 0.99,
    });
    i = text.indexOf('-----BEGIN ', end);
  }
  return publicBlocks;
}
