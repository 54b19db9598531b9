/**
 * The assessment context: resolved options (global and per endpoint), the deployment and the facts
 * derived from it, plus the evaluator of catalog {@link Condition}s over that context.
 * @module
 */
import type { ResolvedOptions } from '@ai-shield/core';
import { createRouteTable } from '@ai-shield/core';
import { type Deployment, HIGH_IMPACT_CAPABILITIES } from './deployment.js';
import type { Condition } from './types.js';

/** An endpoint with the options that apply to it after `routes` overrides. */
export interface EndpointOptions {
  method: string;
  path: string;
  kind: Deployment['endpoints'][number]['kind'];
  /** The `routes` key that matched, if any. */
  routeKey?: string;
  options: ResolvedOptions;
  /** Display form: `POST /v1/chat`. */
  label: string;
}

/** Facts derived from the deployment, addressable as `facts.<name>` in conditions. */
export interface DeploymentFacts {
  textModel: boolean;
  numericModel: boolean;
  selfHosted: boolean;
  unsafeFormat: boolean;
  sensitiveData: boolean;
  hasTools: boolean;
  toolCapabilities: string[];
  highImpactTools: number;
  unapprovedHighImpactTools: number;
  thirdPartyTools: number;
  hasRetrieval: boolean;
  untrustedRetrieval: boolean;
  sharedRetrieval: boolean;
  richOutput: boolean;
  downstreamSinks: number;
  behindProxy: boolean;
  enforcing: boolean;
}

/** Everything controls and conditions read. */
export interface AssessContext {
  deployment: Deployment;
  options: ResolvedOptions;
  endpoints: EndpointOptions[];
  facts: DeploymentFacts;
}

function defaultEndpoints(deployment: Deployment): Deployment['endpoints'] {
  if (deployment.endpoints.length > 0) return deployment.endpoints;
  const numeric = deployment.model.kind === 'classifier' || deployment.model.kind === 'regressor';
  return [
    numeric
      ? { method: 'POST', path: '/v1/predict', kind: 'predict' }
      : { method: 'POST', path: '/v1/chat', kind: 'chat' },
  ];
}

/** Derives the facts conditions use. */
export function deriveFacts(deployment: Deployment, options: ResolvedOptions): DeploymentFacts {
  const { model, tools, retrieval } = deployment;
  const highImpact = tools.filter((tool) =>
    tool.capabilities.some((capability) => HIGH_IMPACT_CAPABILITIES.includes(capability)),
  );
  return {
    textModel: model.kind === 'llm-chat' || model.kind === 'rag' || model.kind === 'agent',
    numericModel: model.kind === 'classifier' || model.kind === 'regressor',
    selfHosted: model.hosting !== 'hosted-api',
    unsafeFormat: model.format === 'pickle' || model.format === 'pytorch' || model.format === 'keras',
    sensitiveData:
      deployment.dataSensitivity === 'confidential' || deployment.dataSensitivity === 'regulated',
    hasTools: tools.length > 0,
    toolCapabilities: [...new Set(tools.flatMap((tool) => tool.capabilities))],
    highImpactTools: highImpact.length,
    unapprovedHighImpactTools: highImpact.filter((tool) => !tool.requiresApproval).length,
    thirdPartyTools: tools.filter((tool) => tool.thirdParty).length,
    hasRetrieval: retrieval.length > 0,
    untrustedRetrieval: retrieval.some(
      (source) => source.trust === 'user-uploaded' || source.trust === 'web',
    ),
    sharedRetrieval: retrieval.some((source) => source.accessControl !== 'per-user'),
    richOutput: deployment.output.rendered === 'html' || deployment.output.rendered === 'markdown',
    downstreamSinks: deployment.output.downstream.length,
    behindProxy: ['load-balancer', 'gateway', 'cdn'].includes(deployment.tls.termination),
    enforcing: options.mode === 'enforce',
  };
}

/** Builds the context from resolved options (global plus per-route) and a validated deployment. */
export function createContext(
  options: ResolvedOptions,
  routes: Map<string, ResolvedOptions>,
  deployment: Deployment,
): AssessContext {
  const table = createRouteTable(routes);
  const endpoints = defaultEndpoints(deployment).map((endpoint) => {
    const method = endpoint.method.toUpperCase();
    const hit = table.match(method, endpoint.path);
    return {
      method,
      path: endpoint.path,
      kind: endpoint.kind,
      ...(hit ? { routeKey: hit.key } : {}),
      options: hit?.value ?? options,
      label: `${method} ${endpoint.path}`,
    };
  });
  return { deployment, options, endpoints, facts: deriveFacts(deployment, options) };
}

/** Reads a dotted path (`deployment.tls.termination`, `options.rate.perIp.points`, `facts.hasTools`). */
export function readPath(context: AssessContext, path: string): unknown {
  let current: unknown = context;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Evaluates a catalog condition. Unknown paths read as `undefined` (false for every comparison). */
export function evaluateCondition(context: AssessContext, condition: Condition): boolean {
  if ('all' in condition) return condition.all.every((inner) => evaluateCondition(context, inner));
  if ('any' in condition) return condition.any.some((inner) => evaluateCondition(context, inner));
  if ('not' in condition) return !evaluateCondition(context, condition.not);
  const value = readPath(context, condition.path);
  if (condition.eq !== undefined && value !== condition.eq) return false;
  if (condition.in !== undefined && !condition.in.includes(value as string)) return false;
  if (condition.includes !== undefined && !(Array.isArray(value) && value.includes(condition.includes)))
    return false;
  if (
    condition.includesAny !== undefined &&
    !(Array.isArray(value) && condition.includesAny.some((item) => value.includes(item)))
  )
    return false;
  if (condition.gte !== undefined && !(typeof value === 'number' && value >= condition.gte)) return false;
  if (condition.lte !== undefined && !(typeof value === 'number' && value <= condition.lte)) return false;
  if (condition.truthy !== undefined && Boolean(value) !== condition.truthy) return false;
  return true;
}
