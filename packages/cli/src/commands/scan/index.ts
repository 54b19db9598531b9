/**
 * `ai-shield scan <path>`: find and assess model files, notebooks and dependency files.
 * @module
 */
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { toSarif } from '../../report/sarif.js';
import { toTable } from '../../report/table.js';
import { writeReports } from '../../report/write.js';
import { scanPath } from '../../scan/scanner.js';
import { isSeverity, type ScanReport, type Severity, severityRank } from '../../scan/types.js';
import { createProgress } from './progress.js';

interface ScanCliOptions {
  format: 'json' | 'sarif' | 'table';
  out?: string;
  failOn: Severity | 'none';
  concurrency?: number;
  gitignore: boolean;
  exclude: string[];
  pii: boolean;
  advisories?: string;
  allowGlobal: string[];
  allowGlobalsFile?: string;
  progress: boolean;
}

/** Allow-list patterns from a file: one per line, `#` starts a comment, blank lines are skipped. */
export function readAllowList(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l.length > 0);
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** Exit code for a report under `--fail-on`: 1 when any finding is at or above the threshold. */
export function exitCodeFor(report: ScanReport, failOn: Severity | 'none'): number {
  if (failOn === 'none') return 0;
  return report.findings.some((f) => severityRank(f.severity) >= severityRank(failOn)) ? 1 : 0;
}

/** Registers `scan` on the program. */
export function registerScanCommand(program: Command): void {
  program
    .command('scan')
    .description(
      'Scan a folder, git checkout or file for unsafe models, notebooks, secrets, PII and vulnerable dependencies',
    )
    .argument('<path>', 'folder, git checkout or single file to scan')
    .addOption(
      new Option('-f, --format <format>', 'what to print on stdout')
        .choices(['table', 'json', 'sarif'])
        .default('table'),
    )
    .option(
      '-o, --out <dir>',
      'also write summary.json, findings.json, log.json, report.json and report.sarif to <dir>',
    )
    .addOption(
      new Option('--fail-on <severity>', 'exit with code 1 when a finding is at or above this severity')
        .choices(['low', 'medium', 'high', 'critical', 'none'])
        .default('none'),
    )
    .option('-c, --concurrency <n>', 'files scanned in parallel (default: CPU count, max 8)', positiveInt)
    .option('--no-gitignore', 'also scan files ignored by .gitignore')
    .option('--exclude <pattern...>', 'gitignore-style patterns to skip', [])
    .option('--no-pii', 'do not report personal data')
    .option('--advisories <file>', 'use this advisory file instead of the bundled one')
    .option(
      '--allow-global <pattern...>',
      'pickle globals to treat as safe, e.g. your own classes: module.Name, module.*, module.Prefix*, package.**',
      [],
    )
    .option(
      '--allow-globals-file <file>',
      'read --allow-global patterns from a file, one per line (# comments)',
    )
    .option('--no-progress', 'no progress output on stderr')
    .action(async (path: string, opts: ScanCliOptions) => {
      const progress = createProgress(process.stderr, opts.progress);
      let report: ScanReport;
      try {
        const allowGlobals = [
          ...opts.allowGlobal,
          ...(opts.allowGlobalsFile ? readAllowList(opts.allowGlobalsFile) : []),
        ];
        report = await scanPath(path, {
          allowGlobals,
          gitignore: opts.gitignore,
          exclude: opts.exclude,
          pii: opts.pii,
          ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
          ...(opts.advisories ? { advisoriesPath: opts.advisories } : {}),
          onProgress: (p) => progress.update(p),
        });
      } catch (e) {
        progress.finish();
        process.stderr.write(`ai-shield scan: ${(e as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      progress.finish();
      if (opts.out) {
        const written = await writeReports(report, opts.out);
        process.stderr.write(`reports written: ${written.join(', ')}\n`);
      }
      if (opts.format === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else if (opts.format === 'sarif') process.stdout.write(`${JSON.stringify(toSarif(report), null, 2)}\n`);
      else
        process.stdout.write(
          `${toTable(report, process.stdout.isTTY === true, process.stdout.columns ?? 140)}\n`,
        );
      const failOn = isSeverity(opts.failOn) ? opts.failOn : 'none';
      process.exitCode = exitCodeFor(report, failOn);
    });
}
