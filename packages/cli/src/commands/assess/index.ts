/**
 * `ai-shield assess <deployment>`: threat assessment of a model deployment from its shield config and a
 * deployment description, optionally with audit-log evidence and probes of the running app.
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  type AssessmentEvidence,
  type AssessmentReport,
  assessDeployment,
  type RiskLevel,
} from '@ai-shield/assess';
import { isAiShieldError, type ResolvedOptions, resolveOptions, type ShieldOptions } from '@ai-shield/core';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { assessToHtml } from '../../report/assess-html.js';
import { assessToMarkdown } from '../../report/assess-markdown.js';
import { assessToTable } from '../../report/assess-table.js';
import { auditKeyFromEnv } from '../audit/index.js';
import { readAuditEvidence } from './audit.js';
import { AssessInputError, findConfig, loadShieldOptions, readCatalog, readData } from './load.js';
import { checkProbeTarget, runProbes } from './probe.js';

/** Output formats. */
export type AssessFormat = 'table' | 'json' | 'md' | 'html';

interface AssessCliOptions {
  config?: string;
  format: AssessFormat;
  out?: string;
  failOn: RiskLevel | 'none';
  catalog?: string;
  audit?: string[];
  auditKey?: string;
  auditPartial?: boolean;
  probe?: string;
  probePath: string;
  probeMaxRequests: number;
  probeTimeout: number;
}

const LEVELS: RiskLevel[] = ['low', 'medium', 'high', 'critical'];

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** Exit code under `--fail-on`: 1 when the overall residual level is at or above the threshold. */
export function assessExitCode(report: AssessmentReport, failOn: RiskLevel | 'none'): number {
  if (failOn === 'none') return 0;
  return LEVELS.indexOf(report.overall.level) >= LEVELS.indexOf(failOn) ? 1 : 0;
}

/** Renders a report in one of the formats (`color` only affects `table`). */
export function renderAssessment(
  report: AssessmentReport,
  format: AssessFormat,
  color = false,
  width = 140,
): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'md') return assessToMarkdown(report);
  if (format === 'html') return assessToHtml(report);
  return `${assessToTable(report, color, width)}\n`;
}

function routeOptionsFor(options: ShieldOptions, path: string): ResolvedOptions {
  const { options: global, routes } = resolveOptions({ ...options, env: false });
  for (const key of [`POST ${path}`, path]) {
    const hit = routes.get(key);
    if (hit) return hit;
  }
  for (const [key, value] of routes) {
    const route = key.includes(' ') ? key.slice(key.indexOf(' ') + 1) : key;
    if (route.endsWith('*') && path.startsWith(route.slice(0, -1))) return value;
  }
  return global;
}

/** Everything `assess` does, minus argument parsing: returns the report (tests call this). */
export async function runAssess(
  deploymentFile: string,
  opts: Omit<AssessCliOptions, 'format' | 'failOn' | 'out'>,
  cwd = process.cwd(),
  warn: (message: string) => void = () => {},
): Promise<AssessmentReport> {
  if (opts.probe) checkProbeTarget(opts.probe);
  const configFile = findConfig(opts.config, cwd);
  let options: ShieldOptions = {};
  if (configFile) options = await loadShieldOptions(configFile);
  else warn('no ai-shield.config.{mjs,js,json} found: assessing the default shield options');
  const deployment = await readData(deploymentFile);
  const catalog = opts.catalog ? await readCatalog(opts.catalog) : undefined;
  const evidence: AssessmentEvidence = {};
  if (opts.audit?.length) {
    evidence.audit = await readAuditEvidence(opts.audit, {
      ...(opts.auditKey ? { hmacKey: opts.auditKey } : {}),
      ...(opts.auditPartial ? { partial: true } : {}),
    });
    if (!evidence.audit.verified)
      warn(`audit log did not verify, its counts are not used: ${evidence.audit.error}`);
  }
  if (opts.probe) {
    evidence.probes = await runProbes(opts.probe, {
      chatPath: opts.probePath,
      maxRequests: opts.probeMaxRequests,
      timeoutMs: opts.probeTimeout,
      routeOptions: routeOptionsFor(options, opts.probePath),
    });
  }
  try {
    return assessDeployment(
      options,
      deployment as Record<string, unknown>,
      evidence,
      catalog ? { catalog } : {},
    );
  } catch (e) {
    if (isAiShieldError(e)) throw new AssessInputError(`${deploymentFile}: ${e.message}`);
    throw e;
  }
}

/** Registers `assess` on the program. */
export function registerAssessCommand(program: Command): void {
  program
    .command('assess')
    .description('Threat assessment of a model deployment: risks, compliance checklist and recommendations')
    .argument('<deployment>', 'deployment description (YAML or JSON, see docs/assess.md)')
    .option(
      '-c, --config <file>',
      'shield options (default: ai-shield.config.{mjs,js,json} in the working directory)',
    )
    .addOption(
      new Option('-f, --format <format>', 'report format on stdout')
        .choices(['table', 'json', 'md', 'html'])
        .default('table'),
    )
    .option('-o, --out <file>', 'write the report to <file> instead of stdout')
    .addOption(
      new Option(
        '--fail-on <level>',
        'exit with code 1 when the overall residual risk is at or above this level',
      )
        .choices(['low', 'medium', 'high', 'critical', 'none'])
        .default('none'),
    )
    .option('--catalog <file>', 'extra threats and controls (YAML or JSON), merged with the built-in catalog')
    .option(
      '--audit <files...>',
      'audit log files (JSONL, in chain order): verified, then counted as evidence',
    )
    .option('--audit-key <key>', 'HMAC key of a keyed audit chain (default: AI_SHIELD_AUDIT_HMAC_KEY)')
    .option('--audit-partial', 'accept an audit log that does not start at the first entry')
    .option(
      '--probe <base-url>',
      'send a small, bounded set of safe probes to this running app (http/https only)',
    )
    .option('--probe-path <path>', 'chat route to probe', '/v1/chat')
    .option('--probe-max-requests <n>', 'most requests the probes may send', positiveInt, 200)
    .option('--probe-timeout <ms>', 'total time budget of the probes', positiveInt, 20_000)
    .action(async (deploymentFile: string, opts: AssessCliOptions) => {
      const warn = (message: string) => process.stderr.write(`ai-shield assess: ${message}\n`);
      let report: AssessmentReport;
      try {
        report = await runAssess(
          deploymentFile,
          { ...opts, auditKey: opts.auditKey ?? auditKeyFromEnv(process.env) },
          process.cwd(),
          warn,
        );
      } catch (e) {
        if (!(e instanceof AssessInputError)) throw e;
        warn(e.message);
        process.exitCode = 2;
        return;
      }
      const text = renderAssessment(
        report,
        opts.format,
        !opts.out && process.stdout.isTTY === true,
        process.stdout.columns ?? 140,
      );
      if (opts.out) {
        await mkdir(dirname(opts.out), { recursive: true });
        await writeFile(opts.out, text);
        warn(`report written: ${opts.out} (overall risk ${report.overall.level})`);
      } else process.stdout.write(text);
      process.exitCode = assessExitCode(report, opts.failOn);
    });
}
