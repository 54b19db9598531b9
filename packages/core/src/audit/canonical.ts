/**
 * Canonical JSON for hashing: object keys sorted by UTF-16 code units, no whitespace, `undefined`
 * members dropped (RFC 8785's ordering; numbers use ECMAScript's shortest round-trip form, as JCS does).
 * Two encoders that agree on this produce byte-identical input to SHA-256, so a parsed and re-serialized
 * entry hashes the same as the one that was written.
 * @module
 */

/**
 * Encodes `value` canonically.
 * @example
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      // Infinity/NaN would silently become null; entries never carry them, refuse loudly.
      if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item = value[i];
          if (i > 0) out += ',';
          out += item === undefined ? 'null' : canonicalJson(item);
        }
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const item = record[key];
        if (item === undefined || typeof item === 'function') continue;
        if (!first) out += ',';
        out += quote(key);
        out += ':';
        out += canonicalJson(item);
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot encode ${typeof value}`);
  }
}

/** Characters JSON.stringify escapes: quote, backslash, controls and (well-formed JSON) lone surrogates. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * `JSON.stringify` for a string, skipping its escaping pass for the common case (issue 15: the audit
 * writer's serialization is on every entry). Output is identical.
 */
function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

const HEX: string[] = [];
function hexTable(): string[] {
  if (HEX.length === 0) for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));
  return HEX;
}

/** Lower-case hex of a byte buffer. */
export function toHex(buffer: ArrayBuffer | Uint8Array): string {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  const table = hexTable();
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += table[bytes[i]!];
  return out;
}

/** SHA-256 of a UTF-8 string, as lower-case hex (Web Crypto). */
export async function sha256Hex(text: string): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

/** Base64url without padding (RFC 4648 §5). */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Inverse of `toBase64Url`; throws on invalid input. */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
