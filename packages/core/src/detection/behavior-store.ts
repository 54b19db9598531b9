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

/** Options of {@link createMemoryBehaviorStore}. */
export interface MemoryBehaviorStoreOptions {
  /** Clients kept; the least recently seen is dropped beyond. Default 10,000. */
  maxClients?: number;
  /** Clock, ms (tests). Default `Date.now`. */
  now?: () => number;
}

/**
 * The behaviour store in memory: what `createRedisStores` keeps in Redis, for several shields in one
 * process or isolate (e.g. one per tenant) that must see a client as one, and for tests.
 * @example
 * const behavior = createMemoryBehaviorStore();
 * const shields = tenants.map((tenant) => createShield({ stores: { behavior } }));
 */
export function createMemoryBehaviorStore(options: MemoryBehaviorStoreOptions = {}): BehaviorStore {
  const maxClients = options.maxClients ?? 10_000;
  const now = options.now ?? Date.now;
  const clients = new Map<string, { history: string[]; expires: number }>();
  const repeats = new Map<string, { count: number; expires: number }>();
  const trim = <T>(map: Map<string, T>) => {
    while (map.size > maxClients) map.delete(map.keys().next().value as string);
  };
  return {
    kind: 'memory',
    async record(input) {
      const at = now();
      const found = clients.get(input.client);
      const history = found && found.expires > at ? found.history : [];
      const previous = history.slice(0, input.historySize);
      const next = [...input.entries].reverse().concat(previous).slice(0, input.historySize);
      clients.delete(input.client);
      clients.set(input.client, { history: next, expires: at + input.ttlSec * 1000 });
      trim(clients);
      let count: number | undefined;
      if (input.repeatKey) {
        const counter = repeats.get(input.repeatKey);
        const live =
          counter && counter.expires > at
            ? counter
            : { count: 0, expires: at + input.repeatWindowSec * 1000 };
        live.count += 1;
        repeats.delete(input.repeatKey);
        repeats.set(input.repeatKey, live);
        trim(repeats);
        count = live.count;
      }
      return { history: previous, ...(count !== undefined ? { repeats: count } : {}) };
    },
    async probe() {
      return true;
    },
  };
}
