/**
 * The detection stage: scores the user-supplied text fields with `scanPrompt`, numeric payloads against a
 * per-route baseline, the client's behaviour over time, and an optional user detector. Each scorer adds a
 * signal; the pipeline combines them with the other stages' findings into one risk.
 * @module
 */
import type { DetectionOptions } from '../config/schema.js';
import type { RateStore } from '../rate/store.js';
import type { StoreGuards } from '../rate/store-guard.js';
import type { RequestContext } from '../stage.js';
import type { TextField } from '../validation/walk.js';
import type { BaselineStore } from './baseline-store.js';
import { type BehaviorTracker, createBehaviorTracker } from './behavior.js';
import type { BehaviorStore } from './behavior-store.js';
import { runExternalDetector } from './external.js';
import { analyzeNumericInput } from './numeric.js';
import { createNumericBaseline, type NumericBaseline } from './numeric-baseline.js';
import { type PromptScan, scanPrompt } from './scan-prompt.js';

/** Keys whose string values are structure, not user text. */
const STRUCTURAL_KEYS = new Set([
  'role',
  'model',
  'name',
  'id',
  'type',
  'object',
  'tool_call_id',
  'finish_reason',
  'format',
  'language',
  'encoding',
  'mime_type',
  'media_type',
  'url',
  'image_url',
]);

/**
 * Behaviour over time flags on its own but does not block on its own: a client repeating one prompt may
 * be a retry loop or a load test. Together with other evidence (an injection score, a rate finding) the
 * combined risk can still reach the block threshold.
 */
const BEHAVIOR_SCORE_CAP = 0.7;

/** Strings this short cannot carry an instruction worth scoring. */
const MIN_TEXT_LENGTH = 8;

/**
 * Scans of recently seen texts, by exact text: a system prompt or a template is sent with every request
 * and scores the same every time (scanPrompt is a pure function of the text). Bounded in entries and in
 * the length of a cached text, so the cache holds at most SCAN_CACHE_ENTRIES x SCAN_CACHE_MAX_CHARS
 * characters; a hit is refreshed, the least recently used entry goes first.
 */
const SCAN_CACHE_ENTRIES = 256;
const SCAN_CACHE_MAX_CHARS = 4096;

export interface DetectionStage {
  /** Returns a promise only when an async scorer (behaviour store, external detector) is involved. */
  run(ctx: RequestContext, route: string): void | Promise<void>;
  /** Feeds the request's outcome back to the behaviour tracker. */
  recordOutcome(ctx: RequestContext, failed: boolean): void;
}

/** Compiles `messages[*].content`-style paths into one linear regular expression. */
function compilePaths(paths: readonly string[]): RegExp {
  const alternatives = paths.map((path) =>
    path
      .replace(/[.+?^${}()|\\]/g, '\\$&')
      .replace(/\[\*\]/g, '\\[\\d+\\]')
      .replace(/\[(\d+)\]/g, '\\[$1\\]')
      .replace(/(^|\.)\*(?=\.|$)/g, '$1[^.\\[]+'),
  );
  return new RegExp(`^(?:${alternatives.join('|')})$`);
}

/** Selects the text fields to scan, in document order, within the character budget. */
export function selectTexts(
  texts: readonly TextField[],
  matcher: RegExp | undefined,
  maxChars: number,
): TextField[] {
  const selected: TextField[] = [];
  let budget = maxChars;
  for (const field of texts) {
    if (budget <= 0) break;
    if (
      matcher
        ? !matcher.test(field.path)
        : STRUCTURAL_KEYS.has(field.key) || field.value.length < MIN_TEXT_LENGTH
    ) {
      continue;
    }
    selected.push(field);
    budget -= field.value.length;
  }
  return selected;
}

/** The top-level field holding the first numeric array (`input` in `{ input: [[...]] }`). */
function numericPayload(ctx: RequestContext): { value: unknown; path: string } | undefined {
  const first = ctx.view?.numericArrays[0];
  if (!first) return undefined;
  const key = /^[^.[]+/.exec(first.path)?.[0];
  if (!key || typeof ctx.body !== 'object' || ctx.body === null)
    return { value: first.values, path: first.path };
  return { value: (ctx.body as Record<string, unknown>)[key], path: key };
}

/** How the behaviour tracker reaches a shared store: the shield's guards and `rate.storeTimeoutMs`. */
export interface DetectionStoreSettings {
  guards?: StoreGuards;
  storeTimeoutMs?: number;
  /** Shared fingerprint history (`stores.behavior`). */
  behavior?: BehaviorStore;
  /** Shared numeric baseline moments (`stores.baselines`). */
  baselines?: BaselineStore;
}

/** Compiles the detection stage for one policy. `store` is the rate store (shared counters). */
export function createDetectionStage(
  options: DetectionOptions,
  store: () => RateStore,
  settings: DetectionStoreSettings = {},
): DetectionStage {
  const matcher = options.textPaths ? compilePaths(options.textPaths) : undefined;
  // Created on first use: no state (or clock reads) at import or factory time on Workers.
  let baseline: NumericBaseline | undefined;
  let tracker: BehaviorTracker | undefined;
  const behavior = options.behavior;
  const getTracker = () => {
    if (tracker) return tracker;
    const rateStore = store();
    tracker = createBehaviorTracker({
      store: rateStore,
      ...(settings.storeTimeoutMs !== undefined ? { storeTimeoutMs: settings.storeTimeoutMs } : {}),
      ...(settings.guards && rateStore.kind !== 'memory' ? { guard: settings.guards(rateStore) } : {}),
      ...(settings.behavior
        ? {
            shared: settings.behavior,
            ...(settings.guards ? { sharedGuard: settings.guards(settings.behavior) } : {}),
          }
        : {}),
      repeatThreshold: behavior.repeatThreshold,
      repeatWindowSec: behavior.repeatWindowSec,
      probeThreshold: behavior.probeThreshold,
      probeWindowSec: behavior.probeWindowSec,
      maxClients: behavior.maxClients,
    });
    return tracker;
  };

  const scans = new Map<string, PromptScan>();
  const scanCached = (text: string): PromptScan => {
    if (text.length > SCAN_CACHE_MAX_CHARS) return scanPrompt(text);
    let scan = scans.get(text);
    if (scan) {
      scans.delete(text);
    } else {
      scan = scanPrompt(text);
      if (scans.size >= SCAN_CACHE_ENTRIES) scans.delete(scans.keys().next().value!);
    }
    scans.set(text, scan);
    return scan;
  };
  // Warm-up at creation (issue 15): the classifier's weights and the rule matcher are decoded now, not
  // inside the first request. Only when detection is on; never at import (Workers, STYLE.md §2.6).
  if (options.enabled) scanPrompt('warm up');

  function scanTexts(ctx: RequestContext): TextField[] {
    const texts = ctx.view?.texts;
    if (!texts || texts.length === 0) return [];
    const selected = selectTexts(texts, matcher, options.maxScanChars);
    let budget = options.maxScanChars;
    let strongest = 0;
    for (const field of selected) {
      const text = field.value.length > budget ? field.value.slice(0, budget) : field.value;
      budget -= text.length;
      const scan = scanCached(text);
      if (scan.score > strongest) strongest = scan.score;
      for (const finding of scan.findings) {
        ctx.findings.push({ ...finding, location: { ...finding.location, path: field.path || '$' } });
      }
    }
    if (strongest > 0) ctx.signals.push({ source: 'text', score: strongest });
    // The strongest fast-tier text score: the external tier's `ambiguous` test and telemetry read it.
    if (selected.length > 0) ctx.textScore = strongest;
    return selected;
  }

  function scanNumbers(ctx: RequestContext, route: string): unknown {
    const payload = numericPayload(ctx);
    if (!payload || !options.numeric.enabled) return payload?.value;
    baseline ??= createNumericBaseline({
      warmup: options.numeric.warmup,
      zThreshold: options.numeric.zThreshold,
      ...(settings.baselines
        ? {
            shared: settings.baselines,
            ...(settings.guards ? { sharedGuard: settings.guards(settings.baselines) } : {}),
            ...(settings.storeTimeoutMs !== undefined ? { storeTimeoutMs: settings.storeTimeoutMs } : {}),
          }
        : {}),
    });
    // Hard limits (min, max, gradient) are validation's; here only the statistics.
    const analysis = analyzeNumericInput(payload.value, { baseline, route, path: payload.path });
    if (analysis.score > 0) ctx.signals.push({ source: 'numeric', score: analysis.score });
    for (const finding of analysis.findings) ctx.findings.push(finding);
    return payload.value;
  }

  async function observe(ctx: RequestContext, route: string, text: string | undefined, numbers: unknown) {
    const clientKey = ctx.identity?.id ?? ctx.clientKey;
    const result = await getTracker().observe({
      clientKey,
      route,
      ...(text ? { text } : {}),
      ...(numbers ? { numbers } : {}),
    });
    if (result.storeError) {
      ctx.failures.push({
        stage: 'detection',
        policy: 'insurance',
        error: (result.storeError as { code?: string }).code ?? result.storeError.name,
        message: `behaviour store: ${result.storeError.message}`,
      });
    }
    if (result.score > 0)
      ctx.signals.push({ source: 'behavior', score: Math.min(result.score, BEHAVIOR_SCORE_CAP) });
    for (const finding of result.findings) ctx.findings.push(finding);
  }

  async function external(ctx: RequestContext, text: string) {
    const outcome = await runExternalDetector(options.external!, text, {
      timeoutMs: options.externalTimeoutMs,
      onError: options.externalOnError,
    });
    if (!outcome.ok) {
      ctx.failures.push({
        stage: 'detection',
        policy: outcome.policy,
        error: outcome.code,
        message: outcome.message,
      });
    }
    if (outcome.score > 0) ctx.signals.push({ source: 'external', score: outcome.score });
    for (const finding of outcome.findings) ctx.findings.push(finding);
  }

  return {
    run(ctx, route) {
      const texts = scanTexts(ctx);
      const numbers = scanNumbers(ctx, route);
      const lastText = texts.length > 0 ? texts[texts.length - 1]!.value : undefined;
      const pending: Promise<void>[] = [];
      if (behavior.enabled && (lastText !== undefined || numbers !== undefined)) {
        pending.push(observe(ctx, route, lastText, numbers));
      }
      const [lo, hi] = options.ambiguousRange;
      const textScore = ctx.textScore ?? 0;
      const ambiguous = textScore >= lo && textScore < hi;
      if (options.external && texts.length > 0 && (options.externalWhen === 'always' || ambiguous))
        pending.push(external(ctx, texts.map((field) => field.value).join('\n')));
      if (pending.length === 0) return;
      // The usual case is the behaviour tracker alone: its promise as is, no Promise.all around it.
      if (pending.length === 1) return pending[0];
      return Promise.all(pending).then(() => undefined);
    },
    recordOutcome(ctx, failed) {
      if (!behavior.enabled || !tracker) return;
      tracker.recordOutcome(ctx.identity?.id ?? ctx.clientKey, { failed });
    },
  };
}
