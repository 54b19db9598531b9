/**
 * Risk arithmetic: likelihood and impact on 1..5, score = likelihood × impact (1..25), controls cut
 * likelihood or impact by `1 − weight × effectiveness` each (present 1, partial 0.5, missing 0), with
 * measured weights already resolved (measured.ts).
 * @module
 */
import { type AssessContext, evaluateCondition } from './context.js';
import type { ScoredMitigation, ScoredThreat } from './measured.js';
import type {
  AuditEvidence,
  ControlResult,
  ControlStatus,
  EvidenceSignal,
  RiskLevel,
  Threat,
} from './types.js';

/** Levels, lowest first. */
export const RISK_LEVELS: readonly RiskLevel[] = ['low', 'medium', 'high', 'critical'];

/** Score → level: < 5 low, < 10 medium, < 15 high, else critical. */
export function levelOf(score: number): RiskLevel {
  return score < 5 ? 'low' : score < 10 ? 'medium' : score < 15 ? 'high' : 'critical';
}

/** Rank of a level (low 0 .. critical 3). */
export function levelRank(level: RiskLevel): number {
  return RISK_LEVELS.indexOf(level);
}

/** How much of a control's weight applies. */
export function effectiveness(status: ControlStatus): number {
  return status === 'present' ? 1 : status === 'partial' ? 0.5 : 0;
}

const round1 = (value: number) => Math.round(value * 10) / 10;
const clamp = (value: number) => Math.min(5, Math.max(1, value));

const SIGNAL_TEXT: Record<EvidenceSignal, string> = {
  injectionAttempts: 'injection or jailbreak attempts',
  rateLimited: 'rate-limit refusals',
  lockouts: 'lockouts',
  piiInResponses: 'responses with PII or secrets',
  responseLeaks: 'responses withheld for leaks',
  invalidInputs: 'invalid inputs refused',
  accessDenied: 'access denials',
  probing: 'probing or repeat patterns',
  stageFailures: 'stage failures',
};

/** Inherent likelihood and impact, with the factors and audit counts that moved them. */
export function inherentRisk(
  threat: Threat,
  context: AssessContext,
  audit: AuditEvidence | undefined,
): { likelihood: number; impact: number; drivers: string[] } {
  const drivers: string[] = [];
  let likelihood = threat.likelihood.base;
  let impact = threat.impact.base;
  for (const factor of threat.likelihood.factors ?? []) {
    if (!evaluateCondition(context, factor.when)) continue;
    likelihood += factor.delta;
    drivers.push(`likelihood ${factor.delta > 0 ? '+' : ''}${factor.delta}: ${factor.why}`);
  }
  for (const factor of threat.impact.factors ?? []) {
    if (!evaluateCondition(context, factor.when)) continue;
    impact += factor.delta;
    drivers.push(`impact ${factor.delta > 0 ? '+' : ''}${factor.delta}: ${factor.why}`);
  }
  if (audit?.verified) {
    for (const signal of threat.evidence ?? []) {
      const count = audit.counts[signal] ?? 0;
      if (count === 0) continue;
      const delta = count >= 100 ? 2 : 1;
      likelihood += delta;
      drivers.push(`likelihood +${delta}: audit log shows ${count} ${SIGNAL_TEXT[signal]}`);
    }
  }
  return { likelihood: clamp(likelihood), impact: clamp(impact), drivers };
}

/**
 * Residual likelihood, impact and score after the controls' statuses. `weightOf` picks the weight of a
 * mitigation (default its resolved weight; recommendations ask what the weight would be after a fix).
 */
export function residualRisk(
  threat: Pick<ScoredThreat, 'mitigations'>,
  inherent: { likelihood: number; impact: number },
  statusOf: (control: string) => ControlStatus,
  weightOf: (mitigation: ScoredMitigation) => number = (mitigation) => mitigation.weight,
): { likelihood: number; impact: number; score: number } {
  let likelihoodCut = 1;
  let impactCut = 1;
  for (const mitigation of threat.mitigations) {
    const status = statusOf(mitigation.control);
    if (status === 'not-applicable') continue;
    const cut = 1 - weightOf(mitigation) * effectiveness(status);
    const reduces = mitigation.reduces ?? 'likelihood';
    if (reduces !== 'impact') likelihoodCut *= cut;
    if (reduces !== 'likelihood') impactCut *= cut;
  }
  const likelihood = round1(Math.max(1, inherent.likelihood * likelihoodCut));
  const impact = round1(Math.max(1, inherent.impact * impactCut));
  return { likelihood, impact, score: round1(likelihood * impact) };
}

/** Looks up a control's status; unknown ids count as missing. */
export function statusLookup(controls: ControlResult[]): (id: string) => ControlStatus {
  const byId = new Map(controls.map((control) => [control.id, control.status]));
  return (id) => byId.get(id) ?? 'missing';
}
