/**
 * The built-in threat catalog (versioned data), the framework titles used by the checklists, and the
 * zod schema of user catalogs that extend or replace entries.
 * @module
 */

import { AiShieldConfigError } from '@ai-shield/core';
import { z } from 'zod';
import { LLM_THREATS } from './catalog-llm.js';
import { ML_THREATS } from './catalog-ml.js';
import { MEASURE_IDS, MEASURES } from './measured.js';
import type { Condition, MeasureId, ThreatCatalog } from './types.js';

/** Version of the built-in catalog; bumped whenever an entry, weight or reference changes. */
export const CATALOG_VERSION = '2025.2';

/**
 * The built-in catalog: every OWASP LLM 2025 item, model files, extraction, adversarial inputs, denial
 * of service, training-data inference, access, transport, secrets and monitoring.
 */
export const THREAT_CATALOG: ThreatCatalog = {
  version: CATALOG_VERSION,
  threats: [...LLM_THREATS, ...ML_THREATS],
};

/** OWASP Top 10 for LLM Applications 2025 names. */
export const OWASP_LLM_2025: Record<string, string> = {
  'LLM01:2025': 'Prompt Injection',
  'LLM02:2025': 'Sensitive Information Disclosure',
  'LLM03:2025': 'Supply Chain',
  'LLM04:2025': 'Data and Model Poisoning',
  'LLM05:2025': 'Improper Output Handling',
  'LLM06:2025': 'Excessive Agency',
  'LLM07:2025': 'System Prompt Leakage',
  'LLM08:2025': 'Vector and Embedding Weaknesses',
  'LLM09:2025': 'Misinformation',
  'LLM10:2025': 'Unbounded Consumption',
};

/** MITRE ATLAS techniques the catalog cites (names as in ATLAS; later releases say "AI" for "ML"). */
export const ATLAS_TECHNIQUES: Record<string, string> = {
  'AML.T0010': 'ML Supply Chain Compromise',
  'AML.T0010.003': 'ML Supply Chain Compromise: Model',
  'AML.T0011.000': 'User Execution: Unsafe ML Artifacts',
  'AML.T0012': 'Valid Accounts',
  'AML.T0015': 'Evade ML Model',
  'AML.T0018': 'Backdoor ML Model',
  'AML.T0020': 'Poison Training Data',
  'AML.T0024.000': 'Exfiltration via ML Inference API: Infer Training Data Membership',
  'AML.T0024.001': 'Exfiltration via ML Inference API: Invert ML Model',
  'AML.T0024.002': 'Exfiltration via ML Inference API: Extract ML Model',
  'AML.T0029': 'Denial of ML Service',
  'AML.T0034': 'Cost Harvesting',
  'AML.T0040': 'ML Model Inference API Access',
  'AML.T0043': 'Craft Adversarial Data',
  'AML.T0050': 'Command and Scripting Interpreter',
  'AML.T0051.000': 'LLM Prompt Injection: Direct',
  'AML.T0051.001': 'LLM Prompt Injection: Indirect',
  'AML.T0053': 'LLM Plugin Compromise',
  'AML.T0054': 'LLM Jailbreak',
  'AML.T0055': 'Unsecured Credentials',
  'AML.T0056': 'Extract LLM System Prompt',
  'AML.T0057': 'LLM Data Leakage',
  'AML.T0070': 'RAG Poisoning',
};

/** NIST AI RMF 1.0 subcategories the catalog cites (paraphrased). */
export const NIST_AI_RMF: Record<string, string> = {
  'GOVERN 6.1': 'Policies address risks of third-party software, data and supply chain',
  'MAP 3.5': 'Processes for human oversight are defined and documented',
  'MAP 4.1': 'Risks of AI components, including third-party software and data, are mapped',
  'MEASURE 2.4': 'Functionality and behaviour are monitored in production',
  'MEASURE 2.5': 'Validity and reliability are demonstrated',
  'MEASURE 2.7': 'Security and resilience are evaluated and documented',
  'MEASURE 2.10': 'Privacy risk is examined and documented',
  'MANAGE 2.4': 'Mechanisms exist to supersede, disengage or deactivate the system',
  'MANAGE 3.1': 'Third-party risks are monitored and controls applied',
  'MANAGE 4.1': 'Post-deployment monitoring plans are implemented',
};

/** CWE entries the catalog cites. */
export const CWE_NAMES: Record<string, string> = {
  'CWE-78': 'OS Command Injection',
  'CWE-79': 'Cross-site Scripting',
  'CWE-89': 'SQL Injection',
  'CWE-94': 'Code Injection',
  'CWE-200': 'Exposure of Sensitive Information to an Unauthorized Actor',
  'CWE-209': 'Generation of Error Message Containing Sensitive Information',
  'CWE-250': 'Execution with Unnecessary Privileges',
  'CWE-306': 'Missing Authentication for Critical Function',
  'CWE-307': 'Improper Restriction of Excessive Authentication Attempts',
  'CWE-312': 'Cleartext Storage of Sensitive Information',
  'CWE-319': 'Cleartext Transmission of Sensitive Information',
  'CWE-359': 'Exposure of Private Personal Information to an Unauthorized Actor',
  'CWE-400': 'Uncontrolled Resource Consumption',
  'CWE-494': 'Download of Code Without Integrity Check',
  'CWE-502': 'Deserialization of Untrusted Data',
  'CWE-770': 'Allocation of Resources Without Limits or Throttling',
  'CWE-778': 'Insufficient Logging',
  'CWE-798': 'Use of Hard-coded Credentials',
  'CWE-799': 'Improper Control of Interaction Frequency',
  'CWE-862': 'Missing Authorization',
  'CWE-1039': 'Inadequate Detection or Handling of Adversarial Input Perturbations',
  'CWE-1357': 'Reliance on Insufficiently Trustworthy Component',
  'CWE-1426': 'Improper Validation of Generative AI Output',
  'CWE-1427': 'Improper Neutralization of Input Used for LLM Prompting',
};

const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(conditionSchema).min(1) }),
    z.strictObject({ any: z.array(conditionSchema).min(1) }),
    z.strictObject({ not: conditionSchema }),
    z.strictObject({
      path: z
        .string()
        .regex(/^(deployment|options|facts)\./, 'paths start with deployment., options. or facts.'),
      eq: z.union([z.string(), z.number(), z.boolean()]).optional(),
      in: z.array(z.union([z.string(), z.number(), z.boolean()])).optional(),
      includes: z.string().optional(),
      includesAny: z.array(z.string()).optional(),
      gte: z.number().optional(),
      lte: z.number().optional(),
      truthy: z.boolean().optional(),
    }),
  ]),
);

const score = z.number().int().min(1).max(5);
const factorSchema = z.strictObject({
  when: conditionSchema,
  delta: z.number().int().min(-4).max(4),
  why: z.string().min(1),
});

/** `{ measured: 'detection.jailbreak' }` or `{ measured: [...], combine: 'min' | 'mean' }`; one id becomes a list. */
const measuredWeightSchema = z.strictObject({
  measured: z.preprocess(
    (value) => (typeof value === 'string' ? [value] : value),
    z.array(z.enum(MEASURE_IDS as [MeasureId, ...MeasureId[]])).min(1),
  ),
  combine: z.enum(['min', 'mean']).optional(),
});
const weightSchema = z.union([z.number().min(0).max(1), measuredWeightSchema], {
  error: `a number from 0 to 1, or { measured: ${MEASURE_IDS.join(' | ')} (or a list), combine?: min | mean }`,
});

/** zod schema of one threat (user catalogs). */
export const threatSchema = z.strictObject({
  id: z.string().min(1),
  title: z.string().min(1),
  description: z.string().min(1),
  appliesWhen: conditionSchema.optional(),
  likelihood: z.strictObject({ base: score, factors: z.array(factorSchema).optional() }),
  impact: z.strictObject({ base: score, factors: z.array(factorSchema).optional() }),
  mitigations: z.array(
    z
      .strictObject({
        control: z.string().min(1),
        weight: weightSchema,
        reduces: z.enum(['likelihood', 'impact', 'both']).optional(),
      })
      .superRefine((mitigation, ctx) => {
        if (typeof mitigation.weight === 'number') return;
        for (const id of mitigation.weight.measured) {
          const { control } = MEASURES[id];
          if (control === mitigation.control) continue;
          ctx.addIssue({
            code: 'custom',
            path: ['weight', 'measured'],
            message: `${id} measures the \`${control}\` control; use it on \`control: ${control}\`, not \`${mitigation.control}\``,
          });
        }
      }),
  ),
  references: z.strictObject({
    owaspLlm: z.array(z.string().regex(/^LLM(0[1-9]|10):2025$/, 'use LLM01:2025 .. LLM10:2025')).optional(),
    atlas: z
      .array(z.string().regex(/^AML\.T\d{4}(\.\d{3})?$/, 'use an ATLAS technique id like AML.T0051'))
      .optional(),
    nistAiRmf: z
      .array(z.string().regex(/^(GOVERN|MAP|MEASURE|MANAGE) \d+(\.\d+)?$/, 'use e.g. "MEASURE 2.7"'))
      .optional(),
    cwe: z.array(z.string().regex(/^CWE-\d+$/, 'use e.g. CWE-79')).optional(),
  }),
  evidence: z
    .array(
      z.enum([
        'injectionAttempts',
        'rateLimited',
        'lockouts',
        'piiInResponses',
        'responseLeaks',
        'invalidInputs',
        'accessDenied',
        'probing',
        'stageFailures',
      ]),
    )
    .optional(),
  notes: z.array(z.string()).optional(),
});

/** zod schema of a user catalog: threats added (or replacing built-ins with the same id) and controls. */
export const catalogSchema = z.strictObject({
  version: z.string().min(1),
  /** `extend` (default) merges with the built-in catalog; `replace` uses only these threats. */
  mode: z.enum(['extend', 'replace']).default('extend'),
  threats: z.array(threatSchema).default([]),
  controls: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        title: z.string().min(1),
        present: conditionSchema,
        partial: conditionSchema.optional(),
        recommendation: z.string().min(1),
      }),
    )
    .default([]),
});

/**
 * Validates a user catalog and merges it with the built-in one (same id replaces). Throws
 * `AiShieldConfigError` naming each bad field (`catalog.threats.0.likelihood.base: ...`).
 * @example
 * const catalog = loadCatalog(YAML.parse(text));
 * assessDeployment(options, deployment, undefined, { catalog });
 */
export function loadCatalog(input: unknown, base: ThreatCatalog = THREAT_CATALOG): ThreatCatalog {
  const parsed = catalogSchema.safeParse(input);
  if (!parsed.success) {
    throw new AiShieldConfigError(
      parsed.error.issues.map(
        (issue) => `${['catalog', ...issue.path.map(String)].join('.')}: ${issue.message}`,
      ),
    );
  }
  const user = parsed.data;
  const ids = new Set(user.threats.map((threat) => threat.id));
  const threats =
    user.mode === 'replace' ? user.threats : [...base.threats.filter((t) => !ids.has(t.id)), ...user.threats];
  return {
    version: `${base.version}+${user.version}`,
    threats,
    controls: [...(base.controls ?? []), ...user.controls],
  };
}
