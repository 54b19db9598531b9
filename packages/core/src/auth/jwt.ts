/**
 * JWT verification and issuing with jose (Web Crypto only). Seed 002's `verify_token` / `generate_token`,
 * hardened: every key is pinned to one algorithm, so `alg: none` and HS/RS confusion (an HS256 token
 * "signed" with the RSA public key) cannot match; JWKS are fetched lazily, cached, and refetched on an
 * unknown `kid` at most once per cooldown.
 * @module
 */
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  importJWK,
  importPKCS8,
  importSPKI,
  importX509,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
  SignJWT,
} from 'jose';
import { toHex } from '../audit/canonical.js';
import { sha256 } from '../audit/sha256.js';
import { optionsFromEnv } from '../config/env.js';
import { AiShieldConfigError, type AiShieldErrorCode } from '../errors.js';
import { type StoreGuards, withTimeout } from '../rate/store-guard.js';
import { createMemoryNonceStore, type NonceStore } from './nonce-store.js';
import { JWT_ALGORITHMS, type JwtAlgorithm, type JwtKeyOptions, type JwtOptions } from './options.js';

type KeyMaterial =
  | { type: 'secret'; value: string }
  | { type: 'pem'; value: string }
  | { type: 'jwk'; value: JWK };

/** A verification key after the factory-time checks: one algorithm, material not imported yet. */
export interface KeySpec {
  kid?: string;
  alg: JwtAlgorithm;
  material: KeyMaterial;
  /** Identifies the material for the per-shield import cache. */
  cacheKey: string;
}

type ImportedKey = CryptoKey | Uint8Array;

/** What compiled verifiers of one shield share: imported keys, JWKS caches, the default replay store. */
export interface JwtShared {
  importKey(spec: KeySpec): Promise<ImportedKey>;
  jwks(options: JwtOptions): JWTVerifyGetKey;
  /** The in-memory nonce store: the default replay store, and the insurance behind a remote one. */
  nonceStore(): NonceStore;
  /** How remote stores are called: the shield's guards, timeout and `rate.onStoreError`. */
  readonly stores: JwtStoreSettings;
}

export interface JwtStoreSettings {
  /** The replay store shared by a fleet (`stores.nonce`), used when `replay.store` is not given. */
  nonce?: NonceStore;
  guards?: StoreGuards;
  storeTimeoutMs?: number;
  onStoreError?: 'insurance' | 'open' | 'closed';
}

export type JwtFailure = {
  ok: false;
  code: Extract<
    AiShieldErrorCode,
    'ERR_ACCESS_TOKEN_INVALID' | 'ERR_ACCESS_TOKEN_EXPIRED' | 'ERR_ACCESS_TOKEN_REPLAYED'
  >;
  /** Finding kind, e.g. `access.token_expired`. */
  kind: string;
  /** Client-safe description (RFC 6750 `error_description`). */
  description: string;
  /**
   * The token's subject, when its signature verified but a claim check failed (expired, wrong issuer or
   * audience, replayed): a genuine token, so failed attempts can be counted against that identity.
   */
  subject?: string;
};

export type JwtResult =
  | {
      ok: true;
      subject: string;
      roles: string[];
      scopes: string[];
      kid?: string;
      payload: JWTPayload;
      /** Set when the replay store failed and the id was claimed in memory instead (insurance). */
      storeFailure?: string;
    }
  | JwtFailure;

export interface JwtVerifier {
  verify(token: string): Promise<JwtResult>;
}

const MIN_SECRET_BYTES: Partial<Record<JwtAlgorithm, number>> = { HS256: 32, HS384: 48, HS512: 64 };
const encoder = new TextEncoder();

const isHmac = (alg: string) => alg.startsWith('HS');

function parseJwk(input: Record<string, unknown> | string, where: string, issues: string[]): JWK | undefined {
  if (typeof input !== 'string') return input as JWK;
  try {
    const parsed = JSON.parse(input);
    if (typeof parsed === 'object' && parsed !== null) return parsed as JWK;
  } catch {
    // reported below
  }
  issues.push(`${where}: expected a JWK object or its JSON text`);
  return undefined;
}

function checkKey(
  input: JwtKeyOptions,
  fallbackAlg: JwtAlgorithm | undefined,
  where: string,
  issues: string[],
) {
  const sources = [input.secret, input.publicKey, input.jwk].filter((value) => value !== undefined).length;
  if (sources !== 1) {
    issues.push(
      `${where}: set exactly one of secret, publicKey, jwk (one key per entry; use keys: [...] for more)`,
    );
    return undefined;
  }
  const alg = input.alg ?? fallbackAlg;
  const spec = (alg: JwtAlgorithm, material: KeyMaterial): KeySpec => ({
    ...(input.kid ? { kid: input.kid } : {}),
    alg,
    material,
    cacheKey: `${alg}\u0000${material.type}\u0000${toHex(sha256(encoder.encode(typeof material.value === 'string' ? material.value : JSON.stringify(material.value))))}`,
  });
  if (input.secret !== undefined) {
    const secretAlg = alg ?? 'HS256';
    if (!isHmac(secretAlg)) {
      issues.push(
        `${where}.secret: a shared secret verifies HS256/384/512 only, not ${secretAlg}; use publicKey or jwk`,
      );
      return undefined;
    }
    const bytes = encoder.encode(input.secret).length;
    const min = MIN_SECRET_BYTES[secretAlg] ?? 32;
    if (bytes < min) {
      // RFC 7518 §3.2: the HMAC key must be at least as long as the hash output.
      issues.push(
        `${where}.secret: ${secretAlg} needs a secret of at least ${min} bytes (got ${bytes}); generate one with crypto.getRandomValues`,
      );
      return undefined;
    }
    return spec(secretAlg, { type: 'secret', value: input.secret });
  }
  if (input.publicKey !== undefined) {
    const pem = input.publicKey.trim();
    if (/PRIVATE KEY/.test(pem)) {
      issues.push(
        `${where}.publicKey: this is a private key; pass the public key (BEGIN PUBLIC KEY) instead`,
      );
      return undefined;
    }
    if (!/^-----BEGIN (PUBLIC KEY|CERTIFICATE)-----/.test(pem)) {
      issues.push(
        `${where}.publicKey: expected a PEM public key (BEGIN PUBLIC KEY) or certificate (BEGIN CERTIFICATE)`,
      );
      return undefined;
    }
    if (!alg || isHmac(alg)) {
      issues.push(
        `${where}.publicKey: set the key's algorithm (algorithm / alg / AI_SHIELD_JWT_ALGORITHM) to one of RS256, PS256, ES256, EdDSA, ...${alg ? `; ${alg} with a public key is the HS/RS confusion attack` : ''}`,
      );
      return undefined;
    }
    return spec(alg, { type: 'pem', value: pem });
  }
  const jwk = parseJwk(input.jwk!, `${where}.jwk`, issues);
  if (!jwk) return undefined;
  if (typeof jwk.kty !== 'string') {
    issues.push(`${where}.jwk: missing "kty"`);
    return undefined;
  }
  if (jwk.kty !== 'oct' && jwk.d !== undefined) {
    issues.push(`${where}.jwk: this JWK holds a private key; pass the public JWK (without "d")`);
    return undefined;
  }
  const jwkAlg = (input.alg ?? jwk.alg ?? fallbackAlg) as JwtAlgorithm | undefined;
  if (!jwkAlg || !(JWT_ALGORITHMS as readonly string[]).includes(jwkAlg)) {
    issues.push(`${where}.jwk: set the algorithm (the JWK's "alg" or alg/algorithm)`);
    return undefined;
  }
  if (jwk.alg && jwk.alg !== jwkAlg) {
    issues.push(`${where}.jwk: its "alg" (${jwk.alg}) differs from the configured ${jwkAlg}`);
    return undefined;
  }
  if (isHmac(jwkAlg) !== (jwk.kty === 'oct')) {
    issues.push(`${where}.jwk: kty ${jwk.kty} cannot verify ${jwkAlg}`);
    return undefined;
  }
  const kid = input.kid ?? jwk.kid;
  return { ...spec(jwkAlg, { type: 'jwk', value: jwk }), ...(kid ? { kid } : {}) };
}

/** True when the options name at least one key source (otherwise JWT verification is off). */
export function hasJwtKeys(options: JwtOptions | undefined): options is JwtOptions {
  return Boolean(
    options &&
      (options.secret !== undefined ||
        options.publicKey !== undefined ||
        options.jwk !== undefined ||
        options.keys.length > 0 ||
        options.jwksUrl !== undefined),
  );
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Factory-time checks of the key options; returns the keys, pushes every problem to `issues`. */
export function checkJwtOptions(options: JwtOptions, issues: string[], prefix = 'access.jwt'): KeySpec[] {
  const specs: KeySpec[] = [];
  const top = [options.secret, options.publicKey, options.jwk].filter((value) => value !== undefined).length;
  if (top > 1) {
    issues.push(
      `${prefix}: secret, publicKey and jwk each need their own algorithm; list them in keys: [...] instead`,
    );
  } else if (top === 1) {
    const spec = checkKey(
      {
        ...(options.secret !== undefined ? { secret: options.secret } : {}),
        ...(options.publicKey !== undefined ? { publicKey: options.publicKey } : {}),
        ...(options.jwk !== undefined ? { jwk: options.jwk } : {}),
      },
      options.algorithm,
      prefix,
      issues,
    );
    if (spec) specs.push(spec);
  }
  options.keys.forEach((key, index) => {
    const spec = checkKey(key, undefined, `${prefix}.keys[${index}]`, issues);
    if (spec) specs.push(spec);
  });
  if (options.jwksUrl !== undefined) {
    const url = new URL(options.jwksUrl);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
      issues.push(`${prefix}.jwksUrl: use https (plain http is accepted for loopback hosts only)`);
    }
  }
  if (options.maxAgeSec !== undefined && options.maxAgeSec < 1) {
    issues.push(`${prefix}.maxAgeSec: expected at least 1 second`);
  }
  return specs;
}

async function importKeyMaterial(spec: KeySpec): Promise<ImportedKey> {
  const { material, alg } = spec;
  if (material.type === 'secret') return encoder.encode(material.value);
  if (material.type === 'jwk') return importJWK(material.value, alg) as Promise<ImportedKey>;
  return material.value.startsWith('-----BEGIN CERTIFICATE-----')
    ? importX509(material.value, alg)
    : importSPKI(material.value, alg);
}

/** The per-shield caches behind every compiled verifier. Nothing is fetched or imported until used. */
export function createJwtShared(stores: JwtStoreSettings = {}): JwtShared {
  const imported = new Map<string, Promise<ImportedKey>>();
  const remote = new Map<string, JWTVerifyGetKey>();
  let nonces: NonceStore | undefined;
  return {
    importKey(spec) {
      let key = imported.get(spec.cacheKey);
      if (!key) {
        key = importKeyMaterial(spec);
        // A failed import is retried next time rather than cached.
        key.catch(() => imported.delete(spec.cacheKey));
        imported.set(spec.cacheKey, key);
      }
      return key;
    },
    jwks(options) {
      const url = options.jwksUrl!;
      const cacheKey = `${url} ${options.jwksCacheMaxAgeSec} ${options.jwksCooldownSec} ${options.jwksTimeoutMs}`;
      let set = remote.get(cacheKey);
      if (!set) {
        set = createRemoteJWKSet(new URL(url), {
          cacheMaxAge: options.jwksCacheMaxAgeSec * 1000,
          cooldownDuration: options.jwksCooldownSec * 1000,
          timeoutDuration: options.jwksTimeoutMs,
        });
        remote.set(cacheKey, set);
      }
      return set;
    },
    nonceStore() {
      // Created on first use: no state at module scope (STYLE.md §2.6).
      nonces ??= createMemoryNonceStore();
      return nonces;
    },
    stores,
  };
}

function fail(code: JwtFailure['code'], kind: string, description: string): JwtFailure {
  return { ok: false, code, kind: `access.${kind}`, description };
}

const INVALID = 'The access token is invalid';

/**
 * Maps jose's stable error codes to ours; infrastructure faults (JWKS down) are rethrown. Claim errors
 * come after the signature check, so their payload is genuine: its subject is kept.
 */
function mapJoseError(error: unknown, subjectClaim: string): JwtFailure {
  const mapped = mapJoseCode(error);
  const payload = (error as { payload?: JWTPayload }).payload;
  const code = (error as { code?: string }).code;
  if (payload && (code === 'ERR_JWT_EXPIRED' || code === 'ERR_JWT_CLAIM_VALIDATION_FAILED')) {
    const subject = claimAt(payload, subjectClaim);
    if (typeof subject === 'string' && subject.length > 0 && subject.length <= 256) mapped.subject = subject;
  }
  return mapped;
}

function mapJoseCode(error: unknown): JwtFailure {
  const code = (error as { code?: string }).code;
  const claim = (error as { claim?: string }).claim;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return fail(
        'ERR_ACCESS_TOKEN_EXPIRED',
        claim === 'iat' ? 'token_too_old' : 'token_expired',
        claim === 'iat' ? 'The session has timed out' : 'The access token expired',
      );
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const kinds: Record<string, [string, string]> = {
        nbf: ['token_not_yet_valid', 'The access token is not valid yet'],
        iss: ['token_issuer', 'The access token has the wrong issuer'],
        aud: ['token_audience', 'The access token is not meant for this service'],
        exp: ['token_no_expiry', 'The access token has no expiry'],
        iat: ['token_issued_at', 'The access token has an invalid issue time'],
      };
      const [kind, description] = kinds[claim ?? ''] ?? ['token_claims', INVALID];
      return fail('ERR_ACCESS_TOKEN_INVALID', kind, description);
    }
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return fail('ERR_ACCESS_TOKEN_INVALID', 'token_signature', INVALID);
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return fail('ERR_ACCESS_TOKEN_INVALID', 'token_algorithm', INVALID);
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return fail('ERR_ACCESS_TOKEN_INVALID', 'token_unknown_key', INVALID);
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return fail('ERR_ACCESS_TOKEN_INVALID', 'token_malformed', INVALID);
    default:
      throw error;
  }
}

function claimAt(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  let node: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function stringList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  return undefined;
}

/**
 * Compiles a verifier for one policy's `access.jwt` options (already checked by `checkJwtOptions`).
 * `verify` resolves with a failure for every token problem and throws only for infrastructure faults
 * (JWKS unreachable, replay store down), which the access stage's `onError` policy handles.
 */
export function createJwtVerifier(options: JwtOptions, specs: KeySpec[], shared: JwtShared): JwtVerifier {
  const allowed = new Set<string>([
    ...specs.map((spec) => spec.alg),
    ...(options.jwksUrl ? options.jwksAlgorithms : []),
  ]);
  const base: JWTVerifyOptions = {
    clockTolerance: options.clockToleranceSec,
    ...(options.issuer ? { issuer: options.issuer } : {}),
    ...(options.audience ? { audience: options.audience } : {}),
    ...(options.maxAgeSec !== undefined ? { maxTokenAge: options.maxAgeSec } : {}),
    requiredClaims: [
      ...(options.requireExpiry ? ['exp'] : []),
      ...(options.maxAgeSec !== undefined ? ['iat'] : []),
    ],
  };
  const replay = options.replay;
  const { guards, onStoreError = 'insurance' } = shared.stores;
  const replayTimeout =
    (typeof replay === 'object' ? replay.timeoutMs : undefined) ?? shared.stores.storeTimeoutMs ?? 250;
  const replayStore = (): NonceStore | undefined =>
    replay === false
      ? undefined
      : ((typeof replay === 'object' ? replay.store : undefined) ??
        shared.stores.nonce ??
        shared.nonceStore());

  /** Claims an id; a remote store that fails or hangs is replaced by the in-memory one (insurance). */
  async function claim(
    store: NonceStore,
    key: string,
    ttl: number,
  ): Promise<{ first: boolean; failure?: string }> {
    if (store.kind === 'memory') return { first: await store.claim(key, ttl) };
    try {
      const first = guards
        ? await guards(store).call(
            () => store.claim(key, ttl),
            () => store.claim('ais:probe', 1),
            replayTimeout,
          )
        : await withTimeout(store.claim(key, ttl), replayTimeout, `${store.kind} nonce store`);
      return { first };
    } catch (error) {
      if (onStoreError === 'closed') throw error;
      return { first: await shared.nonceStore().claim(key, ttl), failure: (error as Error).message };
    }
  }

  async function verifySignature(
    token: string,
    alg: string,
    kid: string | undefined,
  ): Promise<{ payload: JWTPayload } | JwtFailure> {
    const byKid = kid ? specs.filter((spec) => spec.kid === kid) : [];
    const pool = byKid.length > 0 ? byKid : specs.filter((spec) => !spec.kid || !kid);
    const candidates = pool.filter((spec) => spec.alg === alg);
    if (candidates.length === 0) {
      if (options.jwksUrl && options.jwksAlgorithms.includes(alg) && byKid.length === 0) {
        try {
          const { payload } = await jwtVerify(token, shared.jwks(options), {
            ...base,
            algorithms: options.jwksAlgorithms,
          });
          return { payload };
        } catch (error) {
          return mapJoseError(error, options.subjectClaim);
        }
      }
      return kid && byKid.length === 0 && pool.length === 0
        ? fail('ERR_ACCESS_TOKEN_INVALID', 'token_unknown_key', INVALID)
        : fail('ERR_ACCESS_TOKEN_INVALID', 'token_algorithm', INVALID);
    }
    let last: JwtFailure | undefined;
    for (const spec of candidates) {
      try {
        const key = await shared.importKey(spec);
        // One algorithm per key: jose refuses the token unless its alg is exactly this key's.
        const { payload } = await jwtVerify(token, key, { ...base, algorithms: [spec.alg] });
        return { payload };
      } catch (error) {
        const mapped = mapJoseError(error, options.subjectClaim);
        if (mapped.kind !== 'access.token_signature') return mapped;
        last = mapped;
      }
    }
    return last ?? fail('ERR_ACCESS_TOKEN_INVALID', 'token_signature', INVALID);
  }

  return {
    async verify(token) {
      if (token.length > options.maxTokenLength)
        return fail('ERR_ACCESS_TOKEN_INVALID', 'token_malformed', INVALID);
      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(token);
      } catch {
        return fail('ERR_ACCESS_TOKEN_INVALID', 'token_malformed', INVALID);
      }
      const alg = header.alg;
      // `none` is never in the allow list; neither is an algorithm no configured key is pinned to.
      if (typeof alg !== 'string' || !allowed.has(alg)) {
        return fail('ERR_ACCESS_TOKEN_INVALID', 'token_algorithm', INVALID);
      }
      const kid = typeof header.kid === 'string' ? header.kid : undefined;
      const verified = await verifySignature(token, alg, kid);
      if ('ok' in verified) return verified;
      const { payload } = verified;

      const subject = claimAt(payload, options.subjectClaim);
      if (typeof subject !== 'string' || subject.length === 0 || subject.length > 256) {
        return fail('ERR_ACCESS_TOKEN_INVALID', 'token_subject', 'The access token names no subject');
      }
      const roles = stringList(claimAt(payload, options.rolesClaim));
      const scopes = stringList(
        claimAt(payload, options.scopesClaim) ?? (options.scopesClaim === 'scope' ? payload.scp : undefined),
      );
      if (!roles || !scopes) return fail('ERR_ACCESS_TOKEN_INVALID', 'token_claims', INVALID);

      const store = replayStore();
      let storeFailure: string | undefined;
      if (store) {
        const id = typeof payload.jti === 'string' ? payload.jti : payload.nonce;
        if (typeof id !== 'string' || id.length === 0 || id.length > 256) {
          return fail('ERR_ACCESS_TOKEN_INVALID', 'token_no_jti', 'The access token has no jti');
        }
        const nowSec = Date.now() / 1000;
        const ttl =
          typeof payload.exp === 'number'
            ? Math.ceil(payload.exp - nowSec + options.clockToleranceSec)
            : (options.maxAgeSec ?? 86_400);
        const key = toHex(sha256(encoder.encode(`${payload.iss ?? ''}\u0000${subject}\u0000${id}`)));
        const claimed = await claim(store, key, Math.max(1, ttl));
        if (!claimed.first)
          return {
            ...fail('ERR_ACCESS_TOKEN_REPLAYED', 'token_replayed', 'The access token was already used'),
            subject,
          };
        storeFailure = claimed.failure;
      }
      return {
        ok: true,
        subject,
        roles,
        scopes,
        ...(kid ? { kid } : {}),
        payload,
        ...(storeFailure ? { storeFailure } : {}),
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Issuing (seed 002 generate_token)

/** Seed 002 validated `user_id` as `^[a-zA-Z0-9_-]{3,32}$`; this also allows `.`, `@` and `:` and 128 chars. */
export const SUBJECT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.@:-]{2,127}$/;
/** Seed 002 validated roles as `^[a-z.]+$`; this also allows digits, `_`, `-` and `:` after a letter. */
export const ROLE_PATTERN = /^[a-z][a-z0-9._:-]{0,63}$/;

export interface TokenIssuerOptions {
  /** HS secret (`AI_SHIELD_JWT_SECRET`; seed 002 `SECRET_KEY`). */
  secret?: string;
  /** PEM PKCS#8 private key or private JWK, for RS/PS/ES/EdDSA. */
  privateKey?: string | JWK;
  /** Default: `AI_SHIELD_JWT_ALGORITHM`, else HS256 for a secret. */
  algorithm?: JwtAlgorithm;
  kid?: string;
  issuer?: string;
  audience?: string | string[];
  /** Token lifetime in hours. Default: `AI_SHIELD_TOKEN_EXPIRY_HOURS`, else 1. */
  expiryHours?: number;
  /** Claim the roles go to (default `roles`, as the verifier expects). */
  rolesClaim?: string;
  /**
   * Read `AI_SHIELD_JWT_SECRET`, `AI_SHIELD_JWT_ALGORITHM`, `AI_SHIELD_TOKEN_EXPIRY_HOURS`,
   * `AI_SHIELD_JWT_ISSUER` and `AI_SHIELD_JWT_AUDIENCE` from here (the seeds' bare names with `seedEnv`).
   */
  env?: Record<string, string | undefined>;
  /** Also read the seeds' bare names (`SECRET_KEY`, ...). Default: `AI_SHIELD_SEED_ENV` in `env`. */
  seedEnv?: boolean;
}

export interface IssueTokenInput {
  subject: string;
  /** Default `[]`: a subject without roles (refused, 403, where a route requires one). */
  roles?: string[];
  scopes?: string[];
  /** Overrides the issuer's lifetime for this token. */
  expiresInHours?: number;
  /** Extra claims; registered claims (sub, exp, jti, ...) and the roles claim cannot be overridden. */
  claims?: Record<string, unknown>;
}

export interface TokenIssuer {
  /** Signs a token with `sub`, roles, `iat`, `exp`, a random `jti` and a 128-bit hex `nonce`. */
  issue(input: IssueTokenInput): Promise<string>;
}

const RESERVED = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'nonce', 'scope']);

/**
 * Creates a token issuer for apps that mint their own tokens (seed 002 `generate_token`). Options are
 * checked here, once (a missing key is an `AiShieldConfigError`); a malformed subject or role throws a
 * `TypeError` at `issue()`.
 * @example
 * const issuer = createTokenIssuer({ env: process.env }); // AI_SHIELD_JWT_SECRET, AI_SHIELD_JWT_ISSUER, ...
 * const token = await issuer.issue({ subject: 'alice', roles: ['ai.playground.user'] });
 */
export function createTokenIssuer(options: TokenIssuerOptions = {}): TokenIssuer {
  const env = options.env
    ? optionsFromEnv(options.env, options.seedEnv === undefined ? {} : { seedEnv: options.seedEnv })
    : undefined;
  const fromEnv = ((env?.options.access as Record<string, unknown> | undefined)?.jwt ?? {}) as Partial<
    Record<string, unknown>
  >;
  const secret = options.secret ?? (options.privateKey ? undefined : (fromEnv.secret as string | undefined));
  const algorithm = (options.algorithm ??
    (fromEnv.algorithm as JwtAlgorithm | undefined) ??
    (secret !== undefined ? 'HS256' : undefined)) as JwtAlgorithm | undefined;
  const expiryHours = options.expiryHours ?? (fromEnv.expiryHours as number | undefined) ?? 1;
  const issuer = options.issuer ?? (fromEnv.issuer as string | undefined);
  const audience = options.audience ?? (fromEnv.audience as string | undefined);
  const rolesClaim = options.rolesClaim ?? 'roles';
  const issues: string[] = (env?.issues ?? []).filter((issue) => /JWT|TOKEN_EXPIRY|SEED_ENV/.test(issue));
  if (!algorithm) issues.push('algorithm: set algorithm (or AI_SHIELD_JWT_ALGORITHM) for a private key');
  if ((secret === undefined) === (options.privateKey === undefined)) {
    issues.push('set exactly one of secret (or AI_SHIELD_JWT_SECRET) and privateKey');
  }
  if (secret !== undefined && algorithm) checkKey({ secret, alg: algorithm }, undefined, 'secret', issues);
  if (options.privateKey !== undefined && algorithm && isHmac(algorithm)) {
    issues.push(`privateKey: ${algorithm} needs a secret, not a private key`);
  }
  if (!(expiryHours > 0)) issues.push('expiryHours: expected a positive number');
  if (issues.length > 0) throw new AiShieldConfigError(issues);

  let key: Promise<ImportedKey> | undefined;
  const signingKey = () => {
    if (!key) {
      const pk = options.privateKey;
      key =
        secret !== undefined
          ? Promise.resolve(encoder.encode(secret))
          : typeof pk === 'string'
            ? importPKCS8(pk, algorithm!)
            : (importJWK(pk!, algorithm!) as Promise<ImportedKey>);
    }
    return key;
  };

  return {
    async issue(input) {
      if (typeof input.subject !== 'string' || !SUBJECT_PATTERN.test(input.subject)) {
        throw new TypeError(`subject: expected ${SUBJECT_PATTERN} (3-128 letters, digits, _ . @ : -)`);
      }
      const roles = input.roles ?? [];
      if (
        !Array.isArray(roles) ||
        !roles.every((role) => typeof role === 'string' && ROLE_PATTERN.test(role))
      ) {
        throw new TypeError(`roles: expected a list of roles matching ${ROLE_PATTERN}`);
      }
      if (
        input.scopes &&
        !input.scopes.every(
          (scope) => typeof scope === 'string' && /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/.test(scope),
        )
      ) {
        throw new TypeError('scopes: expected RFC 6749 scope tokens');
      }
      const hours = input.expiresInHours ?? expiryHours;
      if (!(hours > 0)) throw new TypeError('expiresInHours: expected a positive number');
      const extra = Object.fromEntries(
        Object.entries(input.claims ?? {}).filter(([name]) => !RESERVED.has(name) && name !== rolesClaim),
      );
      const nonce = toHex(crypto.getRandomValues(new Uint8Array(16)));
      const nowSec = Math.floor(Date.now() / 1000);
      let jwt = new SignJWT({
        ...extra,
        [rolesClaim]: [...roles],
        nonce,
        ...(input.scopes?.length ? { scope: input.scopes.join(' ') } : {}),
      })
        .setProtectedHeader({ alg: algorithm!, typ: 'JWT', ...(options.kid ? { kid: options.kid } : {}) })
        .setSubject(input.subject)
        .setIssuedAt(nowSec)
        .setExpirationTime(nowSec + Math.round(hours * 3600))
        .setJti(crypto.randomUUID());
      if (issuer) jwt = jwt.setIssuer(issuer);
      if (audience) jwt = jwt.setAudience(audience);
      return jwt.sign(await signingKey());
    },
  };
}

/**
 * Signs one token (see `createTokenIssuer`; create the issuer once when minting many).
 * @example
 * const token = await issueToken({ subject: 'alice', roles: ['ai.playground.user'] }, { secret });
 */
export function issueToken(input: IssueTokenInput, options: TokenIssuerOptions): Promise<string> {
  return createTokenIssuer(options).issue(input);
}
