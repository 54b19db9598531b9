/**
 * Where token budgets and in-flight leases are counted. "Over the budget" is a result; "store down" is a
 * thrown Error that the stage's `onStoreError` policy handles (the rate store's model). The in-memory
 * store lives here; the Redis one (atomic Lua scripts, leases that expire) in `@ai-shield/core/node`.
 * @module
 */
import { CounterTable } from '../rate/counter-table.js';

/** One window counter a reservation is charged to. */
export interface BudgetCharge {
  key: string;
  /** Tokens allowed in the window. */
  limit: number;
  windowMs: number;
}

export type ReserveResult =
  | { ok: true }
  /** `index`: the charge that refused; `used`: tokens already counted in its window. */
  | { ok: false; index: number; retryAfterMs: number; used: number };

/** One in-flight counter a lease takes a slot of. */
export interface LeaseSlot {
  key: string;
  limit: number;
}

export type AcquireResult = { ok: true } | { ok: false; index: number };

export interface BudgetStore {
  /** `memory`, `redis`, ... shown in failures. */
  readonly kind: string;
  /** The connection behind the store; stores sharing one share their health (rate/store-guard.ts). */
  readonly backend?: object;
  /**
   * Adds `tokens` to every charge's window, all or nothing: when one window would go over its limit
   * nothing is added. Atomic: concurrent reservations cannot both pass on the same remaining tokens.
   */
  reserve(charges: readonly BudgetCharge[], tokens: number): Promise<ReserveResult>;
  /** Adds `delta` (negative: a refund) to the windows that are still live, without a limit check. */
  adjust(charges: readonly BudgetCharge[], delta: number): Promise<void>;
  /** Takes one slot of every counter for `leaseId`, all or nothing; the slot expires after `ttlMs`. */
  acquire(slots: readonly LeaseSlot[], leaseId: string, ttlMs: number): Promise<AcquireResult>;
  /** Gives the lease's slots back (idempotent). */
  release(keys: readonly string[], leaseId: string): Promise<void>;
  /** A side-effect-free call the store guard uses to find out whether the store is back. */
  probe(): Promise<unknown>;
}

export interface MemoryBudgetStoreOptions {
  /** Window counters kept at most (bounded like the rate counters, no timer). Default 100,000. */
  maxKeys?: number;
  /** Clock in ms; injectable for tests. */
  now?: () => number;
}

/**
 * Budgets and leases in this process (per isolate on Workers). Single-threaded, so every operation is
 * atomic as written.
 * @example
 * aiShield({ budget: { perClient: { tokens: 20_000 }, store: createMemoryBudgetStore() } });
 */
export function createMemoryBudgetStore(
  options: MemoryBudgetStoreOptions = {},
): BudgetStore & { readonly leaseKeys: number } {
  const now = options.now ?? Date.now;
  const table = new CounterTable(options.maxKeys ?? 100_000);
  // key -> lease id -> expiry. Keys without leases are deleted, so the map holds in-flight work only.
  const leases = new Map<string, Map<string, number>>();

  // A moving hand over the keys drops expired leases that nobody released (a caller that never calls
  // `finish`), so the map cannot grow with clients that do not come back.
  let hand: Iterator<string> | undefined;
  const sweep = (at: number) => {
    for (let i = 0; i < 2; i++) {
      hand ??= leases.keys();
      const next = hand.next();
      if (next.done) {
        hand = undefined;
        return;
      }
      live(next.value, at);
    }
  };
  const live = (key: string, at: number) => {
    const held = leases.get(key);
    if (!held) return 0;
    for (const [id, expires] of held) if (expires <= at) held.delete(id);
    if (held.size === 0) leases.delete(key);
    return held.size;
  };

  return {
    kind: 'memory',
    async reserve(charges, tokens) {
      const at = now();
      for (let i = 0; i < charges.length; i++) {
        const charge = charges[i]!;
        const slot = table.find(charge.key, at);
        const used = slot < 0 ? 0 : table.pointsAt(slot);
        if (used + tokens > charge.limit) {
          const retryAfterMs = slot < 0 ? charge.windowMs : table.expiresAt(slot) - at;
          return { ok: false, index: i, retryAfterMs, used };
        }
      }
      for (const charge of charges) {
        const slot = table.find(charge.key, at);
        if (slot < 0) table.add(charge.key, tokens, at + charge.windowMs, at);
        else table.addPoints(slot, tokens);
      }
      return { ok: true };
    },
    async adjust(charges, delta) {
      const at = now();
      for (const charge of charges) {
        const slot = table.find(charge.key, at);
        if (slot >= 0) table.set(slot, Math.max(0, table.pointsAt(slot) + delta), table.expiresAt(slot));
      }
    },
    async acquire(slots, leaseId, ttlMs) {
      const at = now();
      sweep(at);
      for (let i = 0; i < slots.length; i++) {
        if (live(slots[i]!.key, at) >= slots[i]!.limit) return { ok: false, index: i };
      }
      for (const { key } of slots) {
        let held = leases.get(key);
        if (!held) leases.set(key, (held = new Map()));
        held.set(leaseId, at + ttlMs);
      }
      return { ok: true };
    },
    async release(keys, leaseId) {
      for (const key of keys) {
        const held = leases.get(key);
        if (!held) continue;
        held.delete(leaseId);
        if (held.size === 0) leases.delete(key);
      }
    },
    async probe() {
      return true;
    },
    /** Counters holding in-flight leases now (for tests and diagnostics). */
    get leaseKeys() {
      return leases.size;
    },
  };
}
