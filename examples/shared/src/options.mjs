/**
 * The shield options of every example app (same routes, same policies, whatever the framework).
 */
import { chatSchema, envFlag, tensorSchema } from '@ai-shield/core';

const JWT_KEYS = ['JWT_SECRET', 'JWT_PUBLIC_KEY', 'JWKS_URL'];

/**
 * JWT (seed 002) is on when AI_SHIELD_JWT_SECRET (HS256), AI_SHIELD_JWT_PUBLIC_KEY or AI_SHIELD_JWKS_URL is
 * set (the seeds' SECRET_KEY, ... only with AI_SHIELD_SEED_ENV=1). The shield reads the key from the
 * environment itself; the examples insist on the safe set-up around it.
 * @param {Record<string, string | undefined>} env
 */
function jwtOptions(env) {
  const seed = envFlag(env.AI_SHIELD_SEED_ENV) === true;
  const set = (name) => Boolean(env[`AI_SHIELD_${name}`] || (seed && env[name]));
  if (!JWT_KEYS.some(set) && !(seed && env.SECRET_KEY)) return undefined;
  // Tokens for another service or from another issuer must not open this one.
  const missing = ['JWT_ISSUER', 'JWT_AUDIENCE']
    .filter((name) => !set(name))
    .map((name) => `AI_SHIELD_${name}`);
  if (missing.length > 0) {
    throw new Error(
      `JWT is on (a key is set) but ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not: set the issuer and audience your tokens carry.`,
    );
  }
  // Single-use tokens: a replayed jti is refused. createTokenIssuer's tokens also expire within the hour
  // (AI_SHIELD_TOKEN_EXPIRY_HOURS); AI_SHIELD_SESSION_TIMEOUT bounds their age whoever minted them.
  return { replay: true };
}

/**
 * @param {string} modelName name used in audit entries and log file names
 * @param {Record<string, string | undefined>} env where to look for JWT settings (process.env, or a
 *   Worker's bindings)
 */
export function exampleShieldOptions(modelName, env = globalThis.process?.env ?? {}) {
  // With JWT, every route but /healthz needs a Bearer token and POST /v1/chat the role
  // ai.playground.user (claim `roles`). Mint one with createTokenIssuer({ env: process.env }).
  const jwt = jwtOptions(env);
  const chatAccess = jwt ? { access: { roles: ['ai.playground.user'] } } : {};
  return {
    modelName,
    // The demo and load generators reach the app through loopback and say who they are in X-Forwarded-For.
    trustProxy: ['loopback'],
    ...(jwt ? { access: { jwt } } : {}),
    routes: {
      'POST /v1/chat': { validation: { schema: chatSchema }, ...chatAccess },
      // Seed 000's AIModelProtector constraints: values in [-1, 1] and bounded jumps between neighbours.
      'POST /v1/predict': {
        validation: { schema: tensorSchema, numeric: { min: -1, max: 1, maxGradient: 1.5 } },
      },
      'GET /healthz': { skip: true },
    },
  };
}
