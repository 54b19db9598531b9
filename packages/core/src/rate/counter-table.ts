/**
 * A bounded table of expiring counters without a timer per key: the state behind the in-memory rate
 * store. rate-limiter-flexible's memory store arms one `setTimeout` per key to delete it when its window
 * ends, so memory follows traffic over time (300,000 one-off clients held 385,000 live timers and 337 MB
 * of heap, issue 13). Here expiry is lazy and the size is capped:
 *
 * - Counters live in typed-array columns indexed by a slot; a `Map` finds a key's slot. Adding a key
 *   allocates no object (the key string and its map entry excepted).
 * - An expired counter is dropped when its key is looked up, and each insertion also checks the next two
 *   slots under a moving hand and frees those that have expired, so expired counters are collected at
 *   the rate new keys arrive.
 * - At `maxKeys`, a new key takes the slot of a victim chosen among the next 8 slots under the hand:
 *   an expired one if any, else the one with the fewest points (ties: the one whose window ends first).
 *   A flood of one-off clients therefore evicts its own counters (1 point each) before those of the
 *   clients that are close to their limit or locked out, so evicting cannot be used to reset a budget.
 *
 * Every operation is O(1).
 * @module
 */

/** How many slots an eviction looks at (more: better victims; fewer: cheaper). */
const EVICTION_SAMPLE = 8;
/** Slots examined for expiry on each insertion. Above 1, so the hand outruns insertions. */
const SWEEP_PER_INSERT = 2;
const INITIAL_CAPACITY = 1024;

export interface CounterTableStats {
  /** Keys held now. */
  size: number;
  /** Live counters dropped to make room (their clients start a fresh window). */
  evicted: number;
  /** Slots allocated (grows by doubling up to `maxKeys`). */
  capacity: number;
}

/** Expiring counters keyed by string; see the module comment. Times are in milliseconds. */
export class CounterTable {
  private readonly index = new Map<string, number>();
  private keys: Array<string | undefined> = [];
  private points: Float64Array;
  /** Expiry time; 0 marks a free slot. */
  private expires: Float64Array;
  private readonly free: number[] = [];
  /** Slots handed out so far (the next fresh slot). */
  private used = 0;
  private hand = 0;
  private evictions = 0;

  constructor(private readonly maxKeys: number) {
    const capacity = Math.min(maxKeys, INITIAL_CAPACITY);
    this.points = new Float64Array(capacity);
    this.expires = new Float64Array(capacity);
  }

  /** The live slot of `key`, or -1. An expired counter found here is freed. */
  find(key: string, now: number): number {
    const slot = this.index.get(key);
    if (slot === undefined) return -1;
    if (this.expires[slot]! > now) return slot;
    this.release(slot);
    return -1;
  }

  /** Starts a counter for a key that has none (call `find` first). */
  add(key: string, points: number, expiresAt: number, now: number): number {
    this.sweep(now);
    const slot = this.free.pop() ?? this.fresh(now);
    this.keys[slot] = key;
    this.points[slot] = points;
    this.expires[slot] = expiresAt;
    this.index.set(key, slot);
    return slot;
  }

  pointsAt(slot: number): number {
    return this.points[slot]!;
  }

  expiresAt(slot: number): number {
    return this.expires[slot]!;
  }

  set(slot: number, points: number, expiresAt: number): void {
    this.points[slot] = points;
    this.expires[slot] = expiresAt;
  }

  addPoints(slot: number, points: number): number {
    const value = this.points[slot]! + points;
    this.points[slot] = value;
    return value;
  }

  delete(key: string): void {
    const slot = this.index.get(key);
    if (slot !== undefined) this.release(slot);
  }

  get stats(): CounterTableStats {
    return { size: this.index.size, evicted: this.evictions, capacity: this.expires.length };
  }

  private release(slot: number): void {
    this.index.delete(this.keys[slot]!);
    this.keys[slot] = undefined;
    this.expires[slot] = 0;
    this.free.push(slot);
  }

  /** A never-used slot (growing the columns up to `maxKeys`), else an evicted one. */
  private fresh(now: number): number {
    if (this.used < this.expires.length) return this.used++;
    if (this.expires.length < this.maxKeys) {
      const capacity = Math.min(this.maxKeys, this.expires.length * 2);
      const points = new Float64Array(capacity);
      points.set(this.points);
      const expires = new Float64Array(capacity);
      expires.set(this.expires);
      this.points = points;
      this.expires = expires;
      return this.used++;
    }
    return this.evict(now);
  }

  private sweep(now: number): void {
    if (this.used === 0) return;
    for (let i = 0; i < SWEEP_PER_INSERT; i++) {
      const slot = this.hand;
      this.hand = slot + 1 >= this.used ? 0 : slot + 1;
      const expires = this.expires[slot]!;
      if (expires !== 0 && expires <= now) this.release(slot);
    }
  }

  private evict(now: number): number {
    let victim = -1;
    for (let i = 0; i < EVICTION_SAMPLE; i++) {
      const slot = this.hand;
      this.hand = slot + 1 >= this.used ? 0 : slot + 1;
      if (this.expires[slot]! <= now) {
        victim = slot;
        break;
      }
      if (
        victim < 0 ||
        this.points[slot]! < this.points[victim]! ||
        (this.points[slot] === this.points[victim] && this.expires[slot]! < this.expires[victim]!)
      ) {
        victim = slot;
      }
    }
    if (this.expires[victim]! > now) this.evictions++;
    this.index.delete(this.keys[victim]!);
    this.keys[victim] = undefined;
    this.expires[victim] = 0;
    return victim;
  }
}
