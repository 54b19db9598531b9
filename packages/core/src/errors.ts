/**
 * One error class, stable string codes (jose's model). Consumers switch on `code`; `instanceof` is only a
 * convenience because CJS and ESM copies of this package can coexist in one process (dual-package hazard).
 * @module
 */

/** Every error code the shield can produce, in decisions and in thrown errors. */
export const ERROR_CODES = {
  ERR_CONFIG_INVALID: { status: 500, title: 'Invalid AI Shield configuration' },
  ERR_VALIDATION_BODY_TOO_LARGE: { status: 413, title: 'Request body too large' },
  ERR_VALIDATION_BODY_TIMEOUT: { status: 408, title: 'Request body not received in time' },
  ERR_VALIDATION_CONTENT_TYPE: { status: 415, title: 'Unsupported content type' },
  ERR_VALIDATION_MALFORMED: { status: 400, title: 'Malformed request body' },
  ERR_VALIDATION_EMPTY: { status: 400, title: 'Empty request body' },
  ERR_VALIDATION_LIMITS: { status: 400, title: 'Request exceeds structural limits' },
  ERR_VALIDATION_SCHEMA: { status: 422, title: 'Request does not match the expected schema' },
  ERR_VALIDATION_NUMERIC: { status: 422, title: 'Numeric input out of the accepted range' },
  ERR_VALIDATION_PATH: { status: 400, title: 'Ambiguous request path' },
  ERR_VALIDATION_MAX_TOKENS: { status: 422, title: 'Requested output tokens above the limit' },
  ERR_VALIDATION_CONTEXT_TOO_LARGE: { status: 413, title: 'Prompt longer than the limit' },
  ERR_ACCESS_UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  ERR_ACCESS_TOKEN_INVALID: { status: 401, title: 'Invalid access token' },
  ERR_ACCESS_TOKEN_EXPIRED: { status: 401, title: 'Access token expired' },
  ERR_ACCESS_TOKEN_REPLAYED: { status: 401, title: 'Access token already used' },
  ERR_ACCESS_API_KEY_INVALID: { status: 401, title: 'Invalid API key' },
  ERR_ACCESS_FORBIDDEN: { status: 403, title: 'Access denied' },
  ERR_ACCESS_NETWORK_DENIED: { status: 403, title: 'Client address not allowed' },
  ERR_RATE_LIMITED: { status: 429, title: 'Too many requests' },
  ERR_RATE_TOO_FREQUENT: { status: 429, title: 'Requests too frequent' },
  ERR_RATE_LOCKED_OUT: { status: 429, title: 'Too many failed attempts' },
  ERR_RATE_TOKEN_BUDGET: { status: 429, title: 'Token budget exceeded' },
  ERR_RATE_CONCURRENCY: { status: 429, title: 'Too many requests in flight' },
  ERR_DETECTION_THREAT: { status: 403, title: 'Request blocked as a likely attack' },
  ERR_RESPONSE_BLOCKED: { status: 502, title: 'Response withheld by output checks' },
  ERR_STAGE_FAILED: { status: 503, title: 'Security check unavailable' },
  ERR_STORE_UNAVAILABLE: { status: 503, title: 'Rate store unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type AiShieldErrorCode = keyof typeof ERROR_CODES;

const BRAND = Symbol.for('ai-shield.error');

export interface AiShieldErrorOptions {
  status?: number;
  /** Message safe to show to the client; defaults to the code's title. */
  expose?: string;
  cause?: unknown;
}

/** Base class of every error the shield throws. */
export class AiShieldError extends Error {
  static code: AiShieldErrorCode = 'ERR_STAGE_FAILED';
  readonly code: AiShieldErrorCode;
  readonly status: number;
  /** A client-safe message. `message` may carry details meant for operators only. */
  readonly expose: string;
  readonly [BRAND] = true;

  constructor(code: AiShieldErrorCode, message: string, options: AiShieldErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = this.constructor.name;
    this.code = code;
    this.status = options.status ?? ERROR_CODES[code].status;
    this.expose = options.expose ?? ERROR_CODES[code].title;
    (Error as { captureStackTrace?: (t: object, c: unknown) => void }).captureStackTrace?.(
      this,
      this.constructor,
    );
  }
}

/** Thrown at factory time when options are invalid; `issues` lists every problem, each naming its key. */
export class AiShieldConfigError extends AiShieldError {
  static override code: AiShieldErrorCode = 'ERR_CONFIG_INVALID';
  readonly issues: string[];

  constructor(issues: string[]) {
    super(
      'ERR_CONFIG_INVALID',
      `Invalid AI Shield options:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`,
    );
    this.issues = issues;
  }
}

/** Brand check that works across CJS/ESM copies of the package. */
export function isAiShieldError(value: unknown): value is AiShieldError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
