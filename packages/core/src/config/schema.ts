/**
 * The options object, as one zod 4 schema. Every default lives here, next to the seed setting it
 * comes from, so the README's configuration reference and the code cannot drift apart.
 * @module
 */
import { z } from 'zod';
import { alertsOptionsSchema, auditOptionsSchema, incidentsOptionsSchema } from '../audit/options.js';
import { accessOptionsSchema } from '../auth/options.js';
import { budgetOptionsSchema, concurrencyOptionsSchema } from '../budget/options.js';
import { networkOptionsSchema } from '../network/rules.js';
import { outputOptionsSchema } from '../output/options.js';
import { telemetryOptionsSchema } from '../telemetry/options.js';
import type { Decision, ShieldRequest } from '../types.js';
import { DEFAULT_BODY_TIMEOUTS } from '../validation/read-body.js';

/** What to do when a stage throws unexpectedly: pass the request (`open`) or refuse it (`closed`, 503). */
export const stageErrorPolicy = z.enum(['open', 'closed']);

const fn = <T extends (...args: never[]) => unknown>(what: string) =>
  z.custom<T>((value) => typeof value === 'function', { message: `expected a function (${what})` });

const zodSchema = z.custom<z.ZodType>(
  (value) =>
    typeof value === 'object' && value !== null && typeof (value as z.ZodType).safeParse === 'function',
  { message: 'expected a zod schema (an object with safeParse)' },
);

const rateWindow = z.strictObject({
  /** Requests allowed per window. */
  points: z.number().int().positive(),
  /** Window length in seconds. */
  durationSec: z.number().positive().default(60),
});

/** Access control (JWT, API keys, roles); see auth/options.ts. */
const accessSchema = accessOptionsSchema;

const failedAttemptsSchema = z.strictObject({
  /** Seed SECURITY_CONFIG `max_failed_attempts` / `failed_attempts_threshold`: failures before delays start. */
  max: z.number().int().positive().default(5),
  /** Failures are counted over this window, per client address and per identity. */
  windowSec: z.number().positive().default(900),
  /** First delay once `max` is reached; it doubles with every further failure in the window. */
  delaySec: z.number().positive().default(30),
  /** Longest delay (the cap of the doubling): a hard lockout only for a client that keeps failing. */
  blockDurationSec: z.number().positive().default(900),
  /** Which blocking stages count as a failed attempt. Validation errors are usually client bugs. */
  countStages: z
    .array(z.enum(['access', 'rate', 'validation', 'detection']))
    .default(['access', 'detection']),
});

const rateSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Rate monitoring fails open: a bug in counting must not take the API down. */
  onError: stageErrorPolicy.default('open'),
  /** When the store (e.g. Redis) fails or times out: fall back to in-memory counters, pass, or refuse. */
  onStoreError: z.enum(['insurance', 'open', 'closed']).default('insurance'),
  /** Counter store; defaults to in-memory. Pass `createRedisStore(client)` from `@ai-shield/core/node`. */
  store: z
    .custom<import('../rate/store.js').RateStore>(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        typeof (value as { createLimiter?: unknown }).createLimiter === 'function',
      { message: 'expected a RateStore (an object with createLimiter)' },
    )
    .optional(),
  /**
   * Longest wait for one store call before `onStoreError` applies; after a timeout the store counts as
   * down (calls go straight to `onStoreError`) until a background probe answers. Also bounds the
   * behaviour stage's repeat counter and the replay store.
   */
  storeTimeoutMs: z.number().int().positive().default(250),
  /**
   * Clients each in-memory counter tracks at most (per IP, per identity, minimum interval, failed
   * attempts, and the insurance counters behind a remote store); past it, expired counters go first,
   * then the one with the fewest points. No timer per client.
   */
  maxClients: z.number().int().positive().default(100_000),
  /** Seed SECURITY_CONFIG `max_requests_per_minute`: 100 per client IP per minute. `false` disables. */
  perIp: z.union([rateWindow, z.literal(false)]).default({ points: 100, durationSec: 60 }),
  /** Budget per authenticated identity, on top of the IP budget. `false` disables. */
  perIdentity: z.union([rateWindow, z.literal(false)]).default({ points: 100, durationSec: 60 }),
  /** Seed `min_request_interval` (1.0 s): requests closer together than this are flagged or blocked. 0 disables. */
  minIntervalMs: z.number().min(0).default(1000),
  minIntervalAction: z.enum(['flag', 'block']).default('flag'),
  failedAttempts: z.union([failedAttemptsSchema, z.literal(false)]).default(failedAttemptsSchema.parse({})),
  /** Send `RateLimit-*` headers on every response (draft-ietf-httpapi-ratelimit-headers). */
  headers: z.boolean().default(true),
  /** Key namespace in the store; instances sharing a store and prefix share budgets. */
  keyPrefix: z.string().min(1).default('ais'),
});

const numericSchema = z.strictObject({
  /** Smallest accepted value (seed `min_value`). */
  min: z.number().optional(),
  /** Largest accepted value (seed `max_value`). */
  max: z.number().optional(),
  /** Largest accepted jump between neighbouring values (seed `max_gradient`). */
  maxGradient: z.number().positive().optional(),
  /** JSON can carry Infinity through overflow (`1e999`); refuse it unless allowed. */
  allowNonFinite: z.boolean().default(false),
});

const validationSchema = z.strictObject({
  enabled: z.boolean().default(true),
  onError: stageErrorPolicy.default('closed'),
  /** Seed `max_size` (1,000,000): largest raw body in bytes; larger bodies get 413 before parsing. */
  maxBodyBytes: z.number().int().positive().default(1_000_000),
  /** The whole body must arrive within this many ms of the start of the read (408 otherwise). 0: no limit. */
  bodyTimeoutMs: z.number().int().min(0).default(DEFAULT_BODY_TIMEOUTS.timeoutMs),
  /**
   * After a 5 s grace, a body must keep arriving at this many bytes/s on average (408 otherwise), so a
   * trickled body cannot hold a socket. 0: no minimum.
   */
  minBodyBytesPerSec: z.number().int().min(0).default(DEFAULT_BODY_TIMEOUTS.minBytesPerSec),
  /** Deepest JSON nesting; checked by a linear pre-scan before `JSON.parse`. */
  maxDepth: z.number().int().positive().default(32),
  /** Most keys in one JSON object. */
  maxKeys: z.number().int().positive().default(1_000),
  /** Most elements in one JSON array (tensors count here). */
  maxArrayLength: z.number().int().positive().default(100_000),
  /** Longest string value in characters (seed 002 caps queries at 2,000; `strict` uses that). */
  maxStringLength: z.number().int().positive().default(50_000),
  /** Media types accepted for request bodies. */
  contentTypes: z.array(z.string().min(1)).default(['application/json']),
  /** POST/PUT/PATCH without a body (or with `null`, `{}`, `[]`, `""`) gets 400. */
  requireBody: z.boolean().default(true),
  /** A zod schema the body must match (422 listing the failing paths). */
  schema: zodSchema.optional(),
  /** Keys not in `schema`: ignore, record as a finding, or refuse with 422. */
  unknownKeys: z.enum(['ignore', 'flag', 'block']).default('flag'),
  numeric: numericSchema.default(numericSchema.parse({})),
  /** Zero-width, bidi-control and Unicode tag characters: ignore, report, or strip from the body. */
  sanitize: z.enum(['off', 'report', 'strip']).default('report'),
});

const detectionSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Detection is monitoring: a crash in a scorer must not take the API down. */
  onError: stageErrorPolicy.default('open'),
  /** Combined risk at or above this records the request as flagged. */
  flagThreshold: z.number().min(0).max(1).default(0.5),
  /** Seed `suspicious_pattern_threshold` (0.8): combined risk at or above this blocks. */
  blockThreshold: z.number().min(0).max(1).default(0.8),
  /**
   * JSON paths of user text to scan, with `[*]` for any index and `*` for any key, e.g.
   * `messages[*].content`. Default: every string in the body except structural keys (role, model, ...).
   */
  textPaths: z.array(z.string().min(1)).optional(),
  /** Scan at most this many characters per request (the rest is still size-limited by validation). */
  maxScanChars: z.number().int().positive().default(100_000),
  /** Statistical checks of numeric inputs against a running per-route baseline (seed 000: adversarial patterns). */
  numeric: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Samples learned per route before the baseline scores anything. */
      warmup: z.number().int().positive().default(50),
      /** |z| of norm, roughness and spike statistics that flags. */
      zThreshold: z.number().positive().default(4),
    })
    .prefault({}),
  /** Behaviour over time per client (seeds 000/001): repeated inputs, near-duplicate probing, rate and failure anomalies. */
  behavior: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Identical inputs per client and route within the window that flag. */
      repeatThreshold: z.number().int().positive().default(10),
      repeatWindowSec: z.number().positive().default(300),
      /** Near-duplicates among a client's recent inputs that flag (model extraction, adversarial search); 0 disables. */
      probeThreshold: z.number().int().min(0).default(8),
      probeWindowSec: z.number().positive().default(600),
      /** Clients remembered in memory (least recently seen evicted). */
      maxClients: z.number().int().positive().default(10_000),
    })
    .prefault({}),
  /** Your own async detector (model server, hosted API), called with the scanned text. */
  external: fn<import('../detection/external.js').ExternalDetector>(
    'detector(text, { signal }) => Promise<{ score }>',
  ).optional(),
  /** Longest wait for `external` before `externalOnError` applies. */
  externalTimeoutMs: z.number().int().positive().default(1000),
  /** When `external` fails or times out: pass (`open`) or count it as a certain attack (`closed`). */
  externalOnError: stageErrorPolicy.default('open'),
  /**
   * When to call `external`: on every scanned request (`always`), or only when the fast tier's text
   * score is ambiguous (`ambiguous`: within `ambiguousRange`, default [0.2, 0.8)); the semantic tier
   * then costs nothing on clear cases.
   */
  externalWhen: z.enum(['always', 'ambiguous']).default('always'),
  ambiguousRange: z
    .tuple([z.number().min(0).max(1), z.number().min(0).max(1)])
    .refine(([lo, hi]) => lo < hi, 'ambiguousRange: the lower bound must be below the upper one')
    .default([0.2, 0.8]),
});

/** Response checks: PII masking, confidence, error sanitization, leak detection, filters, streaming. */
const outputSchema = outputOptionsSchema.extend({
  enabled: z.boolean().default(true),
  /** Response checks are monitoring: a crash in a checker passes the response through and is recorded. */
  onError: stageErrorPolicy.default('open'),
});

export const optionsSchema = z.strictObject({
  /** `balanced` (default), `strict`, or `monitor` (never blocks, only records). */
  preset: z.enum(['strict', 'balanced', 'monitor']).default('balanced'),
  /** `monitor` runs every stage and records, but never blocks. Default from the preset. */
  mode: z.enum(['enforce', 'monitor']).default('enforce'),
  /**
   * Also read the seeds' bare environment names (`SECRET_KEY`, `RATE_LIMIT`, `SMTP_SERVER`, ...), not
   * only the shield's own `AI_SHIELD_*` ones. Default: `AI_SHIELD_SEED_ENV` (`1` / `0`), else off.
   */
  seedEnv: z.boolean().optional(),
  /** Name of the protected model, used in audit entries and log file names. */
  modelName: z.string().min(1).default('default'),
  /**
   * Whom to believe about the client IP. `false` (default): the socket peer; `X-Forwarded-For` is ignored.
   * `true`: the left-most `X-Forwarded-For` entry. A number: that many proxy hops. A list: trusted proxy
   * addresses or CIDR ranges (e.g. `['loopback', '10.0.0.0/8']`).
   */
  trustProxy: z.union([z.boolean(), z.number().int().min(0), z.array(z.string().min(1))]).default(false),
  /**
   * IPv6 clients are counted per prefix of this length (rate budgets, minimum interval, lockouts,
   * behaviour): one subscriber usually holds a whole /64. 128 counts every address on its own.
   */
  ipv6Subnet: z.number().int().min(8).max(128).default(64),
  /** Response header carrying the request id. */
  requestIdHeader: z.string().min(1).default('x-request-id'),
  /** Skip the shield entirely for this route (per-route only; see `routes`). */
  skip: z.boolean().default(false),
  access: accessSchema.default(accessSchema.parse({})),
  rate: rateSchema.default(rateSchema.parse({})),
  validation: validationSchema.default(validationSchema.parse({})),
  detection: detectionSchema.default(detectionSchema.parse({})),
  output: outputSchema.prefault({}),
  /** Token budgets, `max_tokens` and context caps (off until a limit is set); see budget/options.ts. */
  budget: budgetOptionsSchema.prefault({}),
  /** In-flight caps per client, identity and route (off until a cap is set); see budget/options.ts. */
  concurrency: concurrencyOptionsSchema.prefault({}),
  /** CIDR allow and deny lists, checked first, against the address `trustProxy` resolves. */
  network: networkOptionsSchema.prefault({}),
  /** Tamper-evident audit log (hash chain, optional HMAC and signed checkpoints); see audit/options.ts. */
  audit: auditOptionsSchema.prefault({}),
  /** Incident records behind `getIncidentSummary` and the alert rules. */
  incidents: incidentsOptionsSchema.prefault({}),
  /** Alert rules and delivery channels (email, webhook, console). */
  alerts: alertsOptionsSchema.prefault({}),
  /** In-process counters (dashboard, Prometheus) and OpenTelemetry spans and metrics; see telemetry/options.ts. */
  telemetry: telemetryOptionsSchema.prefault({}),
  /**
   * Per-route overrides keyed by `"METHOD /path"` or `"/path"`, where a trailing `*` matches any
   * suffix: `{ 'POST /v1/predict': { validation: { numeric: { min: -1, max: 1 } } } }`.
   */
  routes: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  /**
   * Shared state for a fleet of instances: rate budgets and lockouts, replay ids, incidents, behaviour
   * history, numeric baselines and alert windows. `createRedisStores(client)` from `@ai-shield/core/node`
   * gives all of them; what is not given stays in memory. Explicit `rate.store`, `incidents.store` or
   * `access.jwt.replay.store` win over it. See docs/scaling.md.
   */
  stores: z
    .custom<import('../stores/types.js').ShieldStores>(
      (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
      { message: 'expected a stores object, e.g. createRedisStores(client) from @ai-shield/core/node' },
    )
    .optional(),
  /** Called with every decision (after the pipeline). Errors thrown here are caught and logged. */
  onDecision: fn<(decision: Decision, request: ShieldRequest) => void>(
    'onDecision(decision, request)',
  ).optional(),
  /** Where operational warnings go (stage failures, unsafe options). Defaults to `console`. */
  logger: z
    .custom<ShieldLogger>(
      (value) =>
        typeof value === 'object' && value !== null && typeof (value as ShieldLogger).warn === 'function',
      { message: 'expected a logger with warn() and error()' },
    )
    .optional(),
});

export interface ShieldLogger {
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

type OptionsInput = z.input<typeof optionsSchema>;

type MethodKeys<T> = { [K in keyof T]-?: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T];

/**
 * Every option optional at every depth. Values that are used whole stay whole: functions, arrays, zod
 * schemas and objects with methods (stores, sinks, key rings).
 */
export type DeepPartial<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly unknown[]
    ? T
    : T extends { _zod: unknown }
      ? T
      : T extends object
        ? [MethodKeys<T>] extends [never]
          ? { [K in keyof T]?: DeepPartial<T[K]> }
          : T
        : T;

/**
 * What a route may change (`routes[key]`, `shield.route(overrides)`, Nest's `@Shield(overrides)`): any
 * option except `routes`, at any depth, merged onto the global options. Typed, so a misspelt key is a
 * compile error as well as the runtime "Did you mean" error.
 * @example
 * const overrides: RouteOverrides = { validation: { maxStringLength: 200_000 } };
 */
export type RouteOverrides = DeepPartial<Omit<OptionsInput, 'routes'>>;

/** The options accepted by `createShield()` and every adapter's `aiShield()`. */
export type ShieldOptions = Omit<OptionsInput, 'routes'> & {
  /**
   * Per-route overrides keyed by `"METHOD /path"` or `"/path"`, where a trailing `*` matches any suffix:
   * `{ 'POST /v1/predict': { validation: { numeric: { min: -1, max: 1 } } } }`.
   */
  routes?: Record<string, RouteOverrides>;
  /** Environment variables to read settings from (see README). Adapters pass `process.env`; `false` ignores it. */
  env?: Record<string, string | undefined> | false;
};

/** Options after defaults, presets and environment are applied. */
export type ResolvedOptions = z.output<typeof optionsSchema>;

export type AccessOptions = ResolvedOptions['access'];
export type RateOptions = ResolvedOptions['rate'];
export type ValidationOptions = ResolvedOptions['validation'];
export type DetectionOptions = ResolvedOptions['detection'];
export type ShieldOutputOptions = ResolvedOptions['output'];
export type ShieldAuditOptions = ResolvedOptions['audit'];
export type ShieldAlertsOptions = ResolvedOptions['alerts'];
export type ShieldBudgetOptions = ResolvedOptions['budget'];
export type ShieldConcurrencyOptions = ResolvedOptions['concurrency'];
export type ShieldNetworkOptions = ResolvedOptions['network'];
