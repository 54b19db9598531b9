/**
 * The shared part of the behaviour tracker: each client's recent input fingerprints and its repeat
 * counts, kept where every instance sees them (Redis through `createRedisStores`), so that a client that
 * spreads its probes over several instances is seen as one. The in-memory ring of `behavior-clients.ts`
 * stays the per-process copy and the insurance when the store does not answer.
 * @module
 */

/** One observation pushed to the store. */
export interface BehaviorRecordInput {
  /** Client key, made store-safe by the tracker. */
  client: string;
  /** This input's fingerprints, encoded by {@link encodeBehaviorEntry}. */
  entries: string[];
  /** Entries kept per client (the newest; the tracker's `historySize`). */
  historySize: number;
  /** Lifetime of the client's history, seconds (the longer of the probe and repeat windows). */
  ttlSec: number;
  /** Counter of identical inputs (client, route, exact hash), or undefined when the input has none. */
  repeatKey?: string;
  repeatWindowSec: number;
}

/** What the store answers: the history before this input, newest first, and the repeat count including it. */
export interface BehaviorRecordResult {
  history: string[];
  repeats?: number;
}

/** Shared fingerprint history. One round trip per request; atomic per client. */
export interface BehaviorStore {
  /** `redis`, ... shown in failures. */
  readonly kind: string;
  /** The connection behind the store: stores sharing one share their health (see `RateStore.backend`). */
  readonly backend?: object;
  /** Returns the client's history, then appends `entries` (trimmed to `historySize`, expiring after `ttlSec`). */
  record(input: BehaviorRecordInput): Promise<BehaviorRecordResult>;
  /** A side-effect-free call to find out whether the store answers again. */
  probe(): Promise<unknown>;
}

/** A decoded history entry. */
export interface BehaviorEntry {
  route: number;
  modality: number;
  hi: number;
  lo: number;
  exact: number;
  /** Epoch milliseconds. */
  at: number;
}

/** Compact text form of an entry: base-36 fields joined by dots (about 35 bytes). */
export function encodeBehaviorEntry(entry: BehaviorEntry): string {
  return `${entry.route.toString(36)}.${entry.modality}.${entry.hi.toString(36)}.${entry.lo.toString(36)}.${entry.exact.toString(36)}.${Math.floor(entry.at).toString(36)}`;
}

/** Parses an entry; undefined for anything malformed (the store is not trusted blindly). */
export function decodeBehaviorEntry(text: unknown): BehaviorEntry | undefined {
  if (typeof text !== 'string' || text.length > 80) return undefined;
  const parts = text.split('.');
  if (parts.length !== 6) return undefined;
  const [route, modality, hi, lo, exact, at] = parts.map((part) => Number.parseInt(part, 36));
  if (![route, modality, hi, lo, exact, at].every((n) => Number.isFinite(n))) return undefined;
  return { route: route!, modality: modality!, hi: hi!, lo: lo!, exact: exact!, at: at! };
}
