/**
 * Framework checklists and prioritized recommendations, derived from the scored threats and the
 * evaluated controls.
 * @module
 */
import { ATLAS_TECHNIQUES, CWE_NAMES, NIST_AI_RMF, OWASP_LLM_2025 } from './catalog.js';
import type { ScoredThreat } from './measured.js';
import { levelRank, residualRisk } from './score.js';
import type {
  ComplianceChecklist,
  ComplianceItem,
  ControlResult,
  ControlStatus,
  Recommendation,
  RiskLevel,
  Threat,
  ThreatReferences,
  ThreatResult,
} from './types.js';

type Framework = ComplianceChecklist['framework'];

const FRAMEWORKS: Array<{
  framework: Framework;
  title: string;
  key: keyof ThreatReferences;
  names: Record<string, string>;
  listAll: boolean;
}> = [
  {
    framework: 'owasp-llm-2025',
    title: 'OWASP Top 10 for LLM Applications 2025',
    key: 'owaspLlm',
    names: OWASP_LLM_2025,
    listAll: true,
  },
  { framework: 'mitre-atlas', title: 'MITRE ATLAS', key: 'atlas', names: ATLAS_TECHNIQUES, listAll: false },
  {
    framework: 'nist-ai-rmf',
    title: 'NIST AI RMF 1.0',
    key: 'nistAiRmf',
    names: NIST_AI_RMF,
    listAll: false,
  },
  { framework: 'cwe', title: 'CWE', key: 'cwe', names: CWE_NAMES, listAll: false },
];

function aggregate(statuses: ControlStatus[]): ControlStatus {
  const relevant = statuses.filter((status) => status !== 'not-applicable');
  if (relevant.length === 0) return 'not-applicable';
  if (relevant.every((status) => status === 'present')) return 'present';
  if (relevant.every((status) => status === 'missing')) return 'missing';
  return 'partial';
}

function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** One checklist per framework; an item's status aggregates the controls of the applicable threats citing it. */
export function buildCompliance(
  threats: Threat[],
  results: ThreatResult[],
  controls: ControlResult[],
): ComplianceChecklist[] {
  const controlById = new Map(controls.map((control) => [control.id, control]));
  const applicable = new Set(results.filter((r) => r.applicable).map((r) => r.id));
  return FRAMEWORKS.map(({ framework, title, key, names, listAll }) => {
    const ids = new Set<string>(listAll ? Object.keys(names) : []);
    for (const threat of threats) for (const id of threat.references[key] ?? []) ids.add(id);
    const items: ComplianceItem[] = [...ids].sort(compareIds).map((id) => {
      const citing = threats.filter((threat) => threat.references[key]?.includes(id));
      const active = citing.filter((threat) => applicable.has(threat.id));
      const controlIds = [...new Set(active.flatMap((threat) => threat.mitigations.map((m) => m.control)))];
      const statuses = controlIds.map((cid) => controlById.get(cid)?.status ?? 'missing');
      const evidence = controlIds
        .filter((cid) => controlById.get(cid)?.status !== 'not-applicable')
        .map((cid) => {
          const control = controlById.get(cid);
          return `${cid}: ${control?.status ?? 'missing'}${control?.evidence[0] ? ` (${control.evidence[0]})` : ''}`;
        });
      return {
        id,
        title: names[id] ?? id,
        status: active.length === 0 ? 'not-applicable' : aggregate(statuses),
        evidence,
        threats: citing.map((threat) => threat.id),
      };
    });
    const summary = { present: 0, partial: 0, missing: 0 };
    for (const item of items) if (item.status !== 'not-applicable') summary[item.status]++;
    return { framework, title, items, summary };
  });
}

/**
 * Recommendations: every control not fully present (or present with a measured weight its fixes would
 * raise) that lowers an applicable threat, ranked by the worst residual level it touches, then by the
 * residual score it would remove if put fully in place as its fixes say.
 */
export function buildRecommendations(
  threats: ScoredThreat[],
  results: ThreatResult[],
  controls: ControlResult[],
): Recommendation[] {
  const resultById = new Map(results.map((r) => [r.id, r]));
  const statusOf = new Map(controls.map((control) => [control.id, control.status]));
  const candidates: Array<Omit<Recommendation, 'rank'>> = [];
  // A present control with a measured weight can still improve: its fixes raise the weight (e.g. a
  // block threshold above the card's block point lowers the measured recall).
  const improvable = (id: string) =>
    threats.some((threat) => threat.mitigations.some((m) => m.control === id && m.target > m.weight));
  for (const control of controls) {
    const candidate =
      control.status === 'partial' ||
      control.status === 'missing' ||
      (control.status === 'present' && control.fixes.length > 0 && improvable(control.id));
    if (!candidate) continue;
    let reduction = 0;
    let priority: RiskLevel = 'low';
    const touched: string[] = [];
    for (const threat of threats) {
      const r = resultById.get(threat.id);
      if (!r?.applicable || !threat.mitigations.some((m) => m.control === control.id)) continue;
      const improved = residualRisk(
        threat,
        r.inherent,
        (id) => (id === control.id ? 'present' : (statusOf.get(id) ?? 'missing')),
        (m) => (m.control === control.id ? m.target : m.weight),
      );
      const gain = r.residual.score - improved.score;
      if (gain <= 0) continue;
      reduction += gain;
      touched.push(threat.id);
      if (levelRank(r.residual.level) > levelRank(priority)) priority = r.residual.level;
    }
    if (touched.length === 0) continue;
    candidates.push({
      priority,
      control: control.id,
      title: control.title,
      changes: control.fixes,
      threats: touched,
      riskReduction: Math.round(reduction * 10) / 10,
    });
  }
  candidates.sort(
    (a, b) =>
      levelRank(b.priority) - levelRank(a.priority) ||
      b.riskReduction - a.riskReduction ||
      a.control.localeCompare(b.control),
  );
  return candidates.map((candidate, index) => ({ rank: index + 1, ...candidate }));
}
