/**
 * `assessDeployment(options, deployment, evidence?)`: a threat assessment of one deployment from the
 * shield options it runs with, a description of the deployment and, optionally, evidence from operation
 * (audit-log counts, probe results). Pure: no I/O, same result on every runtime.
 * @module
 */

import type { ShieldOptions } from '@ai-shield/core';
import { resolveOptions } from '@ai-shield/core';
import { THREAT_CATALOG } from './catalog.js';
import { buildCompliance, buildRecommendations } from './compliance.js';
import { type AssessContext, createContext, evaluateCondition } from './context.js';
import type { ControlDefinition } from './control-kit.js';
import { FACT_CONTROLS } from './controls-facts.js';
import { OPTION_CONTROLS } from './controls-options.js';
import { OUTPUT_CONTROLS } from './controls-output.js';
import { type DeploymentInput, parseDeployment } from './deployment.js';
import { resolveWeights } from './measured.js';
import { inherentRisk, levelOf, levelRank, RISK_LEVELS, residualRisk, statusLookup } from './score.js';
import type {
  AssessmentEvidence,
  AssessmentReport,
  ControlResult,
  DeclarativeControl,
  ProbeResult,
  RiskLevel,
  ThreatCatalog,
  ThreatResult,
} from './types.js';

/** Options of {@link assessDeployment}. */
export interface AssessOptions {
  /** Catalog to assess against. Default {@link THREAT_CATALOG}; extend it with `loadCatalog`. */
  catalog?: ThreatCatalog;
}

/** Built-in controls, in report order. */
export const BUILT_IN_CONTROLS: readonly ControlDefinition[] = [
  ...OPTION_CONTROLS,
  ...OUTPUT_CONTROLS,
  ...FACT_CONTROLS,
];

function evaluateDeclarative(context: AssessContext, control: DeclarativeControl): ControlResult {
  const present = evaluateCondition(context, control.present);
  const partial = !present && control.partial !== undefined && evaluateCondition(context, control.partial);
  return {
    id: control.id,
    title: control.title,
    source: 'custom',
    status: present ? 'present' : partial ? 'partial' : 'missing',
    evidence: [
      present
        ? 'condition `present` holds'
        : partial
          ? 'condition `partial` holds'
          : 'conditions do not hold',
    ],
    fixes: present ? [] : [{ target: control.id, change: control.recommendation }],
  };
}

function evaluateControls(context: AssessContext, catalog: ThreatCatalog): ControlResult[] {
  const monitor = context.options.mode === 'monitor';
  const out = BUILT_IN_CONTROLS.map((definition): ControlResult => {
    const evaluated = definition.evaluate(context);
    const control: ControlResult = {
      id: definition.id,
      title: definition.title,
      source: definition.source,
      ...evaluated,
    };
    if (monitor && definition.blocking && control.status === 'present') {
      control.status = 'partial';
      control.evidence = [...control.evidence, "mode: 'monitor' (records, never blocks)"];
      control.fixes = [...control.fixes, { target: 'mode', change: "set `mode: 'enforce'`" }];
    }
    return control;
  });
  for (const declarative of catalog.controls ?? []) {
    const index = out.findIndex((control) => control.id === declarative.id);
    const evaluated = evaluateDeclarative(context, declarative);
    if (index >= 0) out[index] = evaluated;
    else out.push(evaluated);
  }
  return out;
}

function applyProbes(controls: ControlResult[], probes: ProbeResult[]): void {
  for (const control of controls) {
    const mine = probes.filter((probe) => probe.control === control.id && probe.verdict !== 'inconclusive');
    if (mine.length === 0) continue;
    const failed = mine.find((probe) => probe.verdict === 'not-effective');
    const shown = failed ?? mine[0]!;
    control.probe = { verdict: shown.verdict, detail: shown.detail };
    if (failed) {
      control.status = 'missing';
      control.evidence = [...control.evidence, `probe ${failed.name}: not effective (${failed.detail})`];
    } else {
      control.status = 'present';
      control.evidence = [
        ...control.evidence,
        ...mine.map((probe) => `probe ${probe.name}: verified (${probe.detail})`),
      ];
    }
  }
}

function warningsFor(
  context: AssessContext,
  catalog: ThreatCatalog,
  evidence: AssessmentEvidence | undefined,
): string[] {
  const warnings: string[] = [];
  if (context.options.mode === 'monitor')
    warnings.push("mode is 'monitor': nothing is blocked, blocking controls count as partial");
  if (context.deployment.endpoints.length === 0) {
    warnings.push(`no endpoints listed: assessed as ${context.endpoints.map((e) => e.label).join(', ')}`);
  }
  for (const endpoint of context.endpoints) {
    if (endpoint.options.skip) warnings.push(`${endpoint.label}: the shield is skipped on this route`);
  }
  const known = new Set([
    ...BUILT_IN_CONTROLS.map((c) => c.id),
    ...(catalog.controls ?? []).map((c) => c.id),
  ]);
  for (const threat of catalog.threats) {
    for (const mitigation of threat.mitigations) {
      if (!known.has(mitigation.control)) {
        warnings.push(`${threat.id}: unknown control "${mitigation.control}" (counted as missing)`);
      }
    }
  }
  if (evidence?.audit && !evidence.audit.verified) {
    warnings.push(`audit evidence not used: ${evidence.audit.error ?? 'the chain did not verify'}`);
  }
  return warnings;
}

/**
 * Assesses a deployment. `options` are the shield options the app passes to the middleware (validated
 * with the same schema; the environment is not read unless `options.env` is given). Throws
 * `AiShieldConfigError` naming the field when the options or the deployment are invalid.
 * @example
 * const report = assessDeployment(shieldOptions, { name: 'chat', model: { kind: 'llm-chat' },
 *   exposure: 'public', dataSensitivity: 'internal' });
 * if (report.overall.level === 'critical') process.exitCode = 1;
 */
export function assessDeployment(
  options: ShieldOptions,
  deployment: DeploymentInput | Record<string, unknown>,
  evidence?: AssessmentEvidence,
  assessOptions: AssessOptions = {},
): AssessmentReport {
  const catalog = assessOptions.catalog ?? THREAT_CATALOG;
  const { options: resolved, routes } = resolveOptions({ env: false, ...options });
  const context = createContext(resolved, routes, parseDeployment(deployment));
  const controls = evaluateControls(context, catalog);
  if (evidence?.probes?.length) applyProbes(controls, evidence.probes);
  const statusOf = statusLookup(controls);
  const scored = resolveWeights(catalog.threats, context);

  const threats: ThreatResult[] = scored.map((threat) => {
    const applicable = threat.appliesWhen === undefined || evaluateCondition(context, threat.appliesWhen);
    const inherent = inherentRisk(threat, context, evidence?.audit);
    const residual = applicable
      ? residualRisk(threat, inherent, statusOf)
      : { likelihood: 0, impact: 0, score: 0 };
    const inherentScore = applicable ? inherent.likelihood * inherent.impact : 0;
    return {
      id: threat.id,
      title: threat.title,
      applicable,
      ...(applicable ? {} : { reason: 'does not apply to this deployment (see appliesWhen in the catalog)' }),
      inherent: {
        likelihood: applicable ? inherent.likelihood : 0,
        impact: applicable ? inherent.impact : 0,
        score: inherentScore,
        level: levelOf(inherentScore),
      },
      residual: { ...residual, level: levelOf(residual.score) },
      drivers: applicable ? inherent.drivers : [],
      controls: threat.mitigations.map((m) => {
        const control = controls.find((c) => c.id === m.control);
        return {
          id: m.control,
          status: statusOf(m.control),
          weight: m.weight,
          ...(m.measured ? { measured: m.measured } : {}),
          ...(control?.probe ? { probe: control.probe.verdict } : {}),
        };
      }),
      references: threat.references,
      ...(threat.notes ? { notes: threat.notes } : {}),
    };
  });

  const active = threats.filter((t) => t.applicable);
  const counts = Object.fromEntries(RISK_LEVELS.map((level) => [level, 0])) as Record<RiskLevel, number>;
  for (const t of active) counts[t.residual.level]++;
  const worst = (key: 'inherent' | 'residual'): RiskLevel =>
    active.reduce<RiskLevel>(
      (acc, t) => (levelRank(t[key].level) > levelRank(acc) ? t[key].level : acc),
      'low',
    );
  const { deployment: d } = context;
  return {
    schemaVersion: 1,
    catalogVersion: catalog.version,
    deployment: {
      name: d.name,
      modelKind: d.model.kind,
      exposure: d.exposure,
      dataSensitivity: d.dataSensitivity,
    },
    overall: {
      level: worst('residual'),
      inherentLevel: worst('inherent'),
      score: active.reduce((acc, t) => Math.max(acc, t.residual.score), 0),
      counts,
    },
    threats,
    controls,
    compliance: buildCompliance(catalog.threats, threats, controls),
    recommendations: buildRecommendations(scored, threats, controls),
    evidence: {
      ...(evidence?.audit ? { audit: evidence.audit } : {}),
      ...(evidence?.probes ? { probes: evidence.probes } : {}),
    },
    warnings: warningsFor(context, catalog, evidence),
  };
}
