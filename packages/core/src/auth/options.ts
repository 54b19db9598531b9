/**
 * The `access` options: JWT verification (seed 002), API keys with rotation (seed 000), required roles
 * and scopes. Key material is only checked for shape here; it is imported (Web Crypto) on first use.
 * @module
 */
import { z } from 'zod';
import type { Identity, ShieldRequest } from '../types.js';
import type { ApiKeyRing } from './api-key.js';
import type { NonceStore } from './nonce-store.js';

/** JWS algorithms the verifier accepts (`none` is never one of them). */
export const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];
export const jwtAlgorithm = z.enum(JWT_ALGORITHMS);

const ASYMMETRIC = JWT_ALGORITHMS.filter((alg) => !alg.startsWith('HS'));

/** One verification key, pinned to one algorithm (so `none` and HS/RS confusion cannot match it). */
export const jwtKeySchema = z.strictObject({
  /** Matched against the token's `kid` header when both have one. */
  kid: z.string().min(1).optional(),
  /** The only algorithm this key verifies. Default: `HS256` for a secret, the JWK's `alg` for a JWK. */
  alg: jwtAlgorithm.optional(),
  /** Shared secret for HS256/384/512 (at least as many bytes as the hash: 32, 48, 64; RFC 7518 §3.2). */
  secret: z.string().min(1).optional(),
  /** PEM public key (`BEGIN PUBLIC KEY`) or certificate (`BEGIN CERTIFICATE`). */
  publicKey: z.string().min(1).optional(),
  /** A public JWK (object or JSON text). */
  jwk: z.union([z.record(z.string(), z.unknown()), z.string().min(2)]).optional(),
});
export type JwtKeyOptions = z.input<typeof jwtKeySchema>;

const nonceStore = z.custom<NonceStore>(
  (value) => typeof value === 'object' && value !== null && typeof (value as NonceStore).claim === 'function',
  { message: 'expected a NonceStore (an object with claim(key, ttlSec))' },
);

const stringOrList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const jwtOptionsSchema = z.strictObject({
  /** `AI_SHIELD_JWT_SECRET` (seed 002 `SECRET_KEY`): HS secret. Pinned to `algorithm` (default HS256). */
  secret: z.string().min(1).optional(),
  /** `AI_SHIELD_JWT_PUBLIC_KEY`: PEM public key or certificate for RS/PS/ES/EdDSA tokens (needs `algorithm`). */
  publicKey: z.string().min(1).optional(),
  /** A public JWK (object or JSON text); its `alg`, or `algorithm`, pins the algorithm. */
  jwk: z.union([z.record(z.string(), z.unknown()), z.string().min(2)]).optional(),
  /** `AI_SHIELD_JWT_ALGORITHM`: the algorithm of `secret` / `publicKey` / `jwk`. Default HS256 for a secret. */
  algorithm: jwtAlgorithm.optional(),
  /** More keys (rotation, several issuers), each pinned to its own algorithm. */
  keys: z.array(jwtKeySchema).default([]),
  /** `AI_SHIELD_JWKS_URL`: an https JWKS endpoint (http only for loopback hosts). Fetched lazily and cached. */
  jwksUrl: z.string().url().optional(),
  /** Algorithms accepted from the JWKS (asymmetric only). */
  jwksAlgorithms: z.array(z.enum(ASYMMETRIC as [string, ...string[]])).default([...ASYMMETRIC]),
  /** How long fetched keys are trusted before a refetch. */
  jwksCacheMaxAgeSec: z.number().positive().default(600),
  /** A token with an unknown `kid` triggers a refetch at most this often (bounds refetch storms). */
  jwksCooldownSec: z.number().min(0).default(30),
  /** JWKS fetch timeout; a timeout is a stage failure (`access.onError`, fail closed by default). */
  jwksTimeoutMs: z.number().int().positive().default(5000),
  /** Required `iss` (one or any of several); `AI_SHIELD_JWT_ISSUER`. Without it a warning is logged at start-up. */
  issuer: stringOrList.optional(),
  /** Required `aud` (one or any of several); `AI_SHIELD_JWT_AUDIENCE`. Without it a warning is logged at start-up. */
  audience: stringOrList.optional(),
  /** Leeway for `exp`, `nbf` and `iat` checks. */
  clockToleranceSec: z.number().min(0).default(5),
  /** Seed 000 `session_timeout` (`AI_SHIELD_SESSION_TIMEOUT`): refuse tokens issued longer ago than this (needs `iat`). */
  maxAgeSec: z.number().positive().optional(),
  /** Refuse tokens without `exp`. */
  requireExpiry: z.boolean().default(true),
  /** Claim with the subject; seed 002's tokens use `user_id`. */
  subjectClaim: z.string().min(1).default('sub'),
  /** Claim with the roles (array or space-separated string); dotted paths like `realm_access.roles` work. */
  rolesClaim: z.string().min(1).default('roles'),
  /** Claim with the scopes (`scope` string or `scp` array). */
  scopesClaim: z.string().min(1).default('scope'),
  /** `AI_SHIELD_TOKEN_EXPIRY_HOURS`: lifetime of tokens minted by `createTokenIssuer` from these options. */
  expiryHours: z.number().positive().default(1),
  /**
   * Single-use tokens: each `jti` (or seed 002's `nonce`) is accepted once, remembered until the token
   * expires. `true` uses an in-memory store per shield; pass `{ store: createRedisNonceStore(redis) }`
   * (`@ai-shield/core/node`) so that a token replayed against another instance is refused too.
   */
  replay: z
    .union([
      z.boolean(),
      z.strictObject({
        store: nonceStore.optional(),
        /**
         * Upper bound on one store round trip (default `rate.storeTimeoutMs`). After a timeout or an
         * error the id is claimed in the in-memory store instead (insurance: replays against this
         * instance are still refused), unless `rate.onStoreError` is `closed` (the access stage fails).
         */
        timeoutMs: z.number().int().positive().optional(),
      }),
    ])
    .default(false),
  /** Longest accepted token in characters. */
  maxTokenLength: z.number().int().positive().default(8192),
});
export type JwtOptions = z.output<typeof jwtOptionsSchema>;

const keyRate = z.strictObject({
  points: z.number().int().positive(),
  durationSec: z.number().positive().default(60),
});

/** One API key as stored: its hash, never the key. */
export const apiKeyRecordSchema = z.strictObject({
  /** Public key id (shown in audit entries, decisions and usage counters). */
  id: z.string().min(1).max(128),
  /** `hashApiKey(key)`: hex SHA-256, or HMAC-SHA256 when `apiKeys.pepper` is set. */
  hash: z.string().regex(/^(sha256:)?[0-9a-f]{64}$/i, 'expected a hex SHA-256 hash from hashApiKey()'),
  /** The client (identity id) the key belongs to. A client may hold several active keys (rotation). */
  client: z.string().min(1).max(256),
  /** Environment label (`production`, `staging`, ...); refused where `apiKeys.environment` differs. */
  environment: z.string().min(1).optional(),
  roles: z.array(z.string().min(1)).optional(),
  scopes: z.array(z.string().min(1)).optional(),
  /** Refused from this time on (ISO date or epoch ms): the old key's end after a rotation. */
  expiresAt: z.union([z.number(), z.string().min(1)]).optional(),
  /** Per-key budget, counted in the rate stage on top of the IP and identity budgets. */
  rate: keyRate.optional(),
  disabled: z.boolean().optional(),
});
export type ApiKeyRecord = z.input<typeof apiKeyRecordSchema>;

const apiKeyRing = z.custom<ApiKeyRing>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ApiKeyRing).match === 'function' &&
    typeof (value as ApiKeyRing).rotate === 'function',
  { message: 'expected an array of API key records or createApiKeyRing(...)' },
);

export const apiKeysOptionsSchema = z.strictObject({
  /** Stored keys (hashes only), or a ring from `createApiKeyRing()` for rotation at run time. */
  keys: z.union([z.array(apiKeyRecordSchema), apiKeyRing]),
  /** Header carrying the key. */
  header: z.string().min(1).default('x-api-key'),
  /** Also accept the key as `Authorization: Bearer <key>` (values that are not JWTs). */
  bearer: z.boolean().default(true),
  /** This deployment's environment: keys labelled for another environment are refused. */
  environment: z.string().min(1).optional(),
  /** HMAC key for the stored hashes (keep it outside the key database). */
  pepper: z.string().min(16).optional(),
});
export type ApiKeysOptions = z.output<typeof apiKeysOptionsSchema>;

const fn = <T extends (...args: never[]) => unknown>(what: string) =>
  z.custom<T>((value) => typeof value === 'function', { message: `expected a function (${what})` });

export const accessOptionsSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Access control fails closed: an auth check that crashed must not let anyone in. */
  onError: z.enum(['open', 'closed']).default('closed'),
  /** Resolve the caller's identity from the request (e.g. from your own session middleware). */
  identify: fn<(req: ShieldRequest) => Identity | undefined | Promise<Identity | undefined>>(
    'identify(request) => identity',
  ).optional(),
  /** JWT verification (on when a key source is set: `secret`, `publicKey`, `jwk`, `keys` or `jwksUrl`). */
  jwt: jwtOptionsSchema.optional(),
  /** API keys (seed 000: rotation, separate keys per environment, usage monitoring). */
  apiKeys: apiKeysOptionsSchema.optional(),
  /** Roles the caller must all hold (per route: `routes: { 'POST /v1/chat': { access: { roles: [...] } } }`). */
  roles: z.array(z.string().min(1)).default([]),
  /** Scopes the caller must all hold. */
  scopes: z.array(z.string().min(1)).default([]),
  /**
   * With `jwt` or `apiKeys` configured, requests without credentials get 401. `true` lets them through
   * anonymously (a warning is logged at startup); invalid credentials are still refused.
   */
  dangerouslyAllowAnonymous: z.boolean().default(false),
  /** `realm` of the `WWW-Authenticate` challenge. */
  realm: z.string().min(1).default('ai-shield'),
});
