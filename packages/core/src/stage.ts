/**
 * What the pipeline's stages share: the per-request context they read and write, and the verdict a
 * blocking stage returns.
 * @module
 */
import type { AiShieldErrorCode } from './errors.js';
import type { DecisionStatus, Finding, Identity, ShieldRequest, StageFailure } from './types.js';
import type { BodyView } from './validation/walk.js';

/** A stage's refusal. */
export interface Block {
  status: DecisionStatus;
  code: AiShieldErrorCode;
  /** Client-safe reason: written by us, never quoting request content. */
  reason: string;
  /** Field-level errors for 422 responses. */
  errors?: Array<{ path: string; message: string }>;
  /**
   * The shield read the body itself and has nothing usable to hand on (too large to read, a media type
   * it does not parse, malformed JSON): refused in monitor mode too (see `Decision.enforced`).
   */
  bodyUnusable?: boolean;
}

/** Per-request state threaded through the stages. */
export interface RequestContext {
  req: ShieldRequest;
  clientIp: string;
  /** Key of the per-client counters: `clientIp`, or its IPv6 prefix (`ipv6Subnet`). */
  clientKey: string;
  identity?: Identity;
  /**
   * The identity a refused but genuine credential names (a correctly signed token that expired or has
   * the wrong audience, a known API key that was revoked): failed attempts are counted against it too.
   * Never set from an unverified credential, so a forged token cannot get someone else delayed.
   */
  attempted?: { kind: string; id: string };
  /** The budget of the API key that authenticated the request (counted by the rate stage). */
  keyLimit?: { keyId: string; points: number; durationSec: number };
  /** Parsed body (set by validation when it parsed `bodyText`). */
  body: unknown;
  /** The validation stage's walk of the body, reused by detection. */
  view?: BodyView;
  findings: Finding[];
  /**
   * Scores of scorers whose findings only explain them (detection): the risk combines these with the
   * severities of the other stages' findings, so an explained score is not counted twice.
   */
  signals: Array<{ source: string; score: number }>;
  /** The prompt scanner's strongest score over the request's text, when it had text to scan (telemetry). */
  textScore?: number;
  headers: Record<string, string>;
  failures: StageFailure[];
}

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** True for methods whose requests normally carry a body. */
export function expectsBody(method: string): boolean {
  return METHODS_WITH_BODY.has(method);
}
