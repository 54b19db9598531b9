/**
 * Catalog entries beyond the OWASP LLM list: model files, extraction, adversarial inputs, denial of
 * service, training-data inference, and the operational basics (auth, transport, secrets, monitoring).
 * @module
 */
import type { Threat } from './types.js';

const PUBLIC = { path: 'deployment.exposure', eq: 'public' } as const;
const NO_AUTH = { path: 'deployment.authentication.method', eq: 'none' } as const;
const NUMERIC = { path: 'facts.numericModel', eq: true } as const;

/** Model and operational threats. */
export const ML_THREATS: Threat[] = [
  {
    id: 'AIS-MODEL-FILES',
    title: 'Malicious model files (code execution on load)',
    description:
      'Pickle-based weights (PyTorch .pt/.bin, joblib, Keras Lambda layers) can run arbitrary code when loaded; a tampered artifact compromises the server.',
    appliesWhen: { path: 'facts.selfHosted', eq: true },
    likelihood: {
      base: 2,
      factors: [
        { when: { path: 'facts.unsafeFormat', eq: true }, delta: 2, why: 'pickle-based model format' },
      ],
    },
    impact: { base: 5 },
    mitigations: [
      { control: 'deployment.modelProvenance', weight: 0.7 },
      { control: 'deployment.secrets', weight: 0.2, reduces: 'impact' },
    ],
    references: {
      owaspLlm: ['LLM03:2025'],
      atlas: ['AML.T0010.003', 'AML.T0011.000'],
      nistAiRmf: ['GOVERN 6.1', 'MAP 4.1'],
      cwe: ['CWE-502', 'CWE-494'],
    },
    notes: ['Run `ai-shield scan <model dir> --fail-on high` before every deploy; prefer safetensors.'],
  },
  {
    id: 'AIS-EXTRACTION',
    title: 'Model extraction through the inference API',
    description:
      'Systematic queries (near-duplicate probing, dataset-sized sweeps) train a functional copy of the model or steal its decision boundary.',
    likelihood: {
      base: 2,
      factors: [
        { when: PUBLIC, delta: 1, why: 'exposed to the public internet' },
        { when: NO_AUTH, delta: 1, why: 'anonymous callers' },
        {
          when: { path: 'deployment.model.hosting', in: ['self-hosted', 'fine-tuned'] },
          delta: 1,
          why: 'a proprietary model',
        },
      ],
    },
    impact: { base: 3 },
    mitigations: [
      { control: 'detection.behavior', weight: 0.35 },
      { control: 'rate.perIdentity', weight: 0.25 },
      { control: 'rate.perIp', weight: 0.2 },
      { control: 'deployment.authentication', weight: 0.25 },
    ],
    references: {
      owaspLlm: ['LLM10:2025'],
      atlas: ['AML.T0024.002', 'AML.T0040'],
      nistAiRmf: ['MEASURE 2.7'],
      cwe: ['CWE-799'],
    },
    evidence: ['probing', 'rateLimited'],
  },
  {
    id: 'AIS-ADVERSARIAL',
    title: 'Adversarial inputs to classifiers and regressors',
    description:
      'Small crafted perturbations or out-of-distribution inputs flip predictions (evasion), found by iterative probing.',
    appliesWhen: NUMERIC,
    likelihood: {
      base: 3,
      factors: [{ when: PUBLIC, delta: 1, why: 'attackers can query freely' }],
    },
    impact: {
      base: 3,
      factors: [
        {
          when: { path: 'facts.sensitiveData', eq: true },
          delta: 1,
          why: 'decisions on confidential or regulated matters',
        },
      ],
    },
    mitigations: [
      { control: 'validation.numeric', weight: 0.35 },
      { control: 'detection.numeric', weight: 0.3 },
      { control: 'detection.behavior', weight: 0.2 },
      { control: 'validation.schema', weight: 0.1 },
      { control: 'output.confidence', weight: 0.3, reduces: 'impact' },
    ],
    references: {
      atlas: ['AML.T0043', 'AML.T0015'],
      nistAiRmf: ['MEASURE 2.7', 'MEASURE 2.5'],
      cwe: ['CWE-1039'],
    },
    evidence: ['invalidInputs', 'probing'],
  },
  {
    id: 'AIS-DOS',
    title: 'Denial of service through oversized or malformed requests',
    description: 'Huge bodies, deep JSON or request floods tie up parsers, the model server or the GPU.',
    likelihood: {
      base: 2,
      factors: [
        { when: PUBLIC, delta: 2, why: 'exposed to the public internet' },
        { when: NO_AUTH, delta: 1, why: 'anonymous callers' },
      ],
    },
    impact: {
      base: 3,
      factors: [{ when: { path: 'facts.selfHosted', eq: true }, delta: 1, why: 'own inference capacity' }],
    },
    mitigations: [
      { control: 'validation.limits', weight: 0.4 },
      { control: 'rate.perIp', weight: 0.35 },
      { control: 'validation.schema', weight: 0.1 },
      { control: 'deployment.network', weight: 0.2 },
      { control: 'deployment.resourceLimits', weight: 0.3, reduces: 'impact' },
    ],
    references: {
      owaspLlm: ['LLM10:2025'],
      atlas: ['AML.T0029'],
      nistAiRmf: ['MEASURE 2.7', 'MEASURE 2.4'],
      cwe: ['CWE-400', 'CWE-770'],
    },
    evidence: ['rateLimited', 'invalidInputs'],
  },
  {
    id: 'AIS-INFERENCE',
    title: 'Training-data inference (membership inference, model inversion)',
    description:
      'Repeated queries reveal whether a record was in the training set or reconstruct training data.',
    appliesWhen: {
      all: [
        { path: 'facts.sensitiveData', eq: true },
        { path: 'deployment.model.hosting', in: ['self-hosted', 'fine-tuned'] },
      ],
    },
    likelihood: { base: 2, factors: [{ when: PUBLIC, delta: 1, why: 'attackers can query freely' }] },
    impact: { base: 4 },
    mitigations: [
      { control: 'detection.behavior', weight: 0.3 },
      { control: 'rate.perIdentity', weight: 0.25 },
      { control: 'deployment.authentication', weight: 0.25 },
      { control: 'output.pii', weight: 0.2, reduces: 'impact' },
    ],
    references: {
      owaspLlm: ['LLM02:2025'],
      atlas: ['AML.T0024.000', 'AML.T0024.001'],
      nistAiRmf: ['MEASURE 2.10'],
      cwe: ['CWE-359'],
    },
    evidence: ['probing'],
  },
  {
    id: 'AIS-ACCESS',
    title: 'Unauthenticated use and credential abuse',
    description: 'Anyone can call the model, or stolen or guessed credentials are tried until one works.',
    likelihood: {
      base: 2,
      factors: [
        { when: PUBLIC, delta: 1, why: 'exposed to the public internet' },
        { when: NO_AUTH, delta: 2, why: 'no authentication in front' },
      ],
    },
    impact: {
      base: 3,
      factors: [
        { when: { path: 'facts.sensitiveData', eq: true }, delta: 1, why: 'confidential or regulated data' },
      ],
    },
    mitigations: [
      { control: 'deployment.authentication', weight: 0.6 },
      { control: 'rate.failedAttempts', weight: 0.25 },
      { control: 'deployment.network', weight: 0.2 },
    ],
    references: {
      atlas: ['AML.T0012', 'AML.T0040'],
      nistAiRmf: ['MEASURE 2.7'],
      cwe: ['CWE-306', 'CWE-307'],
    },
    evidence: ['accessDenied', 'lockouts'],
  },
  {
    id: 'AIS-TRANSPORT',
    title: 'Prompts and answers readable in transit',
    description: 'Without TLS, prompts, answers and API keys cross the network in clear text.',
    likelihood: {
      base: 2,
      factors: [
        { when: { path: 'deployment.tls.termination', eq: 'none' }, delta: 2, why: 'plain HTTP' },
        {
          when: { path: 'deployment.exposure', in: ['public', 'partner'] },
          delta: 1,
          why: 'traffic crosses networks you do not control',
        },
      ],
    },
    impact: {
      base: 3,
      factors: [
        { when: { path: 'facts.sensitiveData', eq: true }, delta: 1, why: 'confidential or regulated data' },
      ],
    },
    mitigations: [{ control: 'deployment.tls', weight: 0.8 }],
    references: { nistAiRmf: ['MEASURE 2.7'], cwe: ['CWE-319'] },
  },
  {
    id: 'AIS-SECRETS',
    title: 'Exposed API keys and provider credentials',
    description:
      'Keys in code, config files or long-lived environment variables leak (repos, logs, images) and are used to run up costs or read data.',
    likelihood: {
      base: 2,
      factors: [
        {
          when: { path: 'deployment.secrets.storage', in: ['hardcoded', 'config-file'] },
          delta: 2,
          why: 'secrets in code or config files',
        },
      ],
    },
    impact: { base: 4 },
    mitigations: [
      { control: 'deployment.secrets', weight: 0.6 },
      { control: 'output.pii', weight: 0.15, reduces: 'likelihood' },
      { control: 'output.sanitizeErrors', weight: 0.1 },
    ],
    references: { atlas: ['AML.T0055'], nistAiRmf: ['MEASURE 2.7'], cwe: ['CWE-798', 'CWE-312'] },
  },
  {
    id: 'AIS-MONITORING',
    title: 'Attacks go unnoticed (insufficient logging and alerting)',
    description:
      'Without a durable, tamper-evident audit trail and alerts that reach someone, attacks and abuse are found late or never.',
    likelihood: { base: 3, factors: [{ when: PUBLIC, delta: 1, why: 'constant background attack traffic' }] },
    impact: {
      base: 3,
      factors: [
        {
          when: { path: 'deployment.dataSensitivity', eq: 'regulated' },
          delta: 1,
          why: 'regulated data (incident reporting duties)',
        },
      ],
    },
    mitigations: [
      { control: 'audit.log', weight: 0.4 },
      { control: 'alerts.delivery', weight: 0.4 },
      { control: 'deployment.logging', weight: 0.3 },
    ],
    references: { nistAiRmf: ['MANAGE 4.1', 'MEASURE 2.4'], cwe: ['CWE-778'] },
    evidence: ['stageFailures'],
  },
];
