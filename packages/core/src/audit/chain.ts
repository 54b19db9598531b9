/**
 * The hash chain: each entry's `hash` is SHA-256 over the canonical JSON of the entry (which includes the
 * previous entry's hash), or HMAC-SHA-256 with the audit key so that someone who can edit the file cannot
 * recompute the chain. Hashing is synchronous JavaScript (sha256.ts); no platform crypto needed.
 * @module
 */
import { canonicalJson, sha256Hex, toHex } from './canonical.js';
import { createHmacSha256, sha256, utf8Scratch } from './sha256.js';
import type { AuditEntry } from './types.js';

/** Computes entry hashes for one key (or none). */
export interface ChainHasher {
  /** Fingerprint of the key, written as `kid` in keyed entries; undefined when unkeyed. */
  readonly kid: string | undefined;
  /** The `hash` of an entry (its `hash` member, if present, is ignored). */
  hash(entry: Omit<AuditEntry, 'hash'> | AuditEntry): Promise<string>;
  /** HMAC (keyed) or SHA-256 (unkeyed) of arbitrary text, hex. */
  mac(text: string): Promise<string>;
  /**
   * The `hash` of an entry from its canonical JSON (without `hash`), synchronously: the audit writer
   * serializes each entry once and builds both the hash input and the written line from it.
   */
  hashCanonical(canonical: string): string;
}

/**
 * Fingerprint of an audit key: 16 hex characters of SHA-256 over a domain-separated copy. It identifies
 * which key sealed a chain (so a wrong key is reported as such) and reveals nothing usable about it.
 */
export async function keyFingerprint(key: string): Promise<string> {
  return (await sha256Hex(`ai-shield-audit-kid:${key}`)).slice(0, 16);
}

/**
 * Creates the hasher for a chain. Key material is imported once; the returned object holds no secret
 * in enumerable properties.
 * @example
 * const hasher = await createChainHasher(env.AI_SHIELD_AUDIT_HMAC_KEY);
 */
export async function createChainHasher(hmacKey?: string): Promise<ChainHasher> {
  const encoder = new TextEncoder();
  const hex = (text: string) => toHex(sha256(utf8Scratch(text)));
  if (!hmacKey) {
    return {
      kid: undefined,
      hashCanonical: hex,
      mac: async (text) => hex(text),
      hash: async (entry) => {
        const { hash: _hash, ...rest } = entry as AuditEntry;
        return hex(canonicalJson(rest));
      },
    };
  }
  const hmac = createHmacSha256(encoder.encode(hmacKey));
  const kid = await keyFingerprint(hmacKey);
  const macSync = (text: string) => toHex(hmac(utf8Scratch(text)));
  const mac = async (text: string) => macSync(text);
  return {
    kid,
    mac,
    hashCanonical: macSync,
    hash: (entry) => {
      const { hash: _hash, ...rest } = entry as AuditEntry;
      return mac(canonicalJson(rest));
    },
  };
}
