/**
 * Built-in controls read from the response-check, audit and alert options.
 * @module
 */
import {
  type ControlDefinition,
  isNumeric,
  isText,
  any as onEvery,
  perEndpoint,
  result,
  routePrefix,
} from './control-kit.js';

const PII_TYPES = ['email', 'phone', 'card', 'iban', 'ssn', 'secret'] as const;
const PROTECTIVE = new Set(['mask', 'redact', 'block']);

/** Controls backed by `output`, `audit` and `alerts` options. */
export const OUTPUT_CONTROLS: ControlDefinition[] = [
  {
    id: 'output.pii',
    title: 'PII and secrets masked in responses',
    source: 'option',
    evaluate: (context) =>
      perEndpoint(context, isText, (endpoint) => {
        const { output } = endpoint.options;
        if (!output.enabled || !output.pii.enabled) {
          return {
            status: 'missing',
            evidence: `output.enabled: ${output.enabled}, output.pii.enabled: ${output.pii.enabled}`,
            fix: {
              target: 'output.pii.enabled',
              change: 'set `output.enabled: true` and `output.pii.enabled: true`',
            },
          };
        }
        const weak = PII_TYPES.filter((type) => !PROTECTIVE.has(output.pii.actions[type]));
        if (weak.length === 0)
          return { status: 'present', evidence: 'output.pii.actions: mask or stricter for every type' };
        return {
          status: weak.length === PII_TYPES.length ? 'missing' : 'partial',
          evidence: `output.pii.actions: ${weak.map((type) => `${type}: '${output.pii.actions[type]}'`).join(', ')}`,
          fix: {
            target: 'output.pii.actions',
            change: `enable ${weak.map((type) => `\`output.pii.actions.${type}: 'mask'\``).join(', ')}`,
          },
        };
      }),
  },
  {
    id: 'output.leak',
    title: 'System-prompt and canary leak detection',
    source: 'option',
    evaluate: (context) =>
      perEndpoint(context, isText, (endpoint) => {
        const { output } = endpoint.options;
        const fix = {
          target: 'output.leak.systemPrompt',
          change:
            'set `output.leak.systemPrompt` to your system prompt and add a canary from `shield.canary()` to it and to `output.leak.canaries`',
        };
        if (!output.enabled) return { status: 'missing', evidence: 'output.enabled: false', fix };
        const hasPrompt = output.leak.systemPrompt !== undefined;
        const canaries = output.leak.canaries.length;
        if (!hasPrompt && canaries === 0) {
          return { status: 'missing', evidence: 'output.leak.systemPrompt and .canaries: not set', fix };
        }
        const evidence = `output.leak: ${hasPrompt ? 'systemPrompt set' : 'no systemPrompt'}, ${canaries} canaries, action '${output.leak.action}'`;
        if (!hasPrompt || output.leak.action !== 'block') return { status: 'partial', evidence, fix };
        return { status: 'present', evidence };
      }),
  },
  {
    id: 'output.sanitizeErrors',
    title: 'Error bodies stripped of internals',
    source: 'option',
    evaluate: (context) =>
      perEndpoint(context, onEvery, (endpoint) => {
        const { output } = endpoint.options;
        if (!output.enabled || !output.sanitizeErrors.enabled) {
          return {
            status: 'missing',
            evidence: 'output.sanitizeErrors.enabled: false',
            fix: {
              target: 'output.sanitizeErrors.enabled',
              change: 'set `output.sanitizeErrors.enabled: true`',
            },
          };
        }
        return { status: 'present', evidence: 'output.sanitizeErrors.enabled: true' };
      }),
  },
  {
    id: 'output.filter',
    title: 'Response deny lists and patterns',
    source: 'option',
    evaluate: (context) =>
      perEndpoint(context, isText, (endpoint) => {
        const { output } = endpoint.options;
        const rules = output.filter.deny.length + output.filter.patterns.length;
        if (!output.enabled || rules === 0) {
          return {
            status: 'missing',
            evidence: 'output.filter.deny and .patterns: empty',
            fix: {
              target: 'output.filter.patterns',
              change:
                "add `output.filter.patterns` for markup your outputs must never carry (e.g. `{ pattern: '<script', action: 'block' }`) and `output.filter.deny` terms",
            },
          };
        }
        return { status: 'present', evidence: `output.filter: ${rules} rules` };
      }),
  },
  {
    id: 'output.confidence',
    title: 'Low-confidence predictions flagged or withheld',
    source: 'option',
    evaluate: (context) =>
      perEndpoint(context, isNumeric, (endpoint) => {
        const { output } = endpoint.options;
        if (!output.enabled || !output.confidence.path) {
          return {
            status: 'missing',
            evidence: 'output.confidence.path: not set',
            fix: {
              target: `${routePrefix(endpoint)}output.confidence`,
              change: `set \`${routePrefix(endpoint)}output.confidence\` to \`{ path: 'confidence', threshold: 0.5 }\``,
            },
          };
        }
        return {
          status: 'present',
          evidence: `output.confidence: ${output.confidence.path} < ${output.confidence.threshold} → ${output.confidence.action}`,
        };
      }),
  },
  {
    id: 'audit.log',
    title: 'Durable, tamper-evident audit log',
    source: 'option',
    evaluate: ({ options }) => {
      const { audit } = options;
      if (!audit.enabled) {
        return result('missing', 'audit.enabled: false', [
          {
            target: 'audit.enabled',
            change: 'set `audit.enabled: true` and `audit.path` (or `AI_SHIELD_AUDIT_LOG_PATH`)',
          },
        ]);
      }
      const durable = Boolean(audit.sink || audit.path || audit.dir);
      const keyed = Boolean(audit.hmacKey || audit.checkpoints.signingKey);
      const evidence = [
        durable
          ? `audit: ${audit.path ? `path ${audit.path}` : audit.dir ? `dir ${audit.dir}` : 'custom sink'}`
          : 'audit: in-memory sink only (lost on restart)',
        keyed
          ? 'audit.hmacKey or signing key set'
          : 'audit.hmacKey: not set (chain can be recomputed by whoever edits the file)',
      ];
      const fixes = [
        ...(durable
          ? []
          : [
              {
                target: 'audit.path',
                change: 'set `audit.path` (or `AI_SHIELD_AUDIT_LOG_PATH`) and use `withNodeSinks()`',
              },
            ]),
        ...(keyed
          ? []
          : [
              {
                target: 'audit.hmacKey',
                change: 'set `audit.hmacKey` (`AI_SHIELD_AUDIT_HMAC_KEY`, 32 random bytes)',
              },
            ]),
      ];
      return result(durable && keyed ? 'present' : 'partial', evidence, fixes);
    },
  },
  {
    id: 'alerts.delivery',
    title: 'Security alerts reach a person',
    source: 'option',
    evaluate: ({ options, deployment }) => {
      const { alerts } = options;
      const channels = alerts.enabled ? alerts.channels.length + (alerts.email ? 1 : 0) : 0;
      const recipients = deployment.alerting.recipients.length;
      const evidence = [
        alerts.enabled ? `alerts: ${channels} delivery channel(s)` : 'alerts.enabled: false',
        `deployment.alerting.recipients: ${recipients ? deployment.alerting.recipients.join(', ') : 'none'}`,
      ];
      const fixes = [
        ...(channels
          ? []
          : [
              {
                target: 'alerts.email',
                change:
                  'set `alerts.email` (or `AI_SHIELD_SMTP_SERVER` / `AI_SHIELD_ALERT_RECIPIENTS`) or add a webhook channel',
              },
            ]),
        ...(recipients
          ? []
          : [
              {
                target: 'deployment.alerting.recipients',
                change: 'name who is alerted in `alerting.recipients`',
              },
            ]),
      ];
      return result(
        channels && recipients ? 'present' : channels || recipients ? 'partial' : 'missing',
        evidence,
        fixes,
      );
    },
  },
];
