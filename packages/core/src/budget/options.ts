/**
 * The `budget` and `concurrency` options (issue 19, OWASP LLM10 "unbounded consumption"): token budgets
 * per client and identity, `max_tokens` and context caps, in-flight caps. Everything is off until a
 * limit is configured; then the defaults are the safe ones (refuse over a cap, keep counting in memory
 * when a shared store fails).
 * @module
 */
import { z } from 'zod';
import type { BudgetStore } from './store.js';

/** Tokens allowed per window. */
export const tokenWindowSchema = z.strictObject({
  /** Tokens (input + output) allowed per window. */
  tokens: z.number().int().positive(),
  /** Window length in seconds (60: per minute, 3600: per hour, 86400: per day). */
  durationSec: z.number().positive().default(60),
});

/** One window, several (minute, hour and day at once), or `false`. */
const windows = z
  .union([tokenWindowSchema, z.array(tokenWindowSchema).min(1), z.literal(false)])
  .default(false);

const storeSchema = z.custom<BudgetStore>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as BudgetStore).reserve === 'function' &&
    typeof (value as BudgetStore).acquire === 'function',
  { message: 'expected a BudgetStore (createRedisBudgetStore(client) from @ai-shield/core/node)' },
);

const tokenizerSchema = z.union([
  z.enum(['o200k_base', 'cl100k_base', 'estimate']),
  z.custom<(text: string) => number>((value) => typeof value === 'function', {
    message: 'expected o200k_base | cl100k_base | estimate, or a function (text) => tokens',
  }),
]);

/** Price of a model in currency units per million tokens. */
const priceSchema = z.strictObject({
  input: z.number().min(0),
  output: z.number().min(0),
});

export const budgetOptionsSchema = z.strictObject({
  /** Token budget per client address (its IPv6 prefix, see `ipv6Subnet`). */
  perClient: windows,
  /** Token budget per authenticated identity (API keys count per key id), on top of `perClient`. */
  perIdentity: windows,
  /**
   * How input tokens are counted: `o200k_base` (GPT-4o and later) or `cl100k_base` through
   * `gpt-tokenizer` (loaded on first use), `estimate` (characters / 4, non-ASCII counted 1:1; no
   * dependency, for the edge), or your own function.
   */
  tokenizer: tokenizerSchema.default('o200k_base'),
  /**
   * Text beyond this many characters is estimated, not tokenized: gpt-tokenizer costs 15-60 µs per KB of
   * prompt with its merge cache warm (bench:pipeline) and up to ~0.5 ms per KB of text it has never seen,
   * so an unbounded prompt would be a CPU lever for whoever sends it.
   */
  maxTokenizeChars: z.number().int().positive().default(8192),
  /** Largest `max_tokens` (or `max_completion_tokens` / `max_output_tokens`) a request may ask for. */
  maxOutputTokens: z.number().int().positive().optional(),
  /** Largest input (prompt) a request may send, in tokens. */
  maxInputTokens: z.number().int().positive().optional(),
  /**
   * Over `maxOutputTokens`: refuse (422) or lower the request's value to the cap (`clamp`; the handler
   * sees the clamped body). Over `maxInputTokens` is always refused (413).
   */
  onCapExceeded: z.enum(['refuse', 'clamp']).default('refuse'),
  /** Output tokens reserved for a request that does not say (`max_tokens` absent); settled after. */
  defaultOutputTokens: z.number().int().positive().default(1024),
  /**
   * A stream that outputs more than was reserved takes more from the budget this many tokens at a time;
   * when the budget has none left the stream is cut with a final error event.
   */
  streamStepTokens: z.number().int().positive().default(256),
  /** Prices per model (`body.model`) in currency units per million tokens, for cost accounting. */
  prices: z.record(z.string(), priceSchema).default({}),
  /**
   * An incident (`budget_overspend`, high; alerted by the default `overspend` rule) when a subject
   * (identity, else client address) spends `factor` times its usual hourly tokens, and at least
   * `minTokens`, within an hour. `false` disables.
   */
  spendAlert: z
    .union([
      z.strictObject({
        factor: z.number().min(1).default(10),
        minTokens: z.number().int().positive().default(10_000),
        maxSubjects: z.number().int().positive().default(10_000),
      }),
      z.literal(false),
    ])
    .default({ factor: 10, minTokens: 10_000, maxSubjects: 10_000 }),
  /** Write a `usage` audit entry (tokens, model, cost) for every settled request. Off: one entry per request. */
  auditUsage: z.boolean().default(false),
  /** Shared budget store; defaults to in-memory. `createRedisBudgetStore(client)` from `@ai-shield/core/node`. */
  store: storeSchema.optional(),
  /** When the store fails or times out (`rate.storeTimeoutMs`): count in memory, pass, or refuse (503). */
  onStoreError: z.enum(['insurance', 'open', 'closed']).default('insurance'),
  /** Key namespace in the store. */
  keyPrefix: z.string().min(1).default('ais:tok'),
});

export const concurrencyOptionsSchema = z.strictObject({
  /** Requests (streams included) one client address may have in flight. `false`: no cap. */
  perClient: z.union([z.number().int().positive(), z.literal(false)]).default(false),
  /** Requests one identity may have in flight. `false`: no cap. */
  perIdentity: z.union([z.number().int().positive(), z.literal(false)]).default(false),
  /** Requests in flight on this policy (a route's, when set in `routes`) from everyone together. */
  perRoute: z.union([z.number().int().positive(), z.literal(false)]).default(false),
  /**
   * A slot is released when the response finishes, fails or the client goes away; this is how long it
   * is held at most when that never happens (an instance died holding it in a shared store).
   */
  leaseTtlSec: z.number().positive().default(300),
  /** Shared store (the same `BudgetStore` as `budget.store`); defaults to in-memory. */
  store: storeSchema.optional(),
  onStoreError: z.enum(['insurance', 'open', 'closed']).default('insurance'),
  keyPrefix: z.string().min(1).default('ais:inflight'),
});

export type BudgetOptions = z.output<typeof budgetOptionsSchema>;
export type ConcurrencyOptions = z.output<typeof concurrencyOptionsSchema>;
export type TokenWindow = z.output<typeof tokenWindowSchema>;

/** The windows of one `perClient` / `perIdentity` setting, as a list. */
export function windowList(value: BudgetOptions['perClient']): TokenWindow[] {
  return value === false ? [] : Array.isArray(value) ? value : [value];
}

/** True when the budget options ask for any check at all. */
export function budgetActive(options: BudgetOptions): boolean {
  return (
    options.perClient !== false ||
    options.perIdentity !== false ||
    options.maxOutputTokens !== undefined ||
    options.maxInputTokens !== undefined ||
    Object.keys(options.prices).length > 0 ||
    options.auditUsage
  );
}

/** True when any in-flight cap is set. */
export function concurrencyActive(options: ConcurrencyOptions): boolean {
  return options.perClient !== false || options.perIdentity !== false || options.perRoute !== false;
}
