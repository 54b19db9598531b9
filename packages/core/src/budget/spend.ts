/**
 * Spend per subject (identity, else client address) per hour, against its usual hourly spend: the
 * signal behind "identity X spent 40x its usual budget in an hour" (issue 19). The usual spend is an
 * exponentially weighted average of past hours (idle hours count as zero), so a subject needs one full
 * hour of history before it can be found unusual. Bounded: the least recently active subject goes first.
 * @module
 */

/** Weight of the newest completed hour in the usual spend. */
const ALPHA = 0.3;
const HOUR_MS = 3_600_000;

export interface SpendTrackerOptions {
  /** Tokens this hour at or above `factor` times the usual hourly spend are unusual. */
  factor: number;
  /** ... and at least this many tokens (a subject that usually spends 10 may spend 500). */
  minTokens: number;
  /** Subjects remembered. */
  maxSubjects: number;
  now?: () => number;
}

export interface Overspend {
  subject: string;
  /** Tokens this hour so far. */
  tokens: number;
  /** Cost this hour so far (when the models have prices). */
  cost: number;
  /** Usual tokens per hour. */
  usual: number;
  /** `tokens / usual`, rounded. */
  ratio: number;
}

interface Entry {
  hour: number;
  tokens: number;
  cost: number;
  usual: number;
  /** Completed hours seen. */
  hours: number;
  reported: boolean;
}

/** Per-model totals since start (bounded to `maxModels`). */
export interface ModelSpend {
  requests: number;
  input: number;
  output: number;
  cost: number;
}

export function createSpendTracker(options: SpendTrackerOptions) {
  const now = options.now ?? Date.now;
  const subjects = new Map<string, Entry>();
  const models = new Map<string, ModelSpend>();
  const maxModels = 256;

  return {
    /** Adds one settled request; returns the overspend the first time a subject's hour becomes unusual. */
    record(subject: string, tokens: number, cost: number): Overspend | undefined {
      const hour = Math.floor(now() / HOUR_MS);
      let entry = subjects.get(subject);
      if (entry)
        subjects.delete(subject); // re-inserted below: Map order is recency
      else {
        if (subjects.size >= options.maxSubjects) subjects.delete(subjects.keys().next().value!);
        entry = { hour, tokens: 0, cost: 0, usual: 0, hours: 0, reported: false };
      }
      if (entry.hour < hour) {
        const idle = Math.min(48, hour - entry.hour - 1);
        entry.usual = entry.hours === 0 ? entry.tokens : entry.usual * (1 - ALPHA) + entry.tokens * ALPHA;
        entry.usual *= (1 - ALPHA) ** idle;
        entry.hours += 1 + idle;
        entry.hour = hour;
        entry.tokens = 0;
        entry.cost = 0;
        entry.reported = false;
      }
      entry.tokens += tokens;
      entry.cost += cost;
      subjects.set(subject, entry);
      if (
        entry.reported ||
        entry.hours === 0 ||
        entry.tokens < options.minTokens ||
        entry.tokens < options.factor * Math.max(1, entry.usual)
      ) {
        return undefined;
      }
      entry.reported = true;
      const usual = Math.round(entry.usual);
      return {
        subject,
        tokens: entry.tokens,
        cost: entry.cost,
        usual,
        ratio: Math.round((entry.tokens / Math.max(1, entry.usual)) * 10) / 10,
      };
    },
    /** Adds a settled request to its model's totals. */
    model(name: string, input: number, output: number, cost: number): void {
      let spend = models.get(name);
      if (!spend) {
        if (models.size >= maxModels) return;
        models.set(name, (spend = { requests: 0, input: 0, output: 0, cost: 0 }));
      }
      spend.requests++;
      spend.input += input;
      spend.output += output;
      spend.cost += cost;
    },
    /** Totals per model since the shield started. */
    models(): Record<string, ModelSpend> {
      return Object.fromEntries([...models].map(([name, spend]) => [name, { ...spend }]));
    },
  };
}
