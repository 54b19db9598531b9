/**
 * The deployment description `ai-shield assess` reads (YAML or JSON): what the model is, who can reach
 * it, what it can do and what protects it around the shield. Strict: a typo is an error naming the field.
 * @module
 */

import { AiShieldConfigError } from '@ai-shield/core';
import { z } from 'zod';

/** Tool capabilities, most dangerous last. */
export const TOOL_CAPABILITIES = [
  'read',
  'search',
  'write',
  'delete',
  'send-message',
  'network',
  'filesystem',
  'database',
  'payments',
  'execute-code',
] as const;

/** Capabilities that change the world outside the conversation (LLM06). */
export const HIGH_IMPACT_CAPABILITIES: readonly string[] = [
  'write',
  'delete',
  'send-message',
  'payments',
  'execute-code',
  'filesystem',
  'database',
  'network',
];

const endpointSchema = z.strictObject({
  method: z.string().min(1).default('POST'),
  /** Path as the shield's `routes` keys see it, e.g. `/v1/chat`. */
  path: z.string().startsWith('/', 'paths start with "/"'),
  /** `chat` (text in, text out), `predict` (numbers in), `embeddings`, or `other`. */
  kind: z.enum(['chat', 'predict', 'embeddings', 'other']).default('chat'),
});

const toolSchema = z.strictObject({
  name: z.string().min(1),
  capabilities: z.array(z.enum(TOOL_CAPABILITIES)).min(1, 'list what the tool can do'),
  /** A person approves each high-impact call before it runs. */
  requiresApproval: z.boolean().default(false),
  /** `user`: the tool acts with the caller's permissions; `service`: with a shared service account. */
  runsAs: z.enum(['user', 'service']).default('service'),
  /** Third-party plugin (code you did not write). */
  thirdParty: z.boolean().default(false),
});

const retrievalSchema = z.strictObject({
  name: z.string().min(1),
  kind: z.enum(['vector-db', 'search-index', 'web', 'database', 'files']).default('vector-db'),
  /** Who can put content in: `curated` (reviewed), `internal` (staff), `user-uploaded`, `web`. */
  trust: z.enum(['curated', 'internal', 'user-uploaded', 'web']),
  /** `per-user`: retrieval filtered by the caller's permissions; `shared`: one index for all; `none`. */
  accessControl: z.enum(['per-user', 'shared', 'none']).default('shared'),
});

export const deploymentSchema = z.strictObject({
  /** Schema version of this description. */
  version: z.literal(1).default(1),
  name: z.string().min(1),
  model: z.strictObject({
    kind: z.enum(['llm-chat', 'rag', 'agent', 'classifier', 'regressor']),
    /** `hosted-api` (a provider's API), `self-hosted` (weights you serve), `fine-tuned` (weights you trained further). */
    hosting: z.enum(['hosted-api', 'self-hosted', 'fine-tuned']).default('hosted-api'),
    /** File format of served weights (self-hosted): `pickle` formats can run code when loaded. */
    format: z.enum(['safetensors', 'gguf', 'onnx', 'pickle', 'pytorch', 'keras', 'other']).optional(),
    /** Model files are checked with `ai-shield scan` (in CI or before deployment). */
    scanned: z.boolean().default(false),
    /** Model artifacts are signed / hash-pinned and verified on deploy. */
    signed: z.boolean().default(false),
    /** Training or fine-tuning data provenance. */
    dataProvenance: z.enum(['verified', 'unverified', 'unknown', 'not-applicable']).default('not-applicable'),
    /** The model keeps learning from user feedback or conversations. */
    learnsFromUsers: z.boolean().default(false),
    /** The system prompt holds secrets, credentials or internal rules that must not leak. */
    systemPromptSensitive: z.boolean().default(false),
  }),
  exposure: z.enum(['public', 'partner', 'internal']),
  dataSensitivity: z.enum(['public', 'internal', 'confidential', 'regulated']),
  authentication: z
    .strictObject({
      method: z.enum(['none', 'api-key', 'jwt', 'oauth', 'mtls', 'session']),
      mfa: z.boolean().default(false),
    })
    .prefault({ method: 'none' }),
  tls: z
    .strictObject({
      /** Where TLS ends: `none` means plain HTTP end to end. */
      termination: z.enum(['none', 'app', 'load-balancer', 'gateway', 'cdn']),
      minVersion: z.enum(['1.0', '1.1', '1.2', '1.3']).default('1.2'),
    })
    .prefault({ termination: 'none' }),
  secrets: z
    .strictObject({
      /** Where API keys and model-provider credentials live. */
      storage: z.enum(['hardcoded', 'config-file', 'env', 'secret-manager', 'vault', 'kms']),
      /** Days between rotations; unset means never rotated. */
      rotationDays: z.number().int().positive().optional(),
    })
    .prefault({ storage: 'env' }),
  network: z
    .strictObject({
      waf: z.boolean().default(false),
      /** Ingress restricted to known networks (firewall, private link). */
      restrictedIngress: z.boolean().default(false),
    })
    .prefault({}),
  endpoints: z.array(endpointSchema).default([]),
  tools: z.array(toolSchema).default([]),
  retrieval: z.array(retrievalSchema).default([]),
  output: z
    .strictObject({
      /** Model output is rendered as HTML/Markdown in a browser. */
      rendered: z.enum(['none', 'plain-text', 'markdown', 'html']).default('plain-text'),
      /** Output feeds another interpreter. */
      downstream: z.array(z.enum(['sql', 'shell', 'code', 'email', 'api-call', 'file'])).default([]),
      /** Output is escaped / parameterized for each sink before use. */
      encoded: z.boolean().default(false),
    })
    .prefault({}),
  limits: z
    .strictObject({
      /** Cap on generated tokens per request. */
      maxOutputTokens: z.number().int().positive().optional(),
      /** Upstream model-call timeout. */
      timeoutSec: z.number().positive().optional(),
      /** Spending cap with the model provider (per month). */
      budget: z.boolean().default(false),
    })
    .prefault({}),
  oversight: z
    .strictObject({
      /** A person reviews high-impact outputs or actions before they take effect. */
      humanReview: z.boolean().default(false),
      /** Users are told answers may be wrong and where they come from. */
      disclaimer: z.boolean().default(false),
      /** Answers cite retrieved sources / are grounded. */
      grounding: z.boolean().default(false),
    })
    .prefault({}),
  logging: z
    .strictObject({
      /** Where security logs end up. */
      destination: z.enum(['none', 'local-file', 'central', 'siem']).default('none'),
      /** Days logs are kept; unset means unknown. */
      retentionDays: z.number().int().positive().optional(),
    })
    .prefault({}),
  alerting: z
    .strictObject({
      /** Who is alerted (addresses, team names, on-call rotation). */
      recipients: z.array(z.string().min(1)).default([]),
      onCall: z.boolean().default(false),
    })
    .prefault({}),
});

/** A deployment description as written (defaults may be omitted). */
export type DeploymentInput = z.input<typeof deploymentSchema>;
/** A validated deployment description with every default filled in. */
export type Deployment = z.output<typeof deploymentSchema>;

/**
 * Validates a deployment description. Throws `AiShieldConfigError` listing every problem, each naming
 * its field (`deployment.model.kind: Invalid option: expected one of ...`).
 * @example
 * const deployment = parseDeployment(YAML.parse(text));
 */
export function parseDeployment(input: unknown): Deployment {
  const parsed = deploymentSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new AiShieldConfigError(parsed.error.issues.map(describeIssue));
}

function fieldsAt(path: PropertyKey[]): string[] {
  let schema: unknown = deploymentSchema;
  for (const key of path) {
    schema = unwrap(schema);
    const shape = (schema as { shape?: Record<string, unknown> }).shape;
    const element = (schema as { element?: unknown }).element;
    if (typeof key === 'number' && element) schema = element;
    else if (shape) schema = shape[String(key)];
    else return [];
  }
  const shape = (unwrap(schema) as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

function unwrap(schema: unknown): unknown {
  let current = schema as { _zod?: { def?: { innerType?: unknown } } } | undefined;
  while (current?._zod?.def?.innerType) current = current._zod.def.innerType as typeof current;
  return current;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = ['deployment', ...issue.path.map(String)].join('.');
  if (issue.code !== 'unrecognized_keys') return `${where}: ${issue.message}`;
  const known = fieldsAt(issue.path);
  return issue.keys
    .map(
      (key) =>
        `${where}.${key}: unknown field.${known.length ? ` Known fields here: ${known.join(', ')}.` : ''}`,
    )
    .join('\n  - ');
}
