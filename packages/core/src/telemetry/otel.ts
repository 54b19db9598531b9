/**
 * The OpenTelemetry bridge, through `@opentelemetry/api` only: the application's SDK (if any) decides
 * where spans and metrics go. Without a registered SDK this costs two global look-ups per request and
 * builds nothing: no span, no attribute object (the API's own no-op would still be handed both).
 *
 * Spans: `ai_shield.protect` per request (a child of the active span, e.g. the HTTP server span) with one
 * `ai_shield.stage.<name>` child per stage that ran. The pipeline measures each stage; the spans are made
 * when the decision is recorded, laid back to back from the request's start in the pipeline's order, with
 * the measured durations.
 *
 * Metrics: counters are observed from the recorder (so OTel, Prometheus and the dashboard report the same
 * numbers and nothing is added per request); stage durations and risk scores are histograms recorded per
 * request, with attribute objects made once.
 * @module
 */
import {
  type Attributes,
  type BatchObservableCallback,
  context,
  createNoopMeter,
  type Histogram,
  type Meter,
  type MeterProvider,
  metrics,
  type Observable,
  ProxyTracerProvider,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import type { AuditStats } from '../audit/log.js';
import type { Decision, StageName } from '../types.js';
import { DURATION_BOUNDS, UNIT_BOUNDS } from './histogram.js';
import { ACTIONS, blockingStage, PII_ACTIONS, type RecorderState, STAGES } from './recorder.js';

/** Wall-clock milliseconds with sub-millisecond precision where the platform has it (span timestamps). */
const epochNow = (): number =>
  typeof performance !== 'undefined' && performance.timeOrigin > 0
    ? performance.timeOrigin + performance.now()
    : Date.now();

/** Instrumentation scope of every span and instrument. */
export const INSTRUMENTATION_SCOPE = '@ai-shield/core';

export interface OtelBridge {
  /** Emits the spans and histogram points of one decision, just made. */
  decision(decision: Decision): void;
}

interface Instruments {
  meter: Meter;
  stageDuration: Histogram;
  riskScore: Histogram;
  detectionScore: Histogram;
  observables: Observable[];
  callback: BatchObservableCallback;
}

const STAGE_SPAN: Record<StageName, string> = {
  access: 'ai_shield.stage.access',
  rate: 'ai_shield.stage.rate',
  validation: 'ai_shield.stage.validation',
  detection: 'ai_shield.stage.detection',
};
const STAGE_ATTRS: Record<StageName, Attributes> = {
  access: { 'ai_shield.stage': 'access' },
  rate: { 'ai_shield.stage': 'rate' },
  validation: { 'ai_shield.stage': 'validation' },
  detection: { 'ai_shield.stage': 'detection' },
};
const ACTION_ATTRS: Record<Decision['action'], Attributes> = {
  allow: { 'ai_shield.action': 'allow' },
  flag: { 'ai_shield.action': 'flag' },
  block: { 'ai_shield.action': 'block' },
};

/**
 * Creates the bridge. `state` is the recorder's (observed at collection), `auditStats` the audit log's.
 */
export function createOtelBridge(state: RecorderState, auditStats: () => AuditStats | undefined): OtelBridge {
  // The API's no-op delegate, made on first use rather than at import (no work at module scope).
  let noopTracerProvider: TracerProvider | undefined;
  let tracerProvider: TracerProvider | undefined;
  let tracer: Tracer | undefined;
  let meterProvider: MeterProvider | undefined;
  let instruments: Instruments | undefined;

  /** The registered tracer provider, or undefined when only the API's no-op is there. */
  function activeTracer(): Tracer | undefined {
    const provider = trace.getTracerProvider();
    const delegate =
      typeof (provider as ProxyTracerProvider).getDelegate === 'function'
        ? (provider as ProxyTracerProvider).getDelegate()
        : provider;
    noopTracerProvider ??= new ProxyTracerProvider().getDelegate();
    if (delegate === noopTracerProvider) return undefined;
    if (provider !== tracerProvider) {
      tracerProvider = provider;
      tracer = provider.getTracer(INSTRUMENTATION_SCOPE);
    }
    return tracer;
  }

  /** Instruments of the registered meter provider (rebuilt when an SDK is registered later). */
  function activeInstruments(): Instruments | undefined {
    const provider = metrics.getMeterProvider();
    if (provider === meterProvider) return instruments;
    if (instruments)
      instruments.meter.removeBatchObservableCallback(instruments.callback, instruments.observables);
    meterProvider = provider;
    const meter = provider.getMeter(INSTRUMENTATION_SCOPE);
    instruments = meter === createNoopMeter() ? undefined : createInstruments(meter, state, auditStats);
    return instruments;
  }

  function spans(activeTracer: Tracer, decision: Decision, endMs: number): void {
    const { timings } = decision;
    const startMs = endMs - timings.total;
    const parent = context.active();
    const span = activeTracer.startSpan(
      'ai_shield.protect',
      { kind: SpanKind.INTERNAL, startTime: startMs },
      parent,
    );
    if (!span.isRecording()) {
      span.end(endMs);
      return;
    }
    const blocked = decision.action === 'block' ? blockingStage(decision) : undefined;
    span.setAttributes({
      'ai_shield.action': decision.action,
      'ai_shield.status': decision.status,
      'ai_shield.reason': decision.code ?? 'none',
      'ai_shield.route': decision.route ?? '*',
      'ai_shield.mode': decision.mode,
      'ai_shield.risk.score': decision.risk.score,
      'ai_shield.risk.severity': decision.risk.severity,
      'ai_shield.request_id': decision.requestId,
      'ai_shield.findings': decision.findings.length,
      ...(blocked ? { 'ai_shield.blocked_by': blocked } : {}),
    });
    if (decision.failures.length > 0) {
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: `failed: ${decision.failures.map((f) => `${f.stage} (fail ${f.policy})`).join(', ')}`,
      });
    }
    const stageContext = trace.setSpan(parent, span);
    let at = startMs;
    for (const stage of STAGES) {
      const ms = timings[stage];
      if (ms === undefined) continue;
      const child = activeTracer.startSpan(
        STAGE_SPAN[stage],
        { startTime: at, attributes: STAGE_ATTRS[stage] },
        stageContext,
      );
      if (stage === blocked) child.setAttribute('ai_shield.blocked', true);
      for (const failure of decision.failures) {
        if (failure.stage === stage) {
          child.setStatus({
            code: SpanStatusCode.ERROR,
            message: `${failure.error} (fail ${failure.policy})`,
          });
        }
      }
      at += ms;
      child.end(at);
    }
    span.end(endMs);
  }

  function decision(d: Decision): void {
    const activeTracerNow = activeTracer();
    if (activeTracerNow) spans(activeTracerNow, d, epochNow());
    const active = activeInstruments();
    if (!active) return;
    for (const stage of STAGES) {
      const ms = d.timings[stage];
      if (ms !== undefined) active.stageDuration.record(ms / 1000, STAGE_ATTRS[stage]);
    }
    active.riskScore.record(d.risk.score, ACTION_ATTRS[d.action]);
    if (d.risk.detection !== undefined)
      active.detectionScore.record(d.risk.detection, ACTION_ATTRS[d.action]);
  }

  return { decision };
}

function createInstruments(
  meter: Meter,
  state: RecorderState,
  auditStats: () => AuditStats | undefined,
): Instruments {
  const stageDuration = meter.createHistogram('ai_shield.stage.duration', {
    description: 'Time spent in each request stage of the shield',
    unit: 's',
    advice: { explicitBucketBoundaries: [...DURATION_BOUNDS] },
  });
  const riskScore = meter.createHistogram('ai_shield.risk.score', {
    description: 'Combined risk score of each request (0..1)',
    unit: '1',
    advice: { explicitBucketBoundaries: [...UNIT_BOUNDS] },
  });
  const detectionScore = meter.createHistogram('ai_shield.detection.score', {
    description: "The prompt scanner's score of each request with text to scan (0..1)",
    unit: '1',
    advice: { explicitBucketBoundaries: [...UNIT_BOUNDS] },
  });
  const decisions = meter.createObservableCounter('ai_shield.decisions', {
    description: 'Requests checked, by action, reason code and route policy',
  });
  const blocksByStage = meter.createObservableCounter('ai_shield.blocks', {
    description: 'Blocked requests, by the stage that blocked them',
  });
  const piiEntities = meter.createObservableCounter('ai_shield.pii.entities', {
    description: 'PII entities found in responses, by type and action (mask, redact, block, flag)',
  });
  const responsesWithheld = meter.createObservableCounter('ai_shield.responses.withheld', {
    description: 'Responses withheld by the output checks',
  });
  const auditQueue = meter.createObservableGauge('ai_shield.audit.queue.depth', {
    description: 'Audit entries waiting to be written',
  });
  const auditWriteErrors = meter.createObservableCounter('ai_shield.audit.write_errors', {
    description: 'Failed audit log writes (retried with back-off)',
  });
  const rateStoreErrors = meter.createObservableCounter('ai_shield.rate.store_errors', {
    description: 'Rate store failures, by the policy applied (insurance, open, closed)',
  });
  // Attribute objects are made once per cell and reused at every collection.
  const cellAttrs = new WeakMap<object, Attributes[]>();
  const callback: BatchObservableCallback = (result) => {
    for (const byCode of state.cells.values()) {
      for (const cell of byCode.values()) {
        let attrs = cellAttrs.get(cell);
        if (!attrs) {
          attrs = ACTIONS.map((action) => ({
            'ai_shield.action': action,
            'ai_shield.reason': cell.code,
            'ai_shield.route': cell.route,
          }));
          cellAttrs.set(cell, attrs);
        }
        ACTIONS.forEach((_, i) => {
          if (cell.counts[i]! > 0) result.observe(decisions, cell.counts[i]!, attrs[i]);
        });
      }
    }
    STAGES.forEach((stage, i) => {
      result.observe(blocksByStage, state.blocksByStage[i]!, STAGE_ATTRS[stage]);
    });
    for (const [type, counts] of state.pii) {
      PII_ACTIONS.forEach((action, i) => {
        if (counts[i]! > 0) {
          result.observe(piiEntities, counts[i]!, {
            'ai_shield.pii.type': type,
            'ai_shield.pii.action': action,
          });
        }
      });
    }
    result.observe(responsesWithheld, state.responsesWithheld);
    const stats = auditStats();
    if (stats) {
      result.observe(auditQueue, stats.queued);
      result.observe(auditWriteErrors, stats.writeFailures);
    }
    for (const [policy, count] of state.rateStoreErrors) {
      result.observe(rateStoreErrors, count, { 'ai_shield.policy': policy });
    }
  };
  const observables = [
    decisions,
    blocksByStage,
    piiEntities,
    responsesWithheld,
    auditQueue,
    auditWriteErrors,
    rateStoreErrors,
  ];
  meter.addBatchObservableCallback(callback, observables);
  return { meter, stageDuration, riskScore, detectionScore, observables, callback };
}
