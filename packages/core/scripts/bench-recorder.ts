/**
 * `pnpm exec tsx packages/core/scripts/bench-recorder.ts`: the cost of recording one decision (the
 * telemetry recorder plus the OpenTelemetry bridge's "is an SDK registered?" checks), without the rest
 * of the pipeline around it. Minimum and median of 30 rounds of 100,000 calls (the minimum is the least
 * disturbed by other work on the machine).
 */
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
for (const [label, decision] of [
  ['allowed decision', allowed],
  ['blocked decision (top-k updated)', blocked],
] as const) {
  for (let i = 0; i < 300_000; i++) telemetry.decision(decision, undefined);
  const rounds: number[] = [];
  for (let r = 0; r < 30; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < 100_000; i++) telemetry.decision(decision, undefined);
    rounds.push(Number(process.hrtime.bigint() - start) / 100_000);
  }
  rounds.sort((a, b) => a - b);
  console.log(`${label.padEnd(34)} min ${rounds[0]!.toFixed(0)} ns   median ${rounds[15]!.toFixed(0)} ns`);
}
