/**
 * Built-in controls read from the shield options (per endpoint, after `routes` overrides). Each names
 * the option that decided it and the concrete change when it is not present.
 * @module
 */
import {
  type ControlDefinition,
  isNumeric,
  isText,
  any as onEvery,
  perEndpoint,
  perMinute,
  routePrefix,
  windowText,
} from './control-kit.js';
import { CARD_BLOCK_POINT, detectionFigures, figuresEvidence } from './measured.js';

/** Controls backed by shield options. */
export const OPTION_CONTROLS: ControlDefinition[] = [
  {
    id: 'rate.perIp',
    title: 'Per-client-IP rate limit',
    source: 'option',
    blocking: true,
    evaluate: (context) =>
      perEndpoint(context, onEvery, (endpoint) => {
        const { rate } = endpoint.options;
        const suggested = endpoint.kind === 'chat' ? 60 : 120;
        const fix = {
          target: `${routePrefix(endpoint)}rate.perIp`,
          change: `set \`rate.perIp\` to \`{ points: ${suggested}, durationSec: 60 }\` on ${endpoint.label}`,
        };
        if (!rate.enabled || rate.perIp === false) {
          return { status: 'missing', evidence: `rate.enabled: ${rate.enabled}, rate.perIp: false`, fix };
        }
        if (context.facts.behindProxy && context.options.trustProxy === false) {
          return {
            status: 'partial',
            evidence: `rate.perIp: ${windowText(rate.perIp)}, but trustProxy: false behind a ${context.deployment.tls.termination}: every client shares the proxy's budget`,
            fix: {
              target: 'trustProxy',
              change: "set `trustProxy` to your proxy's addresses or CIDRs (e.g. `['10.0.0.0/8']`)",
            },
          };
        }
        if (perMinute(rate.perIp) > suggested * 2) {
          return { status: 'partial', evidence: `rate.perIp: ${windowText(rate.perIp)} (loose)`, fix };
        }
        return { status: 'present', evidence: `rate.perIp: ${windowText(rate.perIp)}` };
      }),
  },
  {
    id: 'rate.perIdentity',
    title: 'Per-identity rate limit (needs an identity: JWT, API keys or access.identify)',
    source: 'option',
    blocking: true,
    evaluate: (context) =>
      perEndpoint(context, onEvery, (endpoint) => {
        const { rate, access } = endpoint.options;
        const points = endpoint.kind === 'chat' ? 30 : 120;
        const jwt = access.jwt;
        const identified =
          !!access.identify ||
          !!(jwt && (jwt.secret || jwt.publicKey || jwt.jwk || jwt.jwksUrl || jwt.keys.length > 0)) ||
          !!access.apiKeys;
        const fix = {
          target: `${routePrefix(endpoint)}rate.perIdentity`,
          change: `set \`rate.perIdentity\` to \`{ points: ${points}, durationSec: 60 }\` on ${endpoint.label}${identified ? '' : ' and turn on `access.jwt` or `access.apiKeys` (or set `access.identify`) so callers have an identity'}`,
        };
        if (!rate.enabled || rate.perIdentity === false) {
          return { status: 'missing', evidence: 'rate.perIdentity: false', fix };
        }
        if (!access.enabled || !identified) {
          return {
            status: 'partial',
            evidence: `rate.perIdentity: ${windowText(rate.perIdentity)}, but no identity source (access.jwt, access.apiKeys, access.identify): identity budgets never apply`,
            fix,
          };
        }
        if (perMinute(rate.perIdentity) > points * 4) {
          return {
            status: 'partial',
            evidence: `rate.perIdentity: ${windowText(rate.perIdentity)} (loose)`,
            fix,
          };
        }
        return {
          status: 'present',
          evidence: `rate.perIdentity: ${windowText(rate.perIdentity)}, callers identified (${[access.jwt && 'jwt', access.apiKeys && 'api keys', access.identify && 'identify'].filter(Boolean).join(', ')})`,
        };
      }),
  },
  {
    id: 'rate.failedAttempts',
    title: 'Failed-attempt lockout',
    source: 'option',
    blocking: true,
    evaluate: (context) =>
      perEndpoint(context, onEvery, (endpoint) => {
        const { rate } = endpoint.options;
        if (!rate.enabled || rate.failedAttempts === false) {
          return {
            status: 'missing',
            evidence: 'rate.failedAttempts: false',
            fix: {
              target: 'rate.failedAttempts',
              change: 'set `rate.failedAttempts` to `{ max: 5, windowSec: 900, blockDurationSec: 900 }`',
            },
          };
        }
        return {
          status: 'present',
          evidence: `rate.failedAttempts.max: ${rate.failedAttempts.max} in ${rate.failedAttempts.windowSec}s`,
        };
      }),
  },
  {
    id: 'budget.tokens',
    title: 'Token budgets and max_tokens caps (what a request costs, not how many are sent)',
    source: 'option',
    blocking: true,
    evaluate: (context) =>
      perEndpoint(context, isText, (endpoint) => {
        const { budget } = endpoint.options;
        const windows = budget.perClient !== false || budget.perIdentity !== false;
        const capped = budget.maxOutputTokens !== undefined;
        const fix = {
          target: `${routePrefix(endpoint)}budget`,
          change: `set \`budget.perIdentity\` (or \`budget.perClient\`) to \`{ tokens: 50000, durationSec: 60 }\` and \`budget.maxOutputTokens\` on ${endpoint.label} (env: AI_SHIELD_TOKEN_BUDGET, AI_SHIELD_MAX_OUTPUT_TOKENS)`,
        };
        if (windows && capped) {
          return {
            status: 'present',
            evidence: `token budget windows and maxOutputTokens: ${budget.maxOutputTokens}`,
          };
        }
        if (windows || capped) {
          return {
            status: 'partial',
            evidence: windows
              ? 'token budget windows, no maxOutputTokens cap'
              : `maxOutputTokens: ${budget.maxOutputTokens}, no token budget`,
            fix,
          };
        }
        return { status: 'missing', evidence: 'budget: no token windows, no max_tokens cap', fix };
      }),
  },
  {
    id: 'validation.limits',
    title: 'Request size and structure limits',
    source: 'option',
    blocking: true,
    evaluate: (context) =>
      perEndpoint(context, onEvery, (endpoint) => {
        const { validation } = endpoint.options;
        const fix = {
          target: `${routePrefix(endpoint)}validation.maxBodyBytes`,
          change: `set \`validation.maxBodyBytes\` to \`${endpoint.kind === 'chat' ? 100_000 : 1_000_000}\` on ${endpoint.label}`,
        };
        if (!validation.enabled) return { status: 'missing', evidence: 'validation.enabled: false', fix };
        const evidence = `validation.maxBodyBytes: ${validation.maxBodyBytes}, maxDepth: ${validation.maxDepth}`;
        if (validation.maxBodyBytes > 10_000_000)
          return { status: 'partial', evidence: `${evidence} (large)`, fix };
        return { status: 'present', evidence };
      }),
  },
  {
    id: 'validation.schema',
    title: 'Request schema (zod) on model routes',
    source: 'option',
    blocking: true,
    evaluate: (context) =>
      perEndpoint(
        context,
        (endpoint) => endpoint.kind === 'chat' || endpoint.kind === 'predict',
        (endpoint) => {
          const { validation } = endpoint.options;
          const schema = endpoint.kind === 'chat' ? 'chatSchema' : 'tensorSchema';
          const fix = {
            target: `${routePrefix(endpoint)}validation.schema`,
            change: `set \`${routePrefix(endpoint)}validation.schema\` to \`${schema}\` (or your own zod schema)`,
          };
          if (!validation.enabled || !validation.schema) {
            return { status: 'missing', evidence: 'validation.schema: not set', fix };
          }
          if (validation.unknownKeys === 'ignore') {
            return {
              status: 'partial',
              evidence: "validation.schema set, unknownKeys: 'ignore'",
              fix: { target: 'validation.unknownKeys', change: "set `validation.unknownKeys` to `'block'`" },
            };
          }
          return {
            status: 'present',
            evidence: `validation.schema set, unknownKeys: '${validation.unknownKeys}'`,
          };
        },
      ),
  },
  {
    id: 'validation.numeric',
    title: 'Numeric input ranges and gradient',
    source: 'option',
    blocking: true,
    evaluate: (context) =>
      perEndpoint(context, isNumeric, (endpoint) => {
        const { numeric } = endpoint.options.validation;
        const fix = {
          target: `${routePrefix(endpoint)}validation.numeric`,
          change: `set \`${routePrefix(endpoint)}validation.numeric\` to \`{ min: -1, max: 1, maxGradient: 1.5 }\` (your model's input range)`,
        };
        if (!endpoint.options.validation.enabled || numeric.min === undefined || numeric.max === undefined) {
          return { status: 'missing', evidence: 'validation.numeric.min/max: not set', fix };
        }
        const evidence = `validation.numeric: [${numeric.min}, ${numeric.max}]${numeric.maxGradient ? `, maxGradient ${numeric.maxGradient}` : ''}`;
        return numeric.maxGradient ? { status: 'present', evidence } : { status: 'partial', evidence, fix };
      }),
  },
  {
    id: 'validation.sanitize',
    title: 'Invisible and control characters removed',
    source: 'option',
    evaluate: (context) =>
      perEndpoint(context, isText, (endpoint) => {
        const { sanitize, enabled } = endpoint.options.validation;
        const fix = { target: 'validation.sanitize', change: "set `validation.sanitize` to `'strip'`" };
        if (!enabled || sanitize === 'off')
          return { status: 'missing', evidence: "validation.sanitize: 'off'", fix };
        if (sanitize === 'report')
          return { status: 'partial', evidence: "validation.sanitize: 'report'", fix };
        return { status: 'present', evidence: "validation.sanitize: 'strip'" };
      }),
  },
  {
    id: 'detection.prompt',
    title: 'Prompt-injection and jailbreak detection',
    source: 'option',
    blocking: true,
    // The threshold never makes this partial: the measured weights already read the model card at it
    // (measured.ts), so a threshold above the card's block point only adds a fix to lower it.
    evaluate: (context) => {
      const endpoints = perEndpoint(context, isText, (endpoint) => {
        const { detection } = endpoint.options;
        const fix = {
          target: 'detection.blockThreshold',
          change: `set \`detection.enabled: true\` and \`detection.blockThreshold\` to \`${CARD_BLOCK_POINT}\` (or lower) on ${endpoint.label}`,
        };
        if (!detection.enabled) return { status: 'missing', evidence: 'detection.enabled: false', fix };
        const evidence = `detection.blockThreshold: ${detection.blockThreshold}`;
        if (detection.blockThreshold > CARD_BLOCK_POINT) {
          return {
            status: 'present',
            evidence: `${evidence} (above ${CARD_BLOCK_POINT}, the model card's block point: fewer attacks blocked)`,
            fix: {
              target: `${routePrefix(endpoint)}detection.blockThreshold`,
              change: `lower \`detection.blockThreshold\` to \`${CARD_BLOCK_POINT}\` on ${endpoint.label}`,
            },
          };
        }
        return { status: 'present', evidence };
      });
      if (endpoints.status === 'not-applicable') return endpoints;
      const measured = detectionFigures(context);
      const external = context.endpoints.some((e) => isText(e) && e.options.detection.external)
        ? [
            'detection.external is set: the model card measures the built-in detector only, so its effect is not counted',
          ]
        : [];
      return {
        ...endpoints,
        evidence: [...endpoints.evidence, ...figuresEvidence(measured), ...external],
        measured,
      };
    },
  },
  {
    id: 'detection.behavior',
    title: 'Behaviour tracking (repeats, near-duplicate probing)',
    source: 'option',
    evaluate: (context) =>
      perEndpoint(context, onEvery, (endpoint) => {
        const { detection } = endpoint.options;
        const fix = {
          target: 'detection.behavior',
          change: 'set `detection.behavior.enabled: true` with `probeThreshold: 8`',
        };
        if (!detection.enabled || !detection.behavior.enabled) {
          return { status: 'missing', evidence: 'detection.behavior.enabled: false', fix };
        }
        if (detection.behavior.probeThreshold === 0) {
          return {
            status: 'partial',
            evidence: 'detection.behavior.probeThreshold: 0 (probing not tracked)',
            fix,
          };
        }
        return {
          status: 'present',
          evidence: `detection.behavior.probeThreshold: ${detection.behavior.probeThreshold}`,
        };
      }),
  },
  {
    id: 'detection.numeric',
    title: 'Statistical checks of numeric inputs',
    source: 'option',
    evaluate: (context) =>
      perEndpoint(context, isNumeric, (endpoint) => {
        const { detection } = endpoint.options;
        if (!detection.enabled || !detection.numeric.enabled) {
          return {
            status: 'missing',
            evidence: 'detection.numeric.enabled: false',
            fix: { target: 'detection.numeric.enabled', change: 'set `detection.numeric.enabled: true`' },
          };
        }
        return {
          status: 'present',
          evidence: `detection.numeric.zThreshold: ${detection.numeric.zThreshold}`,
        };
      }),
  },
];
