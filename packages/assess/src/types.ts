/**
 * Types of the deployment assessment: the threat catalog (plain data), control results, evidence and the
 * report `assessDeployment` returns. Everything here is serializable; the JSON report is this shape.
 * @module
 */

/** Risk levels, lowest first. */
export type RiskLevel = 'low' | 'medium' | 'high' | 'critical';

/** Whether a control is in place for this deployment. */
export type ControlStatus = 'present' | 'partial' | 'missing' | 'not-applicable';

/** What probing a running app showed about a control. */
export type ProbeVerdict = 'verified' | 'not-effective' | 'inconclusive';

/**
 * A condition over the assessment context, as data. `path` is dotted and starts with `deployment.`,
 * `options.` or `facts.` (see docs/assess.md). Exactly one comparison should be given; `all`/`any`/`not`
 * combine conditions.
 */
export type Condition =
  | {
      path: string;
      eq?: string | number | boolean;
      in?: Array<string | number | boolean>;
      /** The value (an array) contains this element. */
      includes?: string;
      /** The value (an array) contains one of these. */
      includesAny?: string[];
      gte?: number;
      lte?: number;
      truthy?: boolean;
    }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

/** Raises (or, when negative, lowers) likelihood or impact when `when` holds. */
export interface RiskFactor {
  when: Condition;
  delta: number;
  /** Shown in the report: why the score moved. */
  why: string;
}

/**
 * Measured figures a mitigation's weight can come from (docs/assess.md, "Measured weights"): held-out
 * recall of the prompt detector from its model card, read at the deployment's block threshold. Each
 * belongs to the `detection.prompt` control.
 */
export type MeasureId =
  | 'detection.injection'
  | 'detection.jailbreak'
  | 'detection.indirect'
  | 'detection.adversarialSuffix';

/** A weight taken from measured figures: one measure, or several combined. */
export interface MeasuredWeight {
  measured: MeasureId | MeasureId[];
  /** How several measures combine: `min` (default: an attacker picks what is caught least) or `mean`. */
  combine?: 'min' | 'mean';
}

/**
 * How much a control cuts a threat: a `weight` in 0..1 on likelihood, impact, or both; a constant, or
 * {@link MeasuredWeight} (e.g. `{ measured: 'detection.jailbreak' }`).
 */
export interface Mitigation {
  control: string;
  weight: number | MeasuredWeight;
  reduces?: 'likelihood' | 'impact' | 'both';
}

/** Framework references of a threat. Only identifiers we are sure of are listed. */
export interface ThreatReferences {
  /** OWASP Top 10 for LLM Applications 2025, e.g. `LLM01:2025`. */
  owaspLlm?: string[];
  /** MITRE ATLAS technique ids, e.g. `AML.T0051`. */
  atlas?: string[];
  /** NIST AI RMF 1.0 subcategories, e.g. `MEASURE 2.7` (the function is the first word). */
  nistAiRmf?: string[];
  /** CWE ids, e.g. `CWE-1427`. */
  cwe?: string[];
}

/** Audit evidence signals a threat reacts to (see {@link AuditEvidence}). */
export type EvidenceSignal =
  | 'injectionAttempts'
  | 'rateLimited'
  | 'lockouts'
  | 'piiInResponses'
  | 'responseLeaks'
  | 'invalidInputs'
  | 'accessDenied'
  | 'probing'
  | 'stageFailures';

/** One entry of the threat catalog. */
export interface Threat {
  /** Stable id, e.g. `AIS-LLM01-DIRECT`. */
  id: string;
  title: string;
  description: string;
  /** Applies only when this holds (default: always). */
  appliesWhen?: Condition;
  likelihood: { base: number; factors?: RiskFactor[] };
  impact: { base: number; factors?: RiskFactor[] };
  mitigations: Mitigation[];
  references: ThreatReferences;
  /** Audit signals that raise the likelihood when seen in the period. */
  evidence?: EvidenceSignal[];
  /** Extra advice that is not a control (e.g. "run `ai-shield scan` in CI"). */
  notes?: string[];
}

/** A control defined as data (user catalogs): present / partial when the conditions hold. */
export interface DeclarativeControl {
  id: string;
  title: string;
  present: Condition;
  partial?: Condition;
  /** The concrete change recommended when the control is not present. */
  recommendation: string;
}

/** The catalog: versioned data. Users extend it with their own threats and declarative controls. */
export interface ThreatCatalog {
  version: string;
  threats: Threat[];
  controls?: DeclarativeControl[];
}

/** A concrete change that would put a control in place. */
export interface Fix {
  /** The option or deployment fact to change, e.g. `rate.perIdentity` or `deployment.tls.termination`. */
  target: string;
  /** What to do, naming the value, e.g. "set `rate.perIdentity` to `{ points: 30, durationSec: 60 }` on POST /v1/chat". */
  change: string;
}

/** A control evaluated for one deployment. */
export interface ControlResult {
  id: string;
  title: string;
  /** `option`: from the shield options; `fact`: from the deployment description; `custom`: user catalog. */
  source: 'option' | 'fact' | 'custom';
  status: ControlStatus;
  /** Which option values or facts decided the status. */
  evidence: string[];
  fixes: Fix[];
  /** Set when `--probe` tested the control against the running app. */
  probe?: { verdict: ProbeVerdict; detail: string };
  /** The measured figures behind the control's weights (`detection.prompt`: the model card). */
  measured?: MeasuredFigures;
}

/** A rate with the number of rows it was measured on. */
export interface MeasuredRate {
  rate: number;
  n: number;
}

/** What the model card says about the detector at the deployment's block threshold. */
export interface MeasuredFigures {
  /** Where the figures come from (the model card and how it was made). */
  source: string;
  /** Block threshold the figures are read at. */
  threshold: number;
  /** Which option set it, e.g. "detection.blockThreshold 0.8 on POST /v1/chat". */
  thresholdFrom: string;
  /** `measured`: the card measured this threshold; otherwise the figures are an estimate (see `method`). */
  basis: 'measured' | 'interpolated' | 'extrapolated';
  method: string;
  /** Held-out recall per measure, pooled over the attack families listed. */
  recall: Array<
    MeasuredRate & {
      measure: MeasureId;
      title: string;
      families: Array<MeasuredRate & { family: string; kind: string }>;
    }
  >;
  /** The false-positive cost: shares of held-out benign texts and hard negatives refused. */
  refused: {
    benign: MeasuredRate;
    hardNegative: MeasuredRate;
    /** The benign family (40+ rows) refused most often. */
    worstBenignFamily?: MeasuredRate & { family: string };
  };
}

/** Counts from the audit log of the period (after its chain was verified). */
export interface AuditEvidence {
  /** True when the chain verified; unverified evidence is reported but not used. */
  verified: boolean;
  /** The verification error, when not verified. */
  error?: string;
  entries: number;
  from?: string;
  to?: string;
  counts: Partial<Record<EvidenceSignal, number>>;
}

/** One probe's outcome, from the CLI's `--probe` (or any other prober). */
export interface ProbeResult {
  /** Probe name, e.g. `injection`, `oversized-body`. */
  name: string;
  /** The control it tests. */
  control: string;
  verdict: ProbeVerdict;
  /** What was sent and what came back, e.g. "POST /v1/chat 'ignore previous instructions' -> 403". */
  detail: string;
}

/** Evidence from operation: the audit log and probes. */
export interface AssessmentEvidence {
  audit?: AuditEvidence;
  probes?: ProbeResult[];
}

/** The scored result for one threat. */
export interface ThreatResult {
  id: string;
  title: string;
  applicable: boolean;
  /** Why the threat does not apply (when `applicable` is false). */
  reason?: string;
  inherent: { likelihood: number; impact: number; score: number; level: RiskLevel };
  residual: { likelihood: number; impact: number; score: number; level: RiskLevel };
  /** Factors that moved likelihood and impact, and audit evidence, in words. */
  drivers: string[];
  /** `weight` is resolved: a measured weight shows the value used and, in `measured`, where it came from. */
  controls: Array<{
    id: string;
    status: ControlStatus;
    weight: number;
    measured?: { measures: MeasureId[]; combine: 'min' | 'mean' };
    probe?: ProbeVerdict;
  }>;
  references: ThreatReferences;
  notes?: string[];
}

/** One line of a framework checklist. */
export interface ComplianceItem {
  id: string;
  title: string;
  status: ControlStatus;
  /** Controls behind the item and their status, e.g. "output.pii: partial (email: flag)". */
  evidence: string[];
  threats: string[];
}

/** A framework checklist. */
export interface ComplianceChecklist {
  framework: 'owasp-llm-2025' | 'mitre-atlas' | 'nist-ai-rmf' | 'cwe';
  title: string;
  items: ComplianceItem[];
  summary: Record<Exclude<ControlStatus, 'not-applicable'>, number>;
}

/** A prioritized recommendation (rank 1 first). */
export interface Recommendation {
  rank: number;
  priority: RiskLevel;
  control: string;
  title: string;
  /** The concrete changes. */
  changes: Fix[];
  /** Threats it lowers. */
  threats: string[];
  /** Sum of residual-score reduction over those threats if the control were fully in place. */
  riskReduction: number;
}

/** The assessment report (JSON schema version 1, see docs/assess.md). */
export interface AssessmentReport {
  schemaVersion: 1;
  catalogVersion: string;
  deployment: { name: string; modelKind: string; exposure: string; dataSensitivity: string };
  overall: {
    /** Highest residual level over applicable threats. */
    level: RiskLevel;
    inherentLevel: RiskLevel;
    /** Highest residual score (1..25). */
    score: number;
    counts: Record<RiskLevel, number>;
  };
  threats: ThreatResult[];
  controls: ControlResult[];
  compliance: ComplianceChecklist[];
  recommendations: Recommendation[];
  evidence: {
    audit?: AuditEvidence;
    probes?: ProbeResult[];
  };
  /** Notes about the inputs (e.g. monitor mode, skipped routes). */
  warnings: string[];
}
