/**
 * Catalog entries for the OWASP Top 10 for LLM Applications 2025 (LLM01..LLM10). Data only.
 * @module
 */
import type { Threat } from './types.js';

const PUBLIC = { path: 'deployment.exposure', eq: 'public' } as const;
const NO_AUTH = { path: 'deployment.authentication.method', eq: 'none' } as const;
const SENSITIVE = { path: 'facts.sensitiveData', eq: true } as const;
const TEXT = { path: 'facts.textModel', eq: true } as const;

/** OWASP LLM 2025 threats. */
export const LLM_THREATS: Threat[] = [
  {
    id: 'AIS-LLM01-DIRECT',
    title: 'Direct prompt injection and jailbreaks',
    description:
      'Users write instructions that override the system prompt or safety rules (ignore previous instructions, role-play jailbreaks, obfuscated payloads).',
    appliesWhen: TEXT,
    likelihood: {
      base: 3,
      factors: [
        { when: PUBLIC, delta: 1, why: 'exposed to the public internet' },
        { when: NO_AUTH, delta: 1, why: 'anonymous callers' },
      ],
    },
    impact: {
      base: 3,
      factors: [
        { when: { path: 'facts.hasTools', eq: true }, delta: 1, why: 'the model can call tools' },
        { when: SENSITIVE, delta: 1, why: 'the model sees confidential or regulated data' },
      ],
    },
    mitigations: [
      // Held-out recall at the deployment's block threshold (model card); min: attackers pick the weaker.
      { control: 'detection.prompt', weight: { measured: ['detection.injection', 'detection.jailbreak'] } },
      { control: 'validation.sanitize', weight: 0.1 },
      { control: 'rate.failedAttempts', weight: 0.15 },
      { control: 'deployment.authentication', weight: 0.2 },
      { control: 'deployment.toolApproval', weight: 0.4, reduces: 'impact' },
    ],
    references: {
      owaspLlm: ['LLM01:2025'],
      atlas: ['AML.T0051.000', 'AML.T0054'],
      nistAiRmf: ['MEASURE 2.7'],
      cwe: ['CWE-1427'],
    },
    evidence: ['injectionAttempts', 'lockouts'],
  },
  {
    id: 'AIS-LLM01-INDIRECT',
    title: 'Indirect prompt injection through retrieved content or tool results',
    description:
      'Instructions hidden in documents, web pages or tool output the model reads are followed as if the user or developer gave them.',
    appliesWhen: {
      any: [
        { path: 'facts.hasRetrieval', eq: true },
        { path: 'facts.hasTools', eq: true },
      ],
    },
    likelihood: {
      base: 2,
      factors: [
        {
          when: { path: 'facts.untrustedRetrieval', eq: true },
          delta: 2,
          why: 'indexes user-uploaded or web content',
        },
      ],
    },
    impact: {
      base: 3,
      factors: [
        {
          when: { path: 'facts.highImpactTools', gte: 1 },
          delta: 2,
          why: 'tools can change data or send messages',
        },
      ],
    },
    mitigations: [
      { control: 'deployment.retrievalTrust', weight: 0.5 },
      { control: 'detection.prompt', weight: { measured: 'detection.indirect' } },
      { control: 'deployment.toolApproval', weight: 0.5, reduces: 'impact' },
      { control: 'deployment.toolPrivilege', weight: 0.3, reduces: 'impact' },
    ],
    references: {
      owaspLlm: ['LLM01:2025'],
      atlas: ['AML.T0051.001'],
      nistAiRmf: ['MEASURE 2.7'],
      cwe: ['CWE-1427'],
    },
    evidence: ['injectionAttempts'],
    notes: [
      'Detection sees documents and tool results only when they pass through the shield (in the request body); score content your server adds after it with `scanPrompt` from @ai-shield/core.',
    ],
  },
  {
    id: 'AIS-LLM02',
    title: 'Sensitive information disclosure in responses',
    description:
      'Answers carry personal data, credentials or internal details: from context, retrieval, training data or error messages.',
    likelihood: {
      base: 2,
      factors: [
        { when: SENSITIVE, delta: 2, why: 'confidential or regulated data in scope' },
        {
          when: { path: 'facts.hasRetrieval', eq: true },
          delta: 1,
          why: 'retrieval puts documents into the context',
        },
      ],
    },
    impact: {
      base: 3,
      factors: [
        {
          when: { path: 'deployment.dataSensitivity', eq: 'regulated' },
          delta: 2,
          why: 'regulated data (breach notification, fines)',
        },
      ],
    },
    mitigations: [
      { control: 'output.pii', weight: 0.5 },
      { control: 'output.sanitizeErrors', weight: 0.15 },
      { control: 'deployment.retrievalAccess', weight: 0.3 },
      { control: 'deployment.authentication', weight: 0.2 },
      { control: 'deployment.tls', weight: 0.1 },
    ],
    references: {
      owaspLlm: ['LLM02:2025'],
      atlas: ['AML.T0057'],
      nistAiRmf: ['MEASURE 2.10', 'MEASURE 2.7'],
      cwe: ['CWE-200', 'CWE-359', 'CWE-209'],
    },
    evidence: ['piiInResponses', 'responseLeaks'],
  },
  {
    id: 'AIS-LLM03',
    title: 'Supply chain: third-party models, plugins and packages',
    description:
      'A compromised or vulnerable model, fine-tune adapter, plugin or dependency runs with the application’s privileges.',
    likelihood: {
      base: 2,
      factors: [
        {
          when: { path: 'facts.selfHosted', eq: true },
          delta: 1,
          why: 'serves model weights obtained from elsewhere',
        },
        { when: { path: 'facts.thirdPartyTools', gte: 1 }, delta: 1, why: 'third-party plugins or tools' },
      ],
    },
    impact: { base: 4 },
    mitigations: [
      { control: 'deployment.modelProvenance', weight: 0.5 },
      { control: 'deployment.toolPrivilege', weight: 0.3, reduces: 'impact' },
      { control: 'deployment.secrets', weight: 0.2, reduces: 'impact' },
    ],
    references: {
      owaspLlm: ['LLM03:2025'],
      atlas: ['AML.T0010'],
      nistAiRmf: ['GOVERN 6.1', 'MAP 4.1', 'MANAGE 3.1'],
      cwe: ['CWE-1357'],
    },
    notes: ['Run `ai-shield scan` on model folders and dependency files in CI.'],
  },
  {
    id: 'AIS-LLM04',
    title: 'Data and model poisoning',
    description:
      'Training, fine-tuning or feedback data is manipulated to plant backdoors, biases or wrong behaviour.',
    appliesWhen: {
      any: [
        { path: 'deployment.model.hosting', eq: 'fine-tuned' },
        { path: 'deployment.model.learnsFromUsers', eq: true },
        { path: 'deployment.model.dataProvenance', in: ['verified', 'unverified', 'unknown'] },
      ],
    },
    likelihood: {
      base: 2,
      factors: [
        {
          when: { path: 'deployment.model.learnsFromUsers', eq: true },
          delta: 2,
          why: 'learns from user input',
        },
        {
          when: { path: 'deployment.model.dataProvenance', in: ['unverified', 'unknown'] },
          delta: 1,
          why: 'training data provenance not verified',
        },
      ],
    },
    impact: { base: 4 },
    mitigations: [
      { control: 'deployment.dataProvenance', weight: 0.6 },
      { control: 'detection.behavior', weight: 0.1 },
      { control: 'rate.perIdentity', weight: 0.1 },
      { control: 'deployment.oversight', weight: 0.2, reduces: 'impact' },
    ],
    references: {
      owaspLlm: ['LLM04:2025'],
      atlas: ['AML.T0020', 'AML.T0018'],
      nistAiRmf: ['MEASURE 2.7', 'MAP 4.1'],
    },
  },
  {
    id: 'AIS-LLM05',
    title: 'Improper output handling',
    description:
      'Model output reaches a browser, SQL, a shell or another system without encoding: XSS, injection, remote code execution.',
    appliesWhen: {
      any: [
        { path: 'facts.richOutput', eq: true },
        { path: 'facts.downstreamSinks', gte: 1 },
      ],
    },
    likelihood: {
      base: 3,
      factors: [
        {
          when: { path: 'deployment.output.rendered', eq: 'html' },
          delta: 1,
          why: 'output rendered as HTML',
        },
      ],
    },
    impact: {
      base: 3,
      factors: [
        {
          when: { path: 'deployment.output.downstream', includesAny: ['shell', 'code', 'sql'] },
          delta: 2,
          why: 'output reaches SQL, a shell or code execution',
        },
      ],
    },
    mitigations: [
      { control: 'deployment.outputEncoding', weight: 0.7 },
      { control: 'output.filter', weight: 0.2 },
      { control: 'detection.prompt', weight: 0.15 },
    ],
    references: {
      owaspLlm: ['LLM05:2025'],
      atlas: ['AML.T0050'],
      nistAiRmf: ['MEASURE 2.7'],
      cwe: ['CWE-1426', 'CWE-79', 'CWE-89', 'CWE-78', 'CWE-94'],
    },
  },
  {
    id: 'AIS-LLM06',
    title: 'Excessive agency',
    description:
      'Tools with more capability, permission or autonomy than needed let a manipulated model act: delete, pay, send, run code.',
    appliesWhen: { path: 'facts.hasTools', eq: true },
    likelihood: {
      base: 2,
      factors: [
        { when: PUBLIC, delta: 1, why: 'public callers can steer the agent' },
        {
          when: { path: 'facts.untrustedRetrieval', eq: true },
          delta: 1,
          why: 'untrusted content reaches the agent',
        },
      ],
    },
    impact: {
      base: 3,
      factors: [
        {
          when: { path: 'facts.toolCapabilities', includesAny: ['payments', 'execute-code', 'delete'] },
          delta: 2,
          why: 'tools can pay, delete or execute code',
        },
      ],
    },
    mitigations: [
      { control: 'deployment.toolApproval', weight: 0.5, reduces: 'impact' },
      { control: 'deployment.toolPrivilege', weight: 0.4, reduces: 'impact' },
      { control: 'detection.prompt', weight: 0.3 },
      { control: 'deployment.authentication', weight: 0.2 },
    ],
    references: {
      owaspLlm: ['LLM06:2025'],
      atlas: ['AML.T0053'],
      nistAiRmf: ['MAP 3.5', 'MANAGE 2.4'],
      cwe: ['CWE-250', 'CWE-862'],
    },
  },
  {
    id: 'AIS-LLM07',
    title: 'System prompt leakage',
    description:
      'The system prompt, and whatever it holds (rules, internal names, credentials), is extracted by asking for it.',
    appliesWhen: TEXT,
    likelihood: {
      base: 3,
      factors: [{ when: PUBLIC, delta: 1, why: 'exposed to the public internet' }],
    },
    impact: {
      base: 2,
      factors: [
        {
          when: { path: 'deployment.model.systemPromptSensitive', eq: true },
          delta: 2,
          why: 'the system prompt holds sensitive content',
        },
      ],
    },
    mitigations: [
      { control: 'output.leak', weight: 0.6 },
      { control: 'detection.prompt', weight: 0.3 },
    ],
    references: {
      owaspLlm: ['LLM07:2025'],
      atlas: ['AML.T0056'],
      nistAiRmf: ['MEASURE 2.7'],
      cwe: ['CWE-200'],
    },
    evidence: ['responseLeaks', 'injectionAttempts'],
    notes: ['Keep credentials out of prompts: the model is not an access-control boundary.'],
  },
  {
    id: 'AIS-LLM08',
    title: 'Vector and embedding weaknesses',
    description:
      'Retrieval returns documents the caller may not see, or poisoned entries planted in the index steer answers.',
    appliesWhen: { path: 'facts.hasRetrieval', eq: true },
    likelihood: {
      base: 2,
      factors: [
        { when: { path: 'facts.sharedRetrieval', eq: true }, delta: 1, why: 'one index shared across users' },
        {
          when: { path: 'facts.untrustedRetrieval', eq: true },
          delta: 1,
          why: 'untrusted content is indexed',
        },
      ],
    },
    impact: { base: 3, factors: [{ when: SENSITIVE, delta: 1, why: 'confidential documents are indexed' }] },
    mitigations: [
      { control: 'deployment.retrievalAccess', weight: 0.5 },
      { control: 'deployment.retrievalTrust', weight: 0.4 },
      { control: 'output.pii', weight: 0.2, reduces: 'impact' },
    ],
    references: {
      owaspLlm: ['LLM08:2025'],
      atlas: ['AML.T0070'],
      nistAiRmf: ['MEASURE 2.7', 'MEASURE 2.10'],
      cwe: ['CWE-862'],
    },
  },
  {
    id: 'AIS-LLM09',
    title: 'Misinformation and overreliance',
    description:
      'Confident but wrong answers (hallucinations) are acted upon by users or downstream systems.',
    appliesWhen: TEXT,
    likelihood: { base: 3 },
    impact: {
      base: 2,
      factors: [
        { when: SENSITIVE, delta: 1, why: 'answers concern confidential or regulated matters' },
        { when: { path: 'facts.hasTools', eq: true }, delta: 1, why: 'answers drive tool actions' },
      ],
    },
    mitigations: [
      { control: 'deployment.oversight', weight: 0.6 },
      { control: 'output.filter', weight: 0.1 },
    ],
    references: { owaspLlm: ['LLM09:2025'], nistAiRmf: ['MEASURE 2.5', 'MAP 3.5'] },
  },
  {
    id: 'AIS-LLM10',
    title: 'Unbounded consumption (cost and capacity)',
    description:
      'Floods of requests, very long inputs or outputs run up provider bills (denial of wallet) and exhaust capacity.',
    appliesWhen: TEXT,
    likelihood: {
      base: 3,
      factors: [
        { when: PUBLIC, delta: 1, why: 'exposed to the public internet' },
        { when: NO_AUTH, delta: 1, why: 'anonymous callers' },
      ],
    },
    impact: {
      base: 3,
      factors: [
        {
          when: { path: 'deployment.model.hosting', eq: 'hosted-api' },
          delta: 1,
          why: 'pay-per-token provider',
        },
      ],
    },
    mitigations: [
      { control: 'rate.perIp', weight: 0.35 },
      { control: 'rate.perIdentity', weight: 0.25 },
      { control: 'budget.tokens', weight: 0.35 },
      { control: 'validation.limits', weight: 0.2 },
      { control: 'deployment.authentication', weight: 0.2 },
      { control: 'deployment.resourceLimits', weight: 0.5, reduces: 'impact' },
    ],
    references: {
      owaspLlm: ['LLM10:2025'],
      atlas: ['AML.T0034', 'AML.T0029'],
      nistAiRmf: ['MEASURE 2.7', 'MEASURE 2.4'],
      cwe: ['CWE-770'],
    },
    evidence: ['rateLimited'],
  },
];
