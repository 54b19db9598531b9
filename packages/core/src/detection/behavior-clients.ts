/**
 * The behaviour tracker's per-client state, in typed-array columns: no object per client, no timer,
 * O(1) per access, at most `maxClients` clients.
 *
 * Per client: five decayed counters (request rate, outcomes, failures and their times) and a ring of its
 * last `historySize` input fingerprints (SimHash halves, a 32-bit exact hash, route hash, time in
 * deciseconds, modality). With the default 32 entries that is 40 + 32 × 21 = 712 bytes of columns, plus
 * the key string and its `Map` entry. Columns start small and double up to `maxClients`.
 *
 * Eviction is a second-chance clock: a client's reference bit is set when it is seen again; the hand
 * clears set bits as it passes and evicts the first client whose bit is clear (looking at no more than
 * {@link MAX_SCAN} slots). Clients seen once (a flood of one-off addresses) are therefore evicted before
 * clients that keep coming back. Internal: not re-exported from the package entry.
 * @module
 */

export const TEXT = 1;
export const NUMBERS = 2;

const INITIAL_CLIENTS = 256;
/** Slots the clock hand passes at most per eviction: O(1) even when every client was seen again. */
const MAX_SCAN = 32;

export class ClientTable {
  private readonly index = new Map<string, number>();
  private keys: Array<string | undefined> = [];
  private readonly free: number[] = [];
  private used = 0;
  private hand = 0;
  private capacity = 0;
  /** Time origin of the ring's decisecond stamps (first call). */
  private epoch = Number.NaN;

  ref = new Uint8Array(0);
  last = new Float64Array(0);
  count = new Float64Array(0);
  outcomes = new Float64Array(0);
  fails = new Float64Array(0);
  lastOutcome = new Float64Array(0);
  next = new Uint16Array(0);
  // Ring columns: client slot * historySize + i.
  sigHi = new Uint32Array(0);
  sigLo = new Uint32Array(0);
  exact = new Uint32Array(0);
  route = new Uint32Array(0);
  /** Deciseconds since `epoch` + 1; 0 marks an empty entry. */
  time = new Uint32Array(0);
  modality = new Uint8Array(0);

  constructor(
    private readonly maxClients: number,
    readonly historySize: number,
  ) {
    this.grow(Math.min(maxClients, INITIAL_CLIENTS));
  }

  get size(): number {
    return this.index.size;
  }

  /** The slot of `key`, created (evicting another client when full) when it has none. */
  slot(key: string, t: number): number {
    const found = this.index.get(key);
    if (found !== undefined) {
      this.ref[found] = 1;
      return found;
    }
    const slot = this.free.pop() ?? this.fresh();
    this.keys[slot] = key;
    this.index.set(key, slot);
    this.last[slot] = t;
    this.count[slot] = 0;
    this.outcomes[slot] = 0;
    this.fails[slot] = 0;
    this.lastOutcome[slot] = t;
    this.next[slot] = 0;
    const base = slot * this.historySize;
    this.time.fill(0, base, base + this.historySize);
    return slot;
  }

  forget(key: string): void {
    const slot = this.index.get(key);
    if (slot === undefined) return;
    this.index.delete(key);
    this.keys[slot] = undefined;
    this.ref[slot] = 0;
    this.free.push(slot);
  }

  /** A ring time stamp for `t` (ms). */
  stamp(t: number): number {
    if (Number.isNaN(this.epoch)) this.epoch = t;
    return Math.max(1, Math.floor((t - this.epoch) / 100) + 1);
  }

  private fresh(): number {
    if (this.used < this.capacity) return this.used++;
    if (this.capacity < this.maxClients) {
      this.grow(Math.min(this.maxClients, this.capacity * 2));
      return this.used++;
    }
    let slot = this.hand;
    for (let scanned = 0; scanned < MAX_SCAN && this.ref[slot] === 1; scanned++) {
      this.ref[slot] = 0;
      slot = slot + 1 >= this.used ? 0 : slot + 1;
    }
    this.hand = slot + 1 >= this.used ? 0 : slot + 1;
    this.index.delete(this.keys[slot]!);
    this.ref[slot] = 0;
    return slot;
  }

  private grow(capacity: number): void {
    const h = this.historySize;
    const copy = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(
      from: T,
      make: (n: number) => T,
      n: number,
    ): T => {
      const to = make(n);
      to.set(from);
      return to;
    };
    const f64 = (n: number) => new Float64Array(n);
    const u32 = (n: number) => new Uint32Array(n);
    const u8 = (n: number) => new Uint8Array(n);
    this.ref = copy(this.ref, u8, capacity);
    this.last = copy(this.last, f64, capacity);
    this.count = copy(this.count, f64, capacity);
    this.outcomes = copy(this.outcomes, f64, capacity);
    this.fails = copy(this.fails, f64, capacity);
    this.lastOutcome = copy(this.lastOutcome, f64, capacity);
    this.next = copy(this.next, (n) => new Uint16Array(n), capacity);
    this.sigHi = copy(this.sigHi, u32, capacity * h);
    this.sigLo = copy(this.sigLo, u32, capacity * h);
    this.exact = copy(this.exact, u32, capacity * h);
    this.route = copy(this.route, u32, capacity * h);
    this.time = copy(this.time, u32, capacity * h);
    this.modality = copy(this.modality, u8, capacity * h);
    this.capacity = capacity;
  }
}
