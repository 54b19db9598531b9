/**
 * @ai-shield/cli programmatic API: `scanPath` and the report helpers used by `ai-shield scan`.
 * @module
 */
export { exitCodeFor } from './commands/scan/index.js';
export { createProgram, main } from './program.js';
export { buildReport, VERSION } from './report/build.js';
export { toSarif } from './report/sarif.js';
export { toTable } from './report/table.js';
export { writeReports } from './report/write.js';
export type { ScanLimits } from './scan/context.js';
export { DEFAULT_LIMITS } from './scan/context.js';
export type { Advisory, AdvisoryDb } from './scan/deps/advisories.js';
export { loadAdvisories, matchAdvisories, parseAdvisoryDb } from './scan/deps/advisories.js';
export { compareVersions } from './scan/deps/version.js';
export { disassemblePickle, type PickleInstruction } from './scan/pickle/disassemble.js';
export {
  createGlobalPolicy,
  type GlobalPolicy,
  type GlobalPolicyOptions,
  type GlobalVerdict,
  rateGlobal,
} from './scan/pickle/policy.js';
export type { ScanOptions, ScanProgress } from './scan/scanner.js';
export { scanPath } from './scan/scanner.js';
export type { PiiDetector, PiiEntity } from './scan/text/pii.js';
export * from './scan/types.js';
