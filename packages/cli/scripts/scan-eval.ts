/**
 * `pnpm --filter @ai-shield/cli exec tsx scripts/scan-eval.ts [--keep]`: writes the labeled corpus of
 * `test/scan-eval/` to a temporary folder, scans it, and prints recall at the right severity, the
 * false-positive rate, the table per bypass style and benign shape, and every miss.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate, formatResult } from '../test/scan-eval/evaluate.js';

const dir = mkdtempSync(join(tmpdir(), 'ai-shield-scan-eval-'));
try {
  console.log(formatResult(await evaluate(dir)));
} finally {
  if (process.argv.includes('--keep')) console.log(`corpus kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
