/**
 * Built-in controls read from the deployment description: what protects the model around the shield.
 * @module
 */
import { type ControlDefinition, result } from './control-kit.js';
import { HIGH_IMPACT_CAPABILITIES } from './deployment.js';

const fix = (target: string, change: string) => ({ target: `deployment.${target}`, change });

/** Controls backed by deployment facts. */
export const FACT_CONTROLS: ControlDefinition[] = [
  {
    id: 'deployment.authentication',
    title: 'Callers authenticated',
    source: 'fact',
    evaluate: ({ deployment }) => {
      const { method, mfa } = deployment.authentication;
      if (method === 'none') {
        const internal = deployment.exposure === 'internal';
        return result(
          internal ? 'partial' : 'missing',
          `authentication.method: none (exposure: ${deployment.exposure})`,
          [
            fix(
              'authentication.method',
              'put authentication (OAuth/JWT, mTLS or API keys) in front of the model routes',
            ),
          ],
        );
      }
      return result('present', `authentication.method: ${method}${mfa ? ' with MFA' : ''}`);
    },
  },
  {
    id: 'deployment.tls',
    title: 'TLS in transit',
    source: 'fact',
    evaluate: ({ deployment }) => {
      const { termination, minVersion } = deployment.tls;
      if (termination === 'none') {
        return result('missing', 'tls.termination: none (plain HTTP)', [
          fix('tls.termination', 'terminate TLS 1.2+ at the load balancer, gateway or app'),
        ]);
      }
      if (minVersion === '1.0' || minVersion === '1.1') {
        return result('partial', `tls: ${termination}, minVersion ${minVersion}`, [
          fix('tls.minVersion', 'raise the minimum TLS version to 1.2'),
        ]);
      }
      return result('present', `tls: ${termination}, minVersion ${minVersion}`);
    },
  },
  {
    id: 'deployment.secrets',
    title: 'Secrets in a secret store, rotated',
    source: 'fact',
    evaluate: ({ deployment }) => {
      const { storage, rotationDays } = deployment.secrets;
      const managed = storage === 'secret-manager' || storage === 'vault' || storage === 'kms';
      const rotated = rotationDays !== undefined && rotationDays <= 90;
      const evidence = `secrets.storage: ${storage}, rotationDays: ${rotationDays ?? 'never'}`;
      const fixes = [
        ...(managed
          ? []
          : [fix('secrets.storage', 'move API keys and provider credentials to a secret manager or vault')]),
        ...(rotated ? [] : [fix('secrets.rotationDays', 'rotate keys at least every 90 days')]),
      ];
      if (storage === 'hardcoded' || storage === 'config-file') return result('missing', evidence, fixes);
      return result(managed && rotated ? 'present' : 'partial', evidence, fixes);
    },
  },
  {
    id: 'deployment.network',
    title: 'WAF or restricted ingress',
    source: 'fact',
    evaluate: ({ deployment }) => {
      const { waf, restrictedIngress } = deployment.network;
      if (waf || restrictedIngress) {
        return result(
          'present',
          `network: ${[waf && 'WAF', restrictedIngress && 'restricted ingress'].filter(Boolean).join(', ')}`,
        );
      }
      return result('missing', 'network: no WAF, open ingress', [
        fix('network.waf', 'put a WAF in front or restrict ingress to known networks'),
      ]);
    },
  },
  {
    id: 'deployment.toolApproval',
    title: 'Human approval of high-impact tool calls',
    source: 'fact',
    evaluate: ({ deployment, facts }) => {
      if (facts.highImpactTools === 0) return result('not-applicable', 'no high-impact tools');
      const unapproved = deployment.tools.filter(
        (tool) =>
          !tool.requiresApproval && tool.capabilities.some((c) => HIGH_IMPACT_CAPABILITIES.includes(c)),
      );
      if (unapproved.length === 0) return result('present', 'every high-impact tool requires approval');
      return result(
        unapproved.length === facts.highImpactTools ? 'missing' : 'partial',
        unapproved.map((tool) => `tools.${tool.name}: ${tool.capabilities.join(', ')} without approval`),
        unapproved.map((tool) =>
          fix(
            `tools.${tool.name}.requiresApproval`,
            `require human approval for \`${tool.name}\` (${tool.capabilities.join(', ')})`,
          ),
        ),
      );
    },
  },
  {
    id: 'deployment.toolPrivilege',
    title: 'Tools run with the caller’s permissions (least privilege)',
    source: 'fact',
    evaluate: ({ deployment }) => {
      if (deployment.tools.length === 0) return result('not-applicable', 'no tools');
      const service = deployment.tools.filter((tool) => tool.runsAs === 'service');
      if (service.length === 0) return result('present', 'every tool runs as the user');
      return result(
        service.length === deployment.tools.length ? 'missing' : 'partial',
        service.map((tool) => `tools.${tool.name}: runs as a shared service account`),
        service.map((tool) =>
          fix(
            `tools.${tool.name}.runsAs`,
            `run \`${tool.name}\` with the caller's permissions (\`runsAs: user\`) and drop capabilities it does not need`,
          ),
        ),
      );
    },
  },
  {
    id: 'deployment.retrievalAccess',
    title: 'Retrieval filtered by the caller’s permissions',
    source: 'fact',
    evaluate: ({ deployment }) => {
      if (deployment.retrieval.length === 0) return result('not-applicable', 'no retrieval sources');
      const open = deployment.retrieval.filter((source) => source.accessControl !== 'per-user');
      if (open.length === 0) return result('present', 'every retrieval source is filtered per user');
      return result(
        open.length === deployment.retrieval.length ? 'missing' : 'partial',
        open.map((source) => `retrieval.${source.name}: accessControl ${source.accessControl}`),
        open.map((source) =>
          fix(
            `retrieval.${source.name}.accessControl`,
            `filter \`${source.name}\` results by the caller's permissions (per-user access control)`,
          ),
        ),
      );
    },
  },
  {
    id: 'deployment.retrievalTrust',
    title: 'Only trusted content is indexed',
    source: 'fact',
    evaluate: ({ deployment }) => {
      if (deployment.retrieval.length === 0) return result('not-applicable', 'no retrieval sources');
      const untrusted = deployment.retrieval.filter(
        (source) => source.trust === 'user-uploaded' || source.trust === 'web',
      );
      if (untrusted.length === 0) return result('present', 'retrieval sources are curated or internal');
      return result(
        'missing',
        untrusted.map((source) => `retrieval.${source.name}: trust ${source.trust}`),
        untrusted.map((source) =>
          fix(
            `retrieval.${source.name}.trust`,
            `scan documents for \`${source.name}\` with \`scanPrompt\` before indexing, and keep their provenance`,
          ),
        ),
      );
    },
  },
  {
    id: 'deployment.modelProvenance',
    title: 'Model files scanned and signed',
    source: 'fact',
    evaluate: ({ deployment, facts }) => {
      if (!facts.selfHosted)
        return result('not-applicable', 'model.hosting: hosted-api (no model files served)');
      const { scanned, signed, format } = deployment.model;
      const evidence = `model: format ${format ?? 'unknown'}, scanned: ${scanned}, signed: ${signed}`;
      const fixes = [
        ...(scanned
          ? []
          : [
              fix(
                'model.scanned',
                'run `ai-shield scan <model dir> --fail-on high` in CI before every deploy',
              ),
            ]),
        ...(signed
          ? []
          : [fix('model.signed', 'pin model artifacts by hash or signature and verify them on deploy')]),
        ...(facts.unsafeFormat ? [fix('model.format', 'convert pickle-based weights to safetensors')] : []),
      ];
      if (scanned && signed && !facts.unsafeFormat) return result('present', evidence);
      return result(scanned || signed ? 'partial' : 'missing', evidence, fixes);
    },
  },
  {
    id: 'deployment.dataProvenance',
    title: 'Training data provenance verified',
    source: 'fact',
    evaluate: ({ deployment }) => {
      const { dataProvenance, learnsFromUsers } = deployment.model;
      if (dataProvenance === 'not-applicable' && !learnsFromUsers) {
        return result('not-applicable', 'no training or fine-tuning on your side');
      }
      const evidence = `model.dataProvenance: ${dataProvenance}, learnsFromUsers: ${learnsFromUsers}`;
      const fixes = [
        ...(dataProvenance === 'verified'
          ? []
          : [
              fix(
                'model.dataProvenance',
                'record and verify the provenance of training data (sources, hashes, reviews)',
              ),
            ]),
        ...(learnsFromUsers
          ? [
              fix(
                'model.learnsFromUsers',
                'review user feedback before it reaches training, and rate-limit it per user',
              ),
            ]
          : []),
      ];
      if (dataProvenance === 'verified')
        return result(learnsFromUsers ? 'partial' : 'present', evidence, fixes);
      return result('missing', evidence, fixes);
    },
  },
  {
    id: 'deployment.outputEncoding',
    title: 'Output encoded for every downstream sink',
    source: 'fact',
    evaluate: ({ deployment, facts }) => {
      if (!facts.richOutput && facts.downstreamSinks === 0) {
        return result(
          'not-applicable',
          `output rendered as ${deployment.output.rendered}, no downstream sinks`,
        );
      }
      const evidence = `output: rendered ${deployment.output.rendered}, downstream [${deployment.output.downstream.join(', ')}], encoded: ${deployment.output.encoded}`;
      if (deployment.output.encoded) return result('present', evidence);
      return result('missing', evidence, [
        fix(
          'output.encoded',
          'treat model output as untrusted: escape it for HTML, parameterize SQL, never pass it to a shell or eval',
        ),
      ]);
    },
  },
  {
    id: 'deployment.oversight',
    title: 'Human oversight, grounding and disclaimers',
    source: 'fact',
    evaluate: ({ deployment }) => {
      const { humanReview, disclaimer, grounding } = deployment.oversight;
      const evidence = `oversight: humanReview ${humanReview}, grounding ${grounding}, disclaimer ${disclaimer}`;
      if (humanReview || (grounding && disclaimer)) return result('present', evidence);
      const fixes = [
        ...(grounding ? [] : [fix('oversight.grounding', 'ground answers in cited sources')]),
        ...(disclaimer
          ? []
          : [fix('oversight.disclaimer', 'tell users answers may be wrong and show where they come from')]),
        fix('oversight.humanReview', 'have a person review high-impact answers or actions'),
      ];
      return result(grounding || disclaimer ? 'partial' : 'missing', evidence, fixes);
    },
  },
  {
    id: 'deployment.resourceLimits',
    title: 'Token, timeout and spending caps',
    source: 'fact',
    evaluate: ({ deployment }) => {
      const { maxOutputTokens, timeoutSec, budget } = deployment.limits;
      const set = [maxOutputTokens !== undefined, timeoutSec !== undefined, budget].filter(Boolean).length;
      const evidence = `limits: maxOutputTokens ${maxOutputTokens ?? 'unset'}, timeoutSec ${timeoutSec ?? 'unset'}, budget ${budget}`;
      const fixes = [
        ...(maxOutputTokens === undefined
          ? [fix('limits.maxOutputTokens', 'cap generated tokens per request (e.g. 1024)')]
          : []),
        ...(timeoutSec === undefined
          ? [fix('limits.timeoutSec', 'time out upstream model calls (e.g. 30 s)')]
          : []),
        ...(budget ? [] : [fix('limits.budget', 'set a spending cap with the model provider')]),
      ];
      return result(set === 3 ? 'present' : set > 0 ? 'partial' : 'missing', evidence, fixes);
    },
  },
  {
    id: 'deployment.logging',
    title: 'Security logs centralized and retained',
    source: 'fact',
    evaluate: ({ deployment }) => {
      const { destination, retentionDays } = deployment.logging;
      const evidence = `logging: ${destination}, retentionDays ${retentionDays ?? 'unknown'}`;
      if (destination === 'none') {
        return result('missing', evidence, [
          fix('logging.destination', 'ship audit logs to central storage or a SIEM with a set retention'),
        ]);
      }
      const central = destination === 'central' || destination === 'siem';
      if (central && retentionDays !== undefined && retentionDays >= 30) return result('present', evidence);
      return result('partial', evidence, [
        ...(central
          ? []
          : [fix('logging.destination', 'ship audit logs off the host (central store or SIEM)')]),
        ...(retentionDays !== undefined && retentionDays >= 30
          ? []
          : [fix('logging.retentionDays', 'keep security logs at least 30 days (per your policy)')]),
      ]);
    },
  },
];
