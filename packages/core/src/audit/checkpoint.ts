/**
 * Checkpoints: signed `{ seq, hash }` statements stored apart from the log. With Ed25519 (Web Crypto)
 * only the holder of the private key can write one, and anyone with the public key can check it; without a
 * signing key the audit HMAC key authenticates them instead.
 * @module
 */

import { canonicalJson, fromBase64Url, toBase64Url } from './canonical.js';
import type { ChainHasher } from './chain.js';
import type { AuditCheckpoint, ChainHead } from './types.js';

/** Ed25519 key material: a Web Crypto key or a JWK (`{ kty: 'OKP', crv: 'Ed25519', ... }`). */
export type Ed25519KeyInput = CryptoKey | JsonWebKey;

/** Imports an Ed25519 key for signing (`d` present) or verifying. */
export async function importEd25519Key(input: Ed25519KeyInput, use: 'sign' | 'verify'): Promise<CryptoKey> {
  if (typeof CryptoKey !== 'undefined' && input instanceof CryptoKey) return input;
  const jwk = input as JsonWebKey;
  const material =
    use === 'verify' && jwk.d ? { kty: jwk.kty, crv: jwk.crv, x: jwk.x } : ({ ...jwk } as JsonWebKey);
  return crypto.subtle.importKey('jwk', material, { name: 'Ed25519' }, true, [use]);
}

/**
 * Makes a checkpoint for `head`, signed with `signingKey` when given, else MACed with the chain key.
 * `type: 'head'` makes the head record (the same statement, rewritten in place after every write).
 */
export async function createCheckpoint(
  head: ChainHead,
  instance: string,
  hasher: ChainHasher,
  signingKey?: CryptoKey,
  type: AuditCheckpoint['type'] = 'checkpoint',
): Promise<AuditCheckpoint> {
  const base = {
    v: 1 as const,
    type,
    seq: head.seq,
    hash: head.hash,
    ts: new Date().toISOString(),
    instance,
  };
  if (signingKey) {
    const unsigned = { ...base, alg: 'Ed25519' as const };
    const sig = await crypto.subtle.sign(
      'Ed25519',
      signingKey,
      new TextEncoder().encode(canonicalJson(unsigned)),
    );
    return { ...unsigned, sig: toBase64Url(new Uint8Array(sig)) };
  }
  if (hasher.kid) {
    const unsigned = { ...base, alg: 'HS256' as const, kid: hasher.kid };
    return { ...unsigned, sig: await hasher.mac(canonicalJson(unsigned)) };
  }
  return { ...base, alg: 'none' };
}

/**
 * Checks a checkpoint's signature. Returns a reason when it does not hold, or undefined when it does.
 * `none` checkpoints are accepted only when the verifier has neither key (they prove nothing then).
 */
export async function checkCheckpoint(
  checkpoint: AuditCheckpoint,
  hasher: ChainHasher,
  publicKey?: CryptoKey,
): Promise<string | undefined> {
  const { sig, ...unsigned } = checkpoint;
  const bytes = new TextEncoder().encode(canonicalJson(unsigned));
  switch (checkpoint.alg) {
    case 'Ed25519': {
      if (!publicKey) return undefined; // Cannot check without the public key; reported as unverified.
      try {
        const ok = await crypto.subtle.verify('Ed25519', publicKey, fromBase64Url(sig ?? ''), bytes);
        return ok ? undefined : 'signature does not verify with the given public key';
      } catch {
        return 'signature is malformed';
      }
    }
    case 'HS256':
      if (!hasher.kid) return 'checkpoint is keyed but no audit key was given';
      if (checkpoint.kid !== hasher.kid) return 'checkpoint was made with a different audit key';
      return (await hasher.mac(canonicalJson(unsigned))) === sig ? undefined : 'MAC does not match';
    case 'none':
      return publicKey || hasher.kid ? 'checkpoint is unsigned but a key was given' : undefined;
    default:
      return `unknown checkpoint algorithm ${String((checkpoint as { alg?: unknown }).alg)}`;
  }
}
