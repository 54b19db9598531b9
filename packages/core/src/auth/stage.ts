/**
 * The access stage: who is calling and may they call this route. An identity comes from the
 * application (`request.identity`, the `access.identify` hook), a JWT (`access.jwt`) or an API key
 * (`access.apiKeys`); then the route's required roles and scopes are checked. 401 answers carry an
 * RFC 6750 `WWW-Authenticate` challenge; 403 means authenticated but not allowed.
 * @module
 */
import type { AccessOptions, ShieldLogger } from '../config/schema.js';
import { AiShieldConfigError } from '../errors.js';
import type { Block, RequestContext } from '../stage.js';
import type { Identity, Severity } from '../types.js';
import { type ApiKeyFailure, type ApiKeyRing, createApiKeyRing } from './api-key.js';
import {
  checkJwtOptions,
  createJwtShared,
  createJwtVerifier,
  hasJwtKeys,
  type JwtFailure,
  type JwtShared,
  type JwtStoreSettings,
  type JwtVerifier,
} from './jwt.js';
import type { ApiKeysOptions } from './options.js';

/** The compiled access stage of one policy. */
export interface AccessStage {
  /** Returns a promise only when something asynchronous runs (identify hook, JWT, ...). */
  run(ctx: RequestContext): Block | undefined | Promise<Block | undefined>;
}

/** What the access stages of one shield share (key imports, JWKS caches, replay store, key rings). */
export interface AccessShared extends JwtShared {
  ring(options: ApiKeysOptions): ApiKeyRing;
  warnOnce(message: string): void;
}

/** Per-shield shared state; nothing is created until used. */
export function createAccessShared(logger: ShieldLogger, stores: JwtStoreSettings = {}): AccessShared {
  const jwt = createJwtShared(stores);
  const rings = new Map<string, ApiKeyRing>();
  const warned = new Set<string>();
  return {
    ...jwt,
    ring(options) {
      if (!Array.isArray(options.keys)) return options.keys;
      // Route policies parse their own copy of the records: share one ring (and its usage counters).
      const id = `${options.pepper ?? ''}\u0000${options.keys.map((key) => `${key.id}:${key.hash}`).join(',')}`;
      let ring = rings.get(id);
      if (!ring) {
        ring = createApiKeyRing(options.keys, options.pepper ? { pepper: options.pepper } : {});
        rings.set(id, ring);
      }
      return ring;
    },
    warnOnce(message) {
      if (warned.has(message)) return;
      warned.add(message);
      logger.warn(message);
    },
  };
}

const quote = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;

const API_KEY_FAILURES: Record<ApiKeyFailure, string> = {
  unknown: 'The API key is invalid',
  expired: 'The API key expired',
  disabled: 'The API key was revoked',
  wrong_environment: 'The API key belongs to another environment',
};

function looksLikeJwt(value: string): boolean {
  const first = value.indexOf('.');
  return first > 0 && value.indexOf('.', first + 1) > first + 1 && value.split('.').length === 3;
}

/**
 * Compiles the access stage for one policy. Key options are checked here (factory time) and throw
 * `AiShieldConfigError` listing every problem.
 */
export function createAccessStage(
  options: AccessOptions,
  shared: AccessShared,
  where = 'access',
): AccessStage {
  const issues: string[] = [];
  const jwtOptions = hasJwtKeys(options.jwt) ? options.jwt : undefined;
  const specs = jwtOptions ? checkJwtOptions(jwtOptions, issues, `${where}.jwt`) : [];
  if (issues.length > 0) throw new AiShieldConfigError(issues);
  const verifier: JwtVerifier | undefined = jwtOptions
    ? createJwtVerifier(jwtOptions, specs, shared)
    : undefined;
  const apiKeys = options.apiKeys;
  const ring = apiKeys ? shared.ring(apiKeys) : undefined;
  const authConfigured = Boolean(verifier || ring);
  const roles = options.roles;
  const scopes = options.scopes;
  const requires = roles.length > 0 || scopes.length > 0;
  if (jwtOptions && (jwtOptions.issuer === undefined || jwtOptions.audience === undefined)) {
    const missing = [
      jwtOptions.issuer === undefined ? 'issuer' : '',
      jwtOptions.audience === undefined ? 'audience' : '',
    ]
      .filter(Boolean)
      .join(' and ');
    shared.warnOnce(
      `access.jwt has no ${missing}: any unexpired token signed with this key is accepted, whoever it was issued to or for; set access.jwt.issuer and access.jwt.audience (AI_SHIELD_JWT_ISSUER, AI_SHIELD_JWT_AUDIENCE)`,
    );
  }
  if (authConfigured && options.dangerouslyAllowAnonymous) {
    shared.warnOnce(
      `access.dangerouslyAllowAnonymous is on: requests without credentials pass the access stage unauthenticated`,
    );
  }
  const scheme = verifier || apiKeys?.bearer ? 'Bearer' : 'ApiKey';
  const realm = `realm=${quote(options.realm)}`;
  const apiKeyHeader = apiKeys?.header.toLowerCase();
  const howTo =
    scheme === 'Bearer'
      ? `send Authorization: Bearer <${verifier ? 'token' : 'API key'}>`
      : `send the API key in the ${apiKeys?.header} header`;

  function finding(ctx: RequestContext, kind: string, severity: Severity, message: string): void {
    ctx.findings.push({ kind, severity, source: 'access', message });
  }

  function unauthenticated(ctx: RequestContext): Block {
    ctx.headers['www-authenticate'] =
      scheme === 'Bearer' ? `Bearer ${realm}` : `ApiKey ${realm}, header=${quote(apiKeys!.header)}`;
    finding(ctx, 'access.no_credentials', 'low', 'No credentials presented');
    return { status: 401, code: 'ERR_ACCESS_UNAUTHENTICATED', reason: `Authentication required: ${howTo}` };
  }

  function invalid(
    ctx: RequestContext,
    failure: Pick<JwtFailure, 'kind' | 'description'> & { code: Block['code'] },
  ): Block {
    // RFC 6750 §3: invalid_token for an expired, revoked, malformed or otherwise invalid credential.
    ctx.headers['www-authenticate'] =
      scheme === 'Bearer'
        ? `Bearer ${realm}, error="invalid_token", error_description=${quote(failure.description)}`
        : `ApiKey ${realm}, error="invalid_key"`;
    finding(
      ctx,
      failure.kind,
      failure.kind === 'access.token_replayed' ? 'high' : 'medium',
      failure.description,
    );
    return { status: 401, code: failure.code, reason: failure.description };
  }

  function authorize(ctx: RequestContext): Block | undefined {
    if (!requires) return undefined;
    const identity = ctx.identity;
    if (!identity) return unauthenticated(ctx);
    const missingRoles = roles.filter((role) => !identity.roles?.includes(role));
    const missingScopes = scopes.filter((scope) => !identity.scopes?.includes(scope));
    if (missingRoles.length === 0 && missingScopes.length === 0) return undefined;
    if (scheme === 'Bearer' || !authConfigured) {
      // RFC 6750 §3.1: insufficient_scope goes with 403.
      ctx.headers['www-authenticate'] =
        `Bearer ${realm}, error="insufficient_scope"${scopes.length > 0 ? `, scope=${quote(scopes.join(' '))}` : ''}`;
    }
    const reason =
      missingRoles.length > 0
        ? `Missing required role: ${missingRoles.join(', ')}`
        : `Missing required scope: ${missingScopes.join(', ')}`;
    finding(ctx, missingRoles.length > 0 ? 'access.missing_role' : 'access.missing_scope', 'medium', reason);
    return { status: 403, code: 'ERR_ACCESS_FORBIDDEN', reason };
  }

  function credential(ctx: RequestContext): { type: 'jwt' | 'api-key'; value: string } | undefined {
    const authorization = ctx.req.headers.authorization?.trim();
    if (authorization && /^bearer\s+/i.test(authorization)) {
      const value = authorization.replace(/^bearer\s+/i, '').trim();
      if (value) {
        if (verifier && (looksLikeJwt(value) || !apiKeys?.bearer)) return { type: 'jwt', value };
        if (apiKeys?.bearer) return { type: 'api-key', value };
      }
    }
    if (apiKeyHeader) {
      const value = ctx.req.headers[apiKeyHeader]?.trim();
      if (value) return { type: 'api-key', value };
    }
    return undefined;
  }

  async function withJwt(ctx: RequestContext, token: string): Promise<Block | undefined> {
    const result = await verifier!.verify(token);
    if (!result.ok) {
      if (result.subject) ctx.attempted = { kind: 'jwt', id: result.subject };
      return invalid(ctx, result);
    }
    if (result.storeFailure) {
      ctx.failures.push({
        stage: 'access',
        policy: 'insurance',
        error: 'ERR_STORE_UNAVAILABLE',
        message: `replay store: ${result.storeFailure}`,
      });
    }
    const identity: Identity = { id: result.subject, kind: 'jwt', roles: result.roles };
    if (result.scopes.length > 0) identity.scopes = result.scopes;
    if (result.kid) identity.keyId = result.kid;
    ctx.identity = identity;
    return authorize(ctx);
  }

  function withApiKey(ctx: RequestContext, key: string): Block | undefined {
    if (key.length > 512) {
      return invalid(ctx, {
        code: 'ERR_ACCESS_API_KEY_INVALID',
        kind: 'access.api_key_unknown',
        description: API_KEY_FAILURES.unknown,
      });
    }
    const match = ring!.match(key, apiKeys!.environment ? { environment: apiKeys!.environment } : {});
    if (!match.ok) {
      // A known key refused (revoked, expired, wrong environment): count the failure against that key.
      if (match.record) ctx.attempted = { kind: 'api-key', id: match.record.id };
      return invalid(ctx, {
        code: 'ERR_ACCESS_API_KEY_INVALID',
        kind: `access.api_key_${match.reason}`,
        description: API_KEY_FAILURES[match.reason],
      });
    }
    const { record } = match;
    ring!.recordUse(record.id);
    const identity: Identity = {
      id: record.client,
      kind: 'api-key',
      keyId: record.id,
      roles: [...(record.roles ?? [])],
    };
    if (record.scopes?.length) identity.scopes = [...record.scopes];
    ctx.identity = identity;
    if (record.rate) {
      ctx.keyLimit = {
        keyId: record.id,
        points: record.rate.points,
        durationSec: record.rate.durationSec ?? 60,
      };
    }
    return authorize(ctx);
  }

  function authenticate(ctx: RequestContext): Block | undefined | Promise<Block | undefined> {
    if (!authConfigured) return requires ? unauthenticated(ctx) : undefined;
    const presented = credential(ctx);
    if (!presented) {
      return options.dangerouslyAllowAnonymous && !requires ? undefined : unauthenticated(ctx);
    }
    return presented.type === 'jwt' ? withJwt(ctx, presented.value) : withApiKey(ctx, presented.value);
  }

  function run(ctx: RequestContext): Block | undefined | Promise<Block | undefined> {
    if (ctx.req.identity) {
      ctx.identity = ctx.req.identity;
      return authorize(ctx);
    }
    if (options.identify) {
      const identity = options.identify(ctx.req);
      if (identity instanceof Promise) {
        return identity.then((resolved) => {
          if (!resolved) return authenticate(ctx);
          ctx.identity = resolved;
          return authorize(ctx);
        });
      }
      if (identity) {
        ctx.identity = identity;
        return authorize(ctx);
      }
    }
    return authenticate(ctx);
  }

  return { run };
}
