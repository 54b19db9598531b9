/**
 * Audit entry and sink types. An entry is one JSON line; `hash` covers every other member (including
 * `prevHash`), so editing, deleting, inserting or reordering lines breaks the chain.
 * @module
 */
import type { Action, DecisionStatus, Identity, Severity, StageName } from '../types.js';

/** `prevHash` of the first entry of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** What an entry records. Applications may add their own types through `logIncident` (`incident`). */
export type AuditEntryType =
  | 'decision'
  | 'response'
  | 'incident'
  | 'usage'
  | 'alert.sent'
  | 'alert.undeliverable'
  | 'audit.started'
  | 'audit.repaired'
  | 'audit.truncated'
  | 'audit.dropped'
  | 'audit.recovered';

/**
 * A decision as the audit log keeps it: no body, no finding messages (they may quote user text) unless
 * payloads are `full`, no secrets ever.
 */
export interface DecisionSummary {
  action: Action;
  status: DecisionStatus | number;
  code?: string;
  mode: 'enforce' | 'monitor';
  /** A block that stood in monitor mode (see `Decision.enforced`). */
  enforced?: boolean;
  risk: { score: number; severity: Severity };
  /** The first (client-safe) reason; all reasons when payloads are `full`. */
  reasons: string[];
  findings: Array<{ kind: string; severity: Severity; source: string; path?: string; message?: string }>;
  /** Stages that failed and the policy applied (fail open / closed / insurance). */
  failures: Array<{ stage: StageName | 'response'; policy: string; error: string }>;
  route?: string;
  /** True for the decision of a route-level policy folded into an outer one (same request id). */
  nested?: boolean;
}

/** The request as the audit log keeps it: the body as a SHA-256 and a length unless payloads are `full`. */
export interface RequestSummary {
  method: string;
  path: string;
  /** SHA-256 (hex) of the raw body text (or of the JSON of a pre-parsed body). */
  bodySha256?: string;
  /** Length of that text in UTF-16 code units. */
  bodyLength?: number;
  /** The body, with secrets redacted (only with `payloads: 'full'`). */
  body?: unknown;
}

/** One line of the audit log. */
export interface AuditEntry {
  /** Format version. */
  v: 1;
  /** Position in the chain: 0 for the first entry, +1 each entry, continuing across files and restarts. */
  seq: number;
  /** ISO 8601 time the entry was sealed. */
  ts: string;
  /** Which process wrote it (`audit.instance`). */
  instance: string;
  /** `modelName` of the shield. */
  model: string;
  type: AuditEntryType;
  requestId?: string;
  clientIp?: string;
  identity?: Pick<Identity, 'id' | 'kind' | 'keyId'>;
  request?: RequestSummary;
  decision?: DecisionSummary;
  /** Type-specific details (incident, alert, repair info). Never secrets. */
  data?: Record<string, unknown>;
  /** Fingerprint of the HMAC key (`kid`), present when the chain is keyed. Not the key. */
  kid?: string;
  prevHash: string;
  /** SHA-256 (or HMAC-SHA-256 with `audit.hmacKey`, `AI_SHIELD_AUDIT_HMAC_KEY`) of the canonical JSON of every other member. */
  hash: string;
}

/** An entry before it is sealed (the log fills in the chain members). */
export type AuditRecord = Omit<
  AuditEntry,
  'v' | 'seq' | 'ts' | 'instance' | 'model' | 'kid' | 'prevHash' | 'hash'
> & {
  /** Text whose SHA-256 and length go to `request.bodySha256` / `request.bodyLength` (hashed off the request path). */
  bodyText?: string;
  /**
   * Acknowledge only once the entry is on stable storage: the batch holding it is written with
   * `sync: true` (the file sink's `fdatasync`). Set for refusals. Not written into the entry.
   */
  durable?: boolean;
};

/** The last sealed entry: where a chain continues from. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * A signed statement "the chain had reached `seq` with `hash` at `ts`", written apart from the log so
 * that cutting entries off the end is detected.
 */
export interface AuditCheckpoint {
  v: 1;
  /** `checkpoint` (appended to the checkpoint file) or `head` (the single, rewritten head record). */
  type: 'checkpoint' | 'head';
  seq: number;
  hash: string;
  ts: string;
  instance: string;
  /** `Ed25519` (signature with `audit.checkpoints.signingKey`), `HS256` (HMAC with the audit key) or `none`. */
  alg: 'Ed25519' | 'HS256' | 'none';
  kid?: string;
  /** Base64url signature or MAC over the canonical JSON of the other members. */
  sig?: string;
}

/** What a sink reports when it opens: where the chain stands, and whether it had to repair the file. */
export interface AuditSinkState {
  head?: ChainHead;
  /** Set when a torn (incomplete) last line was cut off; recorded as an `audit.repaired` entry. */
  repaired?: { file: string; bytesRemoved: number; removedSha256: string };
  /** Set when the previous chain could not be resumed (its last line is unreadable). */
  resetReason?: string;
  /**
   * Set when the head record names a later entry than the log holds: entries were cut off the end while
   * no writer was running (or lost to a power loss). Recorded as an `audit.truncated` entry.
   */
  truncated?: { headSeq: number; logSeq: number | null };
}

/** Options of one `AuditSink.write`. */
export interface AuditWriteOptions {
  /** The batch holds an entry that must be on stable storage before it is acknowledged (a refusal). */
  sync?: boolean;
}

/**
 * Where sealed entries go. The main entry ships `createMemorySink`; `@ai-shield/core/node` ships the
 * JSONL file sink. Calls are never concurrent: the log awaits each before the next.
 */
export interface AuditSink {
  /** Opens the sink and reports the chain head to continue from. Called once, before the first write. */
  open?(): Promise<AuditSinkState>;
  /**
   * Appends entries, one line each (`lines[i]` is the JSON of `entries[i]`, without a newline). Resolves
   * once the entries are as durable as the sink promises, and with `options.sync` only once they are on
   * stable storage (the batch holds a refusal). Rejects when nothing or only part was written (the sink
   * removes a partial write; the log retries the same lines).
   */
  write(lines: string[], entries: AuditEntry[], options?: AuditWriteOptions): Promise<void>;
  /** Stores a checkpoint apart from the log. Must first make every entry it covers durable. */
  writeCheckpoint?(line: string, checkpoint: AuditCheckpoint): Promise<void>;
  /**
   * Replaces the head record (`seq` and `hash` of the last entry written, signed like a checkpoint), kept
   * apart from the log and rewritten after every write, so that `audit verify` notices entries cut off
   * the end even between checkpoints. A file beside the log, or shared storage for a fleet.
   */
  writeHead?(line: string, head: AuditCheckpoint): Promise<void>;
  /** Makes everything written so far durable. */
  flush?(): Promise<void>;
  close?(): Promise<void>;
}

/**
 * Where a fleet's head records are kept apart from the logs (Redis, or a folder on another host), so
 * that `ai-shield audit verify --heads ...` notices a chain whose files were deleted whole.
 */
export interface AuditHeadStore {
  /** `redis`, `file`, ... */
  readonly kind: string;
  /** Records the newest head record of `instance` (the JSON line the sink wrote). */
  publish(instance: string, line: string): Promise<void>;
  /** The latest head record of every instance that published one. */
  list(): Promise<Record<string, string>>;
}
