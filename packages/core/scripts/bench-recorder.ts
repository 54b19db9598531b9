/**
 * `pnpm exec tsx packages/core/scripts/bench-recorder.ts`: the cost of recording one decision, without
 * the rest of the pipeline around it: the telemetry recorder plus the OpenTelemetry bridge's "is an SDK
 * registered?" checks; then the same with the OpenTelemetry SDK registered (a batch span processor and a
 * metric reader, exporting to memory), i.e. five spans and five histogram points per request. Minimum
 * and median of 30 rounds (the minimum is the least disturbed by other work on the machine).
 */
import { metrics, trace } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { resolveOptions } from '../src/config/resolve.js';
import { createTelemetry } from '../src/telemetry/telemetry.js';
import type { Decision } from '../src/types.js';

const allowed: Decision = {
  action: 'allow',
  status: 200,
  reasons: [],
  findings: [],
  risk: { score: 0.123, severity: 'low' },
  requestId: 'r',
  mode: 'enforce',
  failures: [],
  timings: { access: 0.004, rate: 0.021, validation: 0.018, detection: 0.061, total: 0.112 },
  headers: { 'ratelimit-limit': '100', 'ratelimit-remaining': '57', 'ratelimit-reset': '60' },
  clientIp: '10.1.2.3',
  route: 'POST /v1/chat',
};
const blocked: Decision = {
  ...allowed,
  action: 'block',
  status: 403,
  code: 'ERR_DETECTION_THREAT',
  risk: { score: 0.97, severity: 'critical' },
};

const telemetry = createTelemetry(resolveOptions({ env: false }).options, () => undefined);
const spans = new InMemorySpanExporter();

async function measure(label: string, decision: Decision, calls: number) {
  for (let i = 0; i < calls * 3; i++) telemetry.decision(decision, undefined);
  const rounds: number[] = [];
  for (let r = 0; r < 30; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) telemetry.decision(decision, undefined);
    rounds.push(Number(process.hrtime.bigint() - start) / calls);
    spans.reset();
    await new Promise((resolve) => setTimeout(resolve, 5)); // let the batch processor export
  }
  rounds.sort((a, b) => a - b);
  const us = (ns: number) => (ns / 1000).toFixed(2);
  console.log(`${label.padEnd(48)} min ${us(rounds[0]!)} us   median ${us(rounds[15]!)} us`);
}

await measure('no SDK: allowed decision', allowed, 100_000);
await measure('no SDK: blocked decision (top-k updated)', blocked, 100_000);
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(spans)] }));
metrics.setGlobalMeterProvider(
  new MeterProvider({
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
        exportIntervalMillis: 3_600_000,
      }),
    ],
  }),
);
await measure('OpenTelemetry SDK registered: allowed decision', allowed, 2_000);
