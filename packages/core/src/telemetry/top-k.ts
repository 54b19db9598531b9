/**
 * Heavy hitters in fixed memory: the space-saving algorithm (Metwally, Agrawal, El Abbadi, "Efficient
 * Computation of Frequent and Top-k Elements in Data Streams", ICDT 2005). `capacity` counters; a new key
 * takes over the smallest counter and inherits its count as `error`, so a reported count overestimates
 * the true one by at most `error`, and every key seen more than total/capacity times is kept.
 * @module
 */

export interface TopKEntry {
  key: string;
  count: number;
  /** Upper bound of the overestimate in `count`. */
  error: number;
}

export interface TopK {
  add(key: string): void;
  /** The `n` largest counters, largest first. */
  top(n?: number): TopKEntry[];
}

export function createTopK(capacity: number): TopK {
  const keys: string[] = [];
  const counts = new Float64Array(capacity);
  const errors = new Float64Array(capacity);
  const index = new Map<string, number>();

  function add(key: string): void {
    const at = index.get(key);
    if (at !== undefined) {
      counts[at]!++;
      return;
    }
    if (keys.length < capacity) {
      index.set(key, keys.length);
      counts[keys.length] = 1;
      keys.push(key);
      return;
    }
    // A linear scan of a fixed-size table: O(capacity), and it only runs for a key not already tracked.
    let min = 0;
    for (let i = 1; i < capacity; i++) if (counts[i]! < counts[min]!) min = i;
    index.delete(keys[min]!);
    keys[min] = key;
    errors[min] = counts[min]!;
    counts[min]!++;
    index.set(key, min);
  }

  function top(n = capacity): TopKEntry[] {
    return keys
      .map((key, i) => ({ key, count: counts[i]!, error: errors[i]! }))
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1))
      .slice(0, n);
  }

  return { add, top };
}
