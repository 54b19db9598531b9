/**
 * Worker-thread entry (built as `dist/scan-worker.mjs`): scans files posted by the pool in `scanner.ts`.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ScanLimits } from './context.js';
import { type AdvisoryDb, parseAdvisoryDb } from './deps/advisories.js';
import { createGlobalPolicy } from './pickle/policy.js';
import { scanFile } from './scan-file.js';
import { resolvePiiDetector } from './text/pii-source.js';
import type { DiscoveredFile } from './walk.js';

const data = workerData as {
  limits: ScanLimits;
  advisories: AdvisoryDb;
  pii: boolean;
  allowGlobals: string[];
};
const advisories = parseAdvisoryDb(data.advisories);
const policy = createGlobalPolicy({ allow: data.allowGlobals });
const pii = data.pii ? await resolvePiiDetector() : false;

parentPort?.on('message', (f: DiscoveredFile) => {
  parentPort?.postMessage(scanFile(f, { limits: data.limits, advisories, pii, policy }));
});
