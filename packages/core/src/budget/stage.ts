/**
 * The consumption stage (issue 19): `max_tokens` and context caps, in-flight leases, and token budgets
 * reserved before the model is called and settled from its response. It runs last, once the request
 * is otherwise allowed, so a request refused for another reason reserves nothing.
 *
 * A reservation is input tokens (counted) plus output tokens (`max_tokens`, else
 * `defaultOutputTokens`); settlement corrects it with the response's `usage`, or with the tokens
 * counted from the stream. What the decision carries (`decision.budget`, `decision.lease`) is plain
 * data, so the adapters' response hooks and `shield.finish()` can settle and release from any copy.
 * @module
 */
import { AiShieldError } from '../errors.js';
import { createStoreGuards, type StoreGuards } from '../rate/store-guard.js';
import type { Block, RequestContext } from '../stage.js';
import {
  type BudgetOptions,
  budgetActive,
  type ConcurrencyOptions,
  concurrencyActive,
  type TokenWindow,
  windowList,
} from './options.js';
import { type BudgetCharge, type BudgetStore, createMemoryBudgetStore, type ReserveResult } from './store.js';
import { createTokenizer, estimateTokens, inputTokens, readPrompt, type TokenCounter } from './tokens.js';
import type { Usage } from './usage.js';

/** A token reservation, as the decision carries it (`decision.budget`). */
export interface BudgetState {
  /** The budget stage it belongs to (policy key, or `g` for the global budgets). */
  scope: string;
  charges: BudgetCharge[];
  /** Input tokens counted before the call (replaced by the response's own count at settlement). */
  input: number;
  /** Output tokens reserved; grows when a stream takes more. */
  reservedOutput: number;
  /** Output tokens counted so far from a stream, or reported by the response. */
  output: number;
  model?: string;
  /** Who is charged: `identity:<kind>:<id>`, else `client:<address>`. */
  subject: string;
  identity?: string;
  clientIp: string;
  /** Cost in the currency of `budget.prices`, once settled (when the model has a price). */
  cost?: number;
  /** True once output was counted from the response (a stream meter); `shield.finish` then settles on it. */
  counted?: boolean;
  /** A complete response is being settled (its output counted). */
  settling?: boolean;
  /** Reserved in the in-memory insurance store because the shared one failed. */
  insurance?: boolean;
  settled?: boolean;
}

/** An in-flight lease (`decision.lease`), released by `shield.finish(decision)`. */
export interface LeaseState {
  scope: string;
  id: string;
  keys: string[];
  insurance?: boolean;
  released?: boolean;
}

export interface ConsumptionStage {
  readonly active: boolean;
  /** Caps, lease and reservation. Sets `ctx.budget` / `ctx.lease` when it took any. */
  run(ctx: ConsumptionContext): Promise<Block | undefined>;
  /** Corrects a reservation with what the response used (idempotent). */
  settle(state: BudgetState, usage: Usage): Promise<void>;
  /** Takes `tokens` more for a stream that outgrew its reservation; false when the budget refuses. */
  extend(state: BudgetState, tokens: number): Promise<boolean>;
  /** Gives back an in-flight slot (idempotent). */
  release(lease: LeaseState): Promise<void>;
  /** The token counter (loaded on first use). */
  tokenizer(): Promise<TokenCounter>;
  /** Counts now: the tokenizer when it is loaded (it is once a request was reserved), else the estimate. */
  count(text: string): number;
}

export interface ConsumptionContext extends RequestContext {
  budget?: BudgetState;
  lease?: LeaseState;
}

export interface ConsumptionShared {
  guards?: StoreGuards;
  /** The shield's in-memory store (one per shield, shared by every policy). */
  memory?: () => BudgetStore;
  storeTimeoutMs?: number;
  logger?: { error(message: string, details?: Record<string, unknown>): void };
  /** Called once per settled reservation (cost accounting, spend incidents, usage audit entries). */
  onSettled?(state: BudgetState): void;
}

class StoreRefused extends AiShieldError {}

function windowName(window: TokenWindow): string {
  const d = window.durationSec;
  return d === 60 ? 'minute' : d === 3600 ? 'hour' : d === 86_400 ? 'day' : `${d} s`;
}

/** The counter key of an identity: API keys count per key id. */
function identityKey(ctx: RequestContext): string | undefined {
  const identity = ctx.identity;
  if (!identity) return undefined;
  const id = identity.kind === 'api-key' && identity.keyId ? identity.keyId : identity.id;
  return `${identity.kind ?? 'custom'}:${id}`;
}

/** Compiles the consumption stage of one policy. */
export function createConsumptionStage(
  budget: BudgetOptions,
  concurrency: ConcurrencyOptions,
  scope: string,
  shared: ConsumptionShared = {},
): ConsumptionStage {
  const budgetOn = budgetActive(budget);
  const concurrencyOn = concurrencyActive(concurrency);
  const guards = shared.guards ?? createStoreGuards();
  const timeoutMs = shared.storeTimeoutMs ?? 250;
  let ownMemory: BudgetStore | undefined;
  const memory = shared.memory ?? (() => (ownMemory ??= createMemoryBudgetStore()));
  const tokenizer = createTokenizer(budget);
  // Start reading the tokenizer's ranks now (~0.4 s), so that the first request with a prompt does not
  // wait for them. A failure is left for that request to meet (fail-open, as any consumption error).
  if (budgetOn) tokenizer.load().catch(() => {});
  let insuranceStore: BudgetStore | undefined;
  const insurance = () => (insuranceStore ??= createMemoryBudgetStore());

  /**
   * Runs `op` on the configured store within the timeout, or applies `onStoreError`: the insurance
   * store (in memory), `open` (undefined: pass), or `closed` (throws StoreRefused).
   */
  async function guarded<T>(
    ctx: RequestContext | undefined,
    which: 'budget' | 'concurrency',
    op: (store: BudgetStore) => Promise<T>,
    useInsurance = false,
  ): Promise<{ value: T; insurance?: boolean } | undefined> {
    const configured = which === 'budget' ? budget.store : concurrency.store;
    if (useInsurance) return { value: await op(insurance()), insurance: true };
    if (!configured) return { value: await op(memory()) };
    const guard = guards(configured);
    try {
      return {
        value: await guard.call(
          () => op(configured),
          () => configured.probe(),
          timeoutMs,
        ),
      };
    } catch (error) {
      const policy = which === 'budget' ? budget.onStoreError : concurrency.onStoreError;
      ctx?.failures.push({
        stage: 'rate',
        policy,
        error: (error as { code?: string }).code ?? (error as Error).name ?? 'Error',
        message: (error as Error).message,
      });
      if (!ctx) throw error;
      if (policy === 'open') return undefined;
      if (policy === 'closed') throw new StoreRefused('ERR_STORE_UNAVAILABLE', `${which} store unavailable`);
      return { value: await op(insurance()), insurance: true };
    }
  }

  function capBlock(
    ctx: RequestContext,
    shapeTokens: number,
    requested: number | undefined,
  ): Block | undefined {
    if (budget.maxInputTokens !== undefined && shapeTokens > budget.maxInputTokens) {
      const reason = `Prompt of ${shapeTokens} tokens is above this route's limit of ${budget.maxInputTokens}`;
      ctx.findings.push({
        kind: 'budget.context_too_large',
        severity: 'medium',
        source: 'validation',
        message: reason,
      });
      return { status: 413, code: 'ERR_VALIDATION_CONTEXT_TOO_LARGE', reason };
    }
    if (
      budget.maxOutputTokens !== undefined &&
      requested !== undefined &&
      requested > budget.maxOutputTokens
    ) {
      if (budget.onCapExceeded === 'refuse') {
        const reason = `Requested ${requested} output tokens, above this route's limit of ${budget.maxOutputTokens}`;
        ctx.findings.push({
          kind: 'budget.max_tokens',
          severity: 'medium',
          source: 'validation',
          message: reason,
        });
        return { status: 422, code: 'ERR_VALIDATION_MAX_TOKENS', reason };
      }
    }
    return undefined;
  }

  async function acquire(ctx: ConsumptionContext): Promise<Block | undefined> {
    const slots: Array<{ key: string; limit: number; who: string }> = [];
    const prefix = `${concurrency.keyPrefix}:${scope}`;
    if (concurrency.perRoute !== false)
      slots.push({ key: `${prefix}:r`, limit: concurrency.perRoute, who: 'this route' });
    if (concurrency.perClient !== false)
      slots.push({ key: `${prefix}:c:${ctx.clientKey}`, limit: concurrency.perClient, who: 'this client' });
    const id = identityKey(ctx);
    if (concurrency.perIdentity !== false && id)
      slots.push({ key: `${prefix}:i:${id}`, limit: concurrency.perIdentity, who: 'this identity' });
    if (slots.length === 0) return undefined;
    const leaseId = crypto.randomUUID();
    const result = await guarded(ctx, 'concurrency', (store) =>
      store.acquire(slots, leaseId, concurrency.leaseTtlSec * 1000),
    );
    if (!result) return undefined;
    if (!result.value.ok) {
      const slot = slots[result.value.index]!;
      const reason = `Too many requests in flight for ${slot.who} (limit ${slot.limit})`;
      ctx.headers['retry-after'] = '1';
      ctx.findings.push({ kind: 'rate.concurrency', severity: 'medium', source: 'rate', message: reason });
      return { status: 429, code: 'ERR_RATE_CONCURRENCY', reason };
    }
    ctx.lease = {
      scope,
      id: leaseId,
      keys: slots.map((slot) => slot.key),
      ...(result.insurance ? { insurance: true } : {}),
    };
    return undefined;
  }

  async function reserve(
    ctx: ConsumptionContext,
    input: number,
    output: number,
    model?: string,
  ): Promise<Block | undefined> {
    const charges: Array<BudgetCharge & { who: string; window: TokenWindow }> = [];
    const id = identityKey(ctx);
    const prefix = `${budget.keyPrefix}:${scope}`;
    for (const window of windowList(budget.perClient)) {
      charges.push({
        key: `${prefix}:c${window.durationSec}:${ctx.clientKey}`,
        limit: window.tokens,
        windowMs: window.durationSec * 1000,
        who: 'client',
        window,
      });
    }
    if (id) {
      for (const window of windowList(budget.perIdentity)) {
        charges.push({
          key: `${prefix}:i${window.durationSec}:${id}`,
          limit: window.tokens,
          windowMs: window.durationSec * 1000,
          who: 'identity',
          window,
        });
      }
    }
    const tokens = input + output;
    const plain = charges.map(({ key, limit, windowMs }) => ({ key, limit, windowMs }));
    // Without windows (caps or prices only) nothing is charged, but usage is still accounted.
    const result: { value: ReserveResult; insurance?: boolean } | undefined =
      plain.length === 0
        ? { value: { ok: true } }
        : await guarded(ctx, 'budget', (store) => store.reserve(plain, tokens));
    if (!result) return undefined;
    if (!result.value.ok) {
      const { index, retryAfterMs, used } = result.value;
      const charge = charges[index]!;
      const name = `${charge.window.tokens} tokens per ${windowName(charge.window)} per ${charge.who}`;
      const retry = Math.max(1, Math.ceil(retryAfterMs / 1000));
      const reason =
        tokens > charge.limit
          ? `Token budget of ${name}: this request needs ${tokens} tokens, more than the whole budget`
          : `Token budget of ${name} exceeded: this request needs ${tokens} tokens, ${Math.max(0, charge.limit - used)} left; retry in ${retry} s`;
      ctx.headers['retry-after'] = String(retry);
      ctx.findings.push({ kind: 'budget.exceeded', severity: 'medium', source: 'rate', message: reason });
      return { status: 429, code: 'ERR_RATE_TOKEN_BUDGET', reason };
    }
    ctx.budget = {
      scope,
      subject: id ? `identity:${id}` : `client:${ctx.clientKey}`,
      ...(ctx.identity ? { identity: ctx.identity.id } : {}),
      clientIp: ctx.clientIp,
      charges: plain,
      input,
      reservedOutput: output,
      output: 0,
      ...(model ? { model } : {}),
      ...(result.insurance ? { insurance: true } : {}),
    };
    return undefined;
  }

  async function run(ctx: ConsumptionContext): Promise<Block | undefined> {
    try {
      let input = 0;
      let output = 0;
      let model: string | undefined;
      if (budgetOn) {
        const shape = readPrompt(ctx.body, ctx.req.bodyText);
        const count = tokenizer.ready ?? (await tokenizer.load());
        input = inputTokens(shape, count);
        const requested = shape.maxOutput?.value;
        const block = capBlock(ctx, input, requested);
        if (block) return block;
        output = requested ?? budget.defaultOutputTokens;
        if (budget.maxOutputTokens !== undefined && output > budget.maxOutputTokens) {
          output = budget.maxOutputTokens;
          if (shape.maxOutput && requested !== undefined && requested > budget.maxOutputTokens) {
            // Clamp: the handler sees the route's cap instead of what the client asked for.
            (ctx.body as Record<string, unknown>)[shape.maxOutput.field] = budget.maxOutputTokens;
            ctx.findings.push({
              kind: 'budget.max_tokens_clamped',
              severity: 'low',
              source: 'validation',
              message: `${shape.maxOutput.field} lowered from ${requested} to the route's limit of ${budget.maxOutputTokens}`,
            });
          }
        }
        model = shape.model;
      }
      if (concurrencyOn) {
        const block = await acquire(ctx);
        if (block) return block;
      }
      if (budgetOn) {
        const block = await reserve(ctx, input, output, model);
        if (block) {
          if (ctx.lease) await release(ctx.lease);
          delete ctx.lease;
          return block;
        }
      }
      return undefined;
    } catch (error) {
      if (ctx.lease) await release(ctx.lease).catch(() => {});
      delete ctx.lease;
      if (error instanceof StoreRefused) {
        return {
          status: 503,
          code: 'ERR_STORE_UNAVAILABLE',
          reason: 'Token budgets are temporarily unavailable',
        };
      }
      throw error;
    }
  }

  function costOf(state: BudgetState): number | undefined {
    const price = state.model ? budget.prices[state.model] : undefined;
    if (!price) return undefined;
    return (state.input * price.input + state.output * price.output) / 1_000_000;
  }

  async function settle(state: BudgetState, usage: Usage): Promise<void> {
    if (state.settled) return;
    state.settled = true;
    const reserved = state.input + state.reservedOutput;
    if (usage.input !== undefined) state.input = usage.input;
    // Without a reported output the counted one stands; without either, the reservation does.
    state.output = usage.output ?? state.output;
    const cost = costOf(state);
    if (cost !== undefined) state.cost = cost;
    const delta = state.input + state.output - reserved;
    try {
      shared.onSettled?.(state);
    } catch (error) {
      shared.logger?.error('recording token usage failed', { message: (error as Error).message });
    }
    if (delta === 0) return;
    try {
      await guarded(undefined, 'budget', (store) => store.adjust(state.charges, delta), state.insurance);
    } catch (error) {
      shared.logger?.error('settling a token reservation failed; the reservation stands', {
        message: (error as Error).message,
      });
    }
  }

  async function extend(state: BudgetState, tokens: number): Promise<boolean> {
    if (state.charges.length === 0) {
      state.reservedOutput += tokens;
      return true;
    }
    try {
      const result = await guarded(
        undefined,
        'budget',
        (store) => store.reserve(state.charges, tokens),
        state.insurance,
      );
      if (!result?.value.ok) return false;
      state.reservedOutput += tokens;
      return true;
    } catch {
      // The store failed mid-stream: a stream is not cut for an outage unless the policy says closed.
      return budget.onStoreError !== 'closed';
    }
  }

  async function release(lease: LeaseState): Promise<void> {
    if (lease.released) return;
    lease.released = true;
    try {
      await guarded(
        undefined,
        'concurrency',
        (store) => store.release(lease.keys, lease.id),
        lease.insurance,
      );
    } catch (error) {
      shared.logger?.error(
        `releasing an in-flight slot failed; it expires after ${concurrency.leaseTtlSec} s`,
        {
          message: (error as Error).message,
        },
      );
    }
  }

  return {
    active: budgetOn || concurrencyOn,
    run,
    settle,
    extend,
    release,
    tokenizer: () => tokenizer.load(),
    count: (text) => (tokenizer.ready ?? estimateTokens)(text),
  };
}
