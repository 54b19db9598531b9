import type { VerifyResult } from '@ai-shield/core';
import { AiShieldConfigError, ENV_SETTINGS } from '@ai-shield/core';
import { describe, expect, it } from 'vitest';
import { assessDeployment, BUILT_IN_CONTROLS } from './assess.js';
import { CATALOG_VERSION, loadCatalog, OWASP_LLM_2025, THREAT_CATALOG } from './catalog.js';
import type { DeploymentInput } from './deployment.js';
import { auditEvidence } from './evidence.js';

/** Everything turned towards risk: a public agent with tools, retrieval, fine-tuning and pickle weights. */
const WIDE: DeploymentInput = {
  name: 'wide',
  model: {
    kind: 'agent',
    hosting: 'fine-tuned',
    format: 'pickle',
    dataProvenance: 'unknown',
    learnsFromUsers: true,
    systemPromptSensitive: true,
  },
  exposure: 'public',
  dataSensitivity: 'regulated',
  authentication: { method: 'none' },
  tls: { termination: 'load-balancer' },
  secrets: { storage: 'hardcoded' },
  endpoints: [
    { method: 'POST', path: '/v1/chat', kind: 'chat' },
    { method: 'POST', path: '/v1/predict', kind: 'predict' },
  ],
  tools: [{ name: 'pay', capabilities: ['payments', 'execute-code'], thirdParty: true }],
  retrieval: [{ name: 'uploads', trust: 'user-uploaded' }],
  output: { rendered: 'html', downstream: ['shell'] },
};

const CLASSIFIER: DeploymentInput = {
  name: 'scoring',
  model: { kind: 'classifier', hosting: 'self-hosted' },
  exposure: 'partner',
  dataSensitivity: 'confidential',
};

const OFF = {
  rate: { enabled: false },
  validation: { enabled: false },
  detection: { enabled: false },
  output: { enabled: false },
  audit: { enabled: false },
  alerts: { enabled: false },
};

const BASE_CHAT: DeploymentInput = {
  name: 'chat',
  model: { kind: 'llm-chat' },
  exposure: 'public',
  dataSensitivity: 'internal',
};

describe('catalog', () => {
  it('covers every OWASP LLM 2025 item, model extraction, adversarial inputs, DoS and model files', () => {
    const owasp = new Set(THREAT_CATALOG.threats.flatMap((t) => t.references.owaspLlm ?? []));
    expect([...owasp].sort()).toEqual(Object.keys(OWASP_LLM_2025).sort());
    const ids = THREAT_CATALOG.threats.map((t) => t.id);
    expect(ids).toEqual(
      expect.arrayContaining(['AIS-EXTRACTION', 'AIS-ADVERSARIAL', 'AIS-DOS', 'AIS-MODEL-FILES']),
    );
    expect(new Set(ids).size).toBe(ids.length);
    const modelFiles = THREAT_CATALOG.threats.find((t) => t.id === 'AIS-MODEL-FILES')!;
    expect(modelFiles.notes?.join(' ')).toContain('ai-shield scan');
  });

  it('every threat is reachable and every control it names exists and is evaluated somewhere', () => {
    const reports = [assessDeployment(OFF, WIDE), assessDeployment(OFF, CLASSIFIER)];
    for (const threat of THREAT_CATALOG.threats) {
      const hit = reports.find((r) => r.threats.find((t) => t.id === threat.id)?.applicable);
      expect(hit, threat.id).toBeDefined();
      const result = hit!.threats.find((t) => t.id === threat.id)!;
      expect(result.inherent.score, threat.id).toBeGreaterThan(0);
    }
    const known = new Set(BUILT_IN_CONTROLS.map((c) => c.id));
    for (const threat of THREAT_CATALOG.threats) {
      for (const m of threat.mitigations)
        expect(known.has(m.control), `${threat.id} → ${m.control}`).toBe(true);
    }
    for (const control of BUILT_IN_CONTROLS) {
      const applicable = reports.some(
        (r) => r.controls.find((c) => c.id === control.id)?.status !== 'not-applicable',
      );
      expect(applicable, control.id).toBe(true);
    }
    expect(reports.flatMap((r) => r.warnings).filter((w) => w.includes('unknown control'))).toEqual([]);
  });
});

describe('assessDeployment', () => {
  it('scores nothing-on as critical and lowers residual risk with the default options', () => {
    const off = assessDeployment({ ...OFF, mode: 'monitor' }, BASE_CHAT);
    const defaults = assessDeployment({}, BASE_CHAT);
    expect(off.overall.level).toBe('critical');
    expect(defaults.overall.score).toBeLessThan(off.overall.score);
    for (const t of defaults.threats.filter((x) => x.applicable)) {
      expect(t.residual.score).toBeLessThanOrEqual(t.inherent.score);
    }
    const injection = off.threats.find((t) => t.id === 'AIS-LLM01-DIRECT')!;
    expect(injection.drivers).toEqual([
      'likelihood +1: exposed to the public internet',
      'likelihood +1: anonymous callers',
    ]);
  });

  it('names concrete option changes in recommendations', () => {
    const report = assessDeployment(
      { output: { pii: { actions: { email: 'flag' } } }, rate: { perIdentity: false } },
      { ...BASE_CHAT, endpoints: [{ path: '/v1/chat' }] },
    );
    const changes = report.recommendations.flatMap((r) => r.changes.map((c) => c.change));
    expect(changes).toContain("enable `output.pii.actions.email: 'mask'`");
    expect(
      changes.some((c) =>
        c.startsWith('set `rate.perIdentity` to `{ points: 30, durationSec: 60 }` on POST /v1/chat'),
      ),
    ).toBe(true);
    expect(report.recommendations.map((r) => r.rank)).toEqual(report.recommendations.map((_, i) => i + 1));
  });

  it('monitor mode weakens blocking controls and says so', () => {
    const report = assessDeployment({ mode: 'monitor' }, BASE_CHAT);
    const detection = report.controls.find((c) => c.id === 'detection.prompt')!;
    expect(detection.status).toBe('partial');
    expect(report.warnings[0]).toContain("mode is 'monitor'");
  });

  it('flags per-IP limits behind a proxy when trustProxy is false', () => {
    const report = assessDeployment({}, { ...BASE_CHAT, tls: { termination: 'load-balancer' } });
    const rate = report.controls.find((c) => c.id === 'rate.perIp')!;
    expect(rate.status).toBe('partial');
    expect(rate.fixes[0]?.target).toBe('trustProxy');
  });

  it('skipped routes count as missing controls', () => {
    const report = assessDeployment({ routes: { 'POST /v1/chat': { skip: true } } }, BASE_CHAT);
    expect(report.controls.find((c) => c.id === 'detection.prompt')!.status).toBe('missing');
    expect(report.warnings).toContain('POST /v1/chat: the shield is skipped on this route');
  });

  it('probe results override the configuration', () => {
    const report = assessDeployment({}, BASE_CHAT, {
      probes: [
        {
          name: 'injection',
          control: 'detection.prompt',
          verdict: 'not-effective',
          detail: 'POST /v1/chat -> 200',
        },
        { name: 'burst', control: 'rate.perIp', verdict: 'verified', detail: 'POST /v1/chat 429 after 101' },
      ],
    });
    const detection = report.controls.find((c) => c.id === 'detection.prompt')!;
    expect(detection.status).toBe('missing');
    expect(detection.probe?.verdict).toBe('not-effective');
    expect(report.controls.find((c) => c.id === 'rate.perIp')!.status).toBe('present');
  });

  it('names only environment variables the shield reads (AI_SHIELD_*, issue 14)', () => {
    const reports = [
      assessDeployment(OFF, WIDE),
      assessDeployment({}, BASE_CHAT),
      assessDeployment({ audit: { enabled: true } }, BASE_CHAT),
    ];
    const texts = reports.flatMap((r) => [
      ...r.controls.flatMap((c) => [...c.evidence, ...c.fixes.map((f) => f.change)]),
      ...r.recommendations.flatMap((rec) => rec.changes.map((f) => f.change)),
    ]);
    const named = new Set(
      texts.flatMap((text) => [...text.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)].map((m) => m[1]!)),
    );
    // The fixes for the audit log and alerts name variables: the test must see them to mean anything.
    expect([...named]).toEqual(
      expect.arrayContaining([
        'AI_SHIELD_AUDIT_LOG_PATH',
        'AI_SHIELD_AUDIT_HMAC_KEY',
        'AI_SHIELD_SMTP_SERVER',
      ]),
    );
    const read = new Set(ENV_SETTINGS.map((setting) => setting.name));
    for (const name of named) expect(read.has(name), name).toBe(true);
  });

  it('raises likelihood from verified audit evidence only', () => {
    const entry = (code: string) =>
      ({
        type: 'decision',
        ts: '2025-01-01T00:00:00.000Z',
        decision: { code, findings: [], failures: [] },
      }) as never;
    const ok = { ok: true } as VerifyResult;
    const audit = auditEvidence([entry('ERR_DETECTION_THREAT'), entry('ERR_RATE_LIMITED')], ok);
    expect(audit.counts).toEqual({ injectionAttempts: 1, rateLimited: 1 });
    const quiet = assessDeployment({}, { ...BASE_CHAT, exposure: 'internal' });
    const seen = assessDeployment({}, { ...BASE_CHAT, exposure: 'internal' }, { audit });
    const id = (r: typeof quiet) => r.threats.find((t) => t.id === 'AIS-LLM01-DIRECT')!;
    expect(id(seen).inherent.likelihood).toBe(id(quiet).inherent.likelihood + 1);
    expect(id(seen).drivers).toContain('likelihood +1: audit log shows 1 injection or jailbreak attempts');
    const bad = auditEvidence([entry('ERR_DETECTION_THREAT')], {
      ok: false,
      error: { reason: 'modified', message: 'entry 0 was modified' },
    } as VerifyResult);
    const ignored = assessDeployment({}, { ...BASE_CHAT, exposure: 'internal' }, { audit: bad });
    expect(id(ignored).inherent.likelihood).toBe(id(quiet).inherent.likelihood);
    expect(ignored.warnings).toContain('audit evidence not used: entry 0 was modified');
  });
});

describe('invalid inputs', () => {
  const issues = (fn: () => unknown): string[] => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(AiShieldConfigError);
      return (e as AiShieldConfigError).issues;
    }
    throw new Error('expected an error');
  };

  it('names each bad deployment field', () => {
    const found = issues(() =>
      assessDeployment(
        {},
        { name: 'x', model: { kind: 'chatbot' }, dataSensitivity: 'internal', exposur: 'public' },
      ),
    );
    expect(found.some((i) => i.startsWith('deployment.model.kind: '))).toBe(true);
    expect(found.some((i) => i.startsWith('deployment.exposure: '))).toBe(true);
    expect(
      found.some((i) => i.startsWith('deployment.exposur: unknown field.') && i.includes('exposure')),
    ).toBe(true);
  });

  it('names nested bad fields and bad tool capabilities', () => {
    const found = issues(() =>
      assessDeployment(
        {},
        { ...BASE_CHAT, tools: [{ name: 't', capabilities: ['teleport'] }], tls: { termination: 'yes' } },
      ),
    );
    expect(found.some((i) => i.startsWith('deployment.tools.0.capabilities.0: '))).toBe(true);
    expect(found.some((i) => i.startsWith('deployment.tls.termination: '))).toBe(true);
  });

  it('rejects bad shield options with the option name', () => {
    const found = issues(() => assessDeployment({ rate: { perIP: 5 } } as never, BASE_CHAT));
    expect(found.join('\n')).toContain('rate.perIP: unknown option. Did you mean "perIp"?');
  });

  it('rejects bad user catalogs naming the field', () => {
    const found = issues(() =>
      loadCatalog({
        version: 'x',
        threats: [
          {
            id: 'T',
            title: 't',
            description: 'd',
            likelihood: { base: 9 },
            impact: { base: 2 },
            mitigations: [],
            references: { atlas: ['T0051'] },
          },
        ],
      }),
    );
    expect(found.some((i) => i.startsWith('catalog.threats.0.likelihood.base: '))).toBe(true);
    expect(found.some((i) => i.startsWith('catalog.threats.0.references.atlas.0: '))).toBe(true);
  });
});

describe('user catalogs', () => {
  it('adds threats and declarative controls', () => {
    const catalog = loadCatalog({
      version: 'acme.1',
      threats: [
        {
          id: 'ACME-1',
          title: 'Jailbroken answers quoted on social media',
          description: 'Brand damage.',
          appliesWhen: { path: 'deployment.exposure', eq: 'public' },
          likelihood: { base: 3 },
          impact: { base: 3 },
          mitigations: [
            { control: 'acme.moderation', weight: 0.5 },
            { control: 'detection.prompt', weight: 0.3 },
          ],
          references: { owaspLlm: ['LLM01:2025'] },
        },
      ],
      controls: [
        {
          id: 'acme.moderation',
          title: 'Moderation queue',
          present: { path: 'options.output.filter.deny', truthy: true },
          recommendation: 'route flagged answers to the moderation queue',
        },
      ],
    });
    expect(catalog.version).toBe(`${CATALOG_VERSION}+acme.1`);
    const report = assessDeployment({}, BASE_CHAT, undefined, { catalog });
    const threat = report.threats.find((t) => t.id === 'ACME-1')!;
    expect(threat.applicable).toBe(true);
    expect(threat.controls.map((c) => c.id)).toEqual(['acme.moderation', 'detection.prompt']);
    expect(report.controls.find((c) => c.id === 'acme.moderation')!.source).toBe('custom');
    expect(report.threats.length).toBe(THREAT_CATALOG.threats.length + 1);
  });
});
