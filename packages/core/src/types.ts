/**
 * Plain-data types shared by every capability and adapter. Nothing here is a class: decisions cross
 * package boundaries (CJS and ESM copies, workers, JSON logs) and must survive structured cloning.
 * @module
 */
import type { BudgetState, LeaseState } from './budget/stage.js';
import type { AiShieldErrorCode } from './errors.js';

/** How bad a finding or a request is. Ordered: low < medium < high < critical. */
export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** What the shield decided. `flag` lets the request through but records it. */
export type Action = 'allow' | 'flag' | 'block';

/** Request-side stages, in the order they run. */
export type StageName = 'access' | 'rate' | 'validation' | 'detection';

/** Every place a finding can come from: the request stages plus the response checks. */
export type FindingSource = StageName | 'response';

/** HTTP statuses a decision can carry. */
export type DecisionStatus = 200 | 400 | 401 | 403 | 408 | 413 | 415 | 422 | 429 | 503;

/** Where in the request (or response) a finding points. */
export interface FindingLocation {
  /** JSON path of the field, e.g. `messages[2].content` or `input[3]`. */
  path?: string;
  /** Start offset (UTF-16 code units) inside the field's text. */
  start?: number;
  /** End offset (exclusive). */
  end?: number;
}

/** One observation that contributed to a decision. */
export interface Finding {
  /** Stable machine-readable kind, e.g. `body.too_large`, `injection.instruction_override`. */
  kind: string;
  severity: Severity;
  /** Human explanation. Never contains secrets; may quote a short excerpt of user text. */
  message: string;
  /** Stage that produced it. */
  source: FindingSource;
  location?: FindingLocation;
  /** Contribution to the risk score, 0..1, when the producer scores its findings. */
  score?: number;
}

/** Who the caller is, once the access stage (or the application's `identify` hook) knows. */
export interface Identity {
  /** Subject: user id, service name or API key id. */
  id: string;
  /** How the identity was established, e.g. `jwt`, `api-key`, `custom`. */
  kind?: string;
  roles?: string[];
  /** OAuth scopes (JWT `scope` / `scp`, or the API key's scopes). */
  scopes?: string[];
  /** Key id for API keys or JWT `kid`; never the secret itself. */
  keyId?: string;
}

/** Header values as the core sees them: lower-case names, one string per header. */
export type ShieldHeaders = Record<string, string | undefined>;

/**
 * The framework-neutral request the pipeline inspects. Adapters build it from the native request.
 * `body` is the parsed value when the framework already parsed it; otherwise adapters hand over the raw
 * text in `bodyText` and the validation stage parses it within its limits.
 */
export interface ShieldRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  headers: ShieldHeaders;
  /** Address of the TCP peer (socket). The client IP is derived from it through `trustProxy`. */
  socketIp?: string;
  /** Identity already established by the application (e.g. by its own auth middleware). */
  identity?: Identity;
  /** Parsed body, when the framework parsed it already. */
  body?: unknown;
  /** Raw body text, when the adapter read it and left the parsing to the shield. */
  bodyText?: string;
  /** Size of the raw body in bytes, when known. */
  rawSize?: number;
  /** Set by an adapter that stopped reading because the body exceeded `validation.maxBodyBytes`. */
  bodyTruncated?: boolean;
  /**
   * Set by an adapter that gave up reading a body that did not arrive within `validation.bodyTimeoutMs`
   * (`timeout`) or at `validation.minBodyBytesPerSec` (`too_slow`); the validation stage answers 408.
   */
  bodyTimedOut?: 'timeout' | 'too_slow';
}

/** A stage that threw and was passed (fail-open) or turned into a 503 (fail-closed). */
export interface StageFailure {
  stage: StageName | 'response';
  policy: 'open' | 'closed' | 'insurance';
  /** Error code or name; the message is kept out of responses. */
  error: string;
  message: string;
}

export interface Risk {
  /** 0..1: the combined risk of the request. */
  score: number;
  severity: Severity;
  /** 0..1: the prompt scanner's own score of the request's text (the strongest field), when it scanned any. */
  detection?: number;
}

/** Per-stage wall time in milliseconds. */
export type StageTimings = Partial<Record<StageName, number>> & { total: number };

/** The outcome of `shield.protect(request)`. Plain data; safe to log, clone and serialize. */
export interface Decision {
  action: Action;
  status: DecisionStatus;
  /** Stable error code when `action` is `block`. */
  code?: AiShieldErrorCode;
  /** Short human reasons, most important first. The first reason of a block is client-safe (it is the problem `detail`); later ones may quote findings. */
  reasons: string[];
  /** Field-level problems behind a 422 (schema or numeric ranges), as `{ path, message }`. */
  errors?: Array<{ path: string; message: string }>;
  findings: Finding[];
  risk: Risk;
  requestId: string;
  /**
   * `monitor` does not block: `action` still says what enforcement would have done. The exception is
   * `enforced`.
   */
  mode: 'enforce' | 'monitor';
  /**
   * True for a block that stands in monitor mode too: the shield read the body itself and could not hand
   * it on (413 too large to read, 415 a media type it does not parse, 400 malformed JSON), so the handler
   * would get nothing or garbage. A body parsed by a framework parser before the shield is always usable,
   * so those requests pass in monitor mode. `isDenied()` accounts for it.
   */
  enforced?: boolean;
  /** Stages that failed unexpectedly and how the failure was handled. */
  failures: StageFailure[];
  timings: StageTimings;
  /** Headers the adapter should send (rate-limit headers, `Retry-After`, request id). */
  headers: Record<string, string>;
  clientIp: string;
  identity?: Identity;
  /** The parsed body the handler should see (set when the shield parsed it). */
  body?: unknown;
  /** The route policy key that matched, if any. */
  route?: string;
  /**
   * The token reservation (`budget` options): input tokens counted, output tokens reserved, and once
   * the response is known the tokens used and their cost. Settled by the response checks or `finish`.
   */
  budget?: BudgetState;
  /** The in-flight slot (`concurrency` options), released by `shield.finish(decision)`. */
  lease?: LeaseState;
}

/** What an adapter hands to `checkResponse` for the response side. */
export interface ShieldResponse {
  status: number;
  headers?: ShieldHeaders;
  /** Parsed JSON body, or text. */
  body: unknown;
}

/** The outcome of `shield.checkResponse(...)`. */
export interface ResponseCheck {
  action: Action;
  /** The body to send: the original or a rewritten (masked) one. */
  body: unknown;
  /** True when `body` differs from the input and must be re-serialized. */
  modified: boolean;
  findings: Finding[];
  /** When `action` is `block`, the status to send instead. */
  status?: number;
  code?: AiShieldErrorCode;
}
