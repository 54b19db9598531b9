import { AiShieldConfigError, DETECTION_MODEL_CARD, type ShieldOptions } from '@ai-shield/core';
import { describe, expect, it } from 'vitest';
import { assessDeployment } from './assess.js';
import { loadCatalog, THREAT_CATALOG } from './catalog.js';
import type { DeploymentInput } from './deployment.js';
import {
  basisAt,
  CARD_BLOCK_POINT,
  CARD_FLAG_POINT,
  MEASURE_IDS,
  MEASURES,
  measureAt,
  measuredLines,
  percent,
  rateAt,
} from './measured.js';
import type { AssessmentReport } from './types.js';

const CHAT: DeploymentInput = {
  name: 'chat',
  model: { kind: 'rag' },
  exposure: 'public',
  dataSensitivity: 'internal',
  retrieval: [{ name: 'web', trust: 'web' }],
};

const card = DETECTION_MODEL_CARD;
const detection = (report: AssessmentReport) => report.controls.find((c) => c.id === 'detection.prompt')!;
const weightOn = (report: AssessmentReport, threat: string) =>
  report.threats.find((t) => t.id === threat)!.controls.find((c) => c.id === 'detection.prompt')!;
const assess = (options: ShieldOptions) => assessDeployment(options, CHAT);

describe('the measures read the model card', () => {
  it('every attack family of the card belongs to exactly one measure', () => {
    const attacks = card.perFamily.filter((family) => family.label === 'attack');
    expect(attacks.length).toBeGreaterThan(0);
    for (const family of attacks) {
      const owners = MEASURE_IDS.filter((id) => MEASURES[id].families(family.key));
      // A new family in a retrained card must be placed in a measure here, not silently dropped.
      expect(owners, family.key).toHaveLength(1);
    }
  });

  it('pooled measures agree with the card headline (all source groups)', () => {
    const { all } = card.headline;
    for (const point of [CARD_FLAG_POINT, CARD_BLOCK_POINT] as const) {
      const key = point === CARD_FLAG_POINT ? 'flag' : 'block';
      const jailbreak = measureAt('detection.jailbreak', point);
      expect(jailbreak.n).toBe(all.jailbreak.n);
      expect(jailbreak.rate).toBeCloseTo(all.jailbreak[key], 3);
      const suffix = measureAt('detection.adversarialSuffix', point);
      expect(suffix.n).toBe(all.adversarialSuffix.n);
      expect(suffix.rate).toBeCloseTo(all.adversarialSuffix[key], 3);
      // The headline's injection row holds direct and indirect injections together.
      const direct = measureAt('detection.injection', point);
      const indirect = measureAt('detection.indirect', point);
      expect(direct.n + indirect.n).toBe(all.injection.n);
      expect((direct.rate * direct.n + indirect.rate * indirect.n) / all.injection.n).toBeCloseTo(
        all.injection[key],
        3,
      );
    }
  });

  it('the indirect measure holds the BIPIA per-source figures', () => {
    const families = new Map<string, unknown>(
      card.perFamily
        .filter((f) => MEASURES['detection.indirect'].families(f.key))
        .map((f) => [f.key, f.rates]),
    );
    for (const source of card.perSource.filter((s) => s.key.startsWith('bipia-') && s.label === 'attack')) {
      const type = source.key.slice('bipia-'.length, source.key.indexOf('/'));
      expect(families.get(`indirect-${type}`), source.key).toEqual(source.rates);
    }
  });

  it('rates are the card figures at 0.5 and 0.8 and estimates elsewhere, falling as the threshold rises', () => {
    const rates = { flag: 0.6, block: 0.3 };
    expect(rateAt(rates, 0.5)).toBe(0.6);
    expect(rateAt(rates, 0.8)).toBeCloseTo(0.3, 12);
    expect(rateAt(rates, 0.65)).toBeCloseTo(0.45, 12);
    expect(rateAt(rates, 0)).toBe(1);
    expect(rateAt(rates, 1)).toBe(0);
    for (let t = 0; t < 1; t += 0.05) expect(rateAt(rates, t + 0.05)).toBeLessThanOrEqual(rateAt(rates, t));
    expect([0.5, 0.8, 0.7, 0.3, 0.9].map(basisAt)).toEqual([
      'measured',
      'measured',
      'interpolated',
      'extrapolated',
      'extrapolated',
    ]);
    expect([0, 0.0004, 0.006, 0.64].map(percent)).toEqual(['0.0%', '0.04%', '0.60%', '64.0%']);
  });
});

describe('detection.prompt weights in the assessment', () => {
  it('direct injection takes the lower of injection and jailbreak recall at the configured block threshold', () => {
    const report = assess({});
    const direct = weightOn(report, 'AIS-LLM01-DIRECT');
    expect(direct.measured).toEqual({
      measures: ['detection.injection', 'detection.jailbreak'],
      combine: 'min',
    });
    expect(direct.weight).toBe(
      Math.min(measureAt('detection.injection', 0.8).rate, measureAt('detection.jailbreak', 0.8).rate),
    );
    const indirect = weightOn(report, 'AIS-LLM01-INDIRECT');
    expect(indirect.measured).toEqual({ measures: ['detection.indirect'], combine: 'min' });
    expect(indirect.weight).toBe(measureAt('detection.indirect', 0.8).rate);
    // Other threats keep their constant weights.
    expect(weightOn(report, 'AIS-LLM07')).toEqual({ id: 'detection.prompt', status: 'present', weight: 0.3 });
  });

  it('quotes the figures, their source and the false-positive cost in the control evidence', () => {
    const control = detection(assess({}));
    const { benign, hardNegative } = card.headline.all;
    const text = control.evidence.join('\n');
    expect(text).toContain('DETECTION_MODEL_CARD of @ai-shield/core, docs/detection.md');
    expect(text).toContain('detection.blockThreshold 0.8 on POST /v1/chat: measured by the card');
    const jailbreak = measureAt('detection.jailbreak', 0.8);
    expect(text).toContain(`jailbreaks ${percent(jailbreak.rate)} (n=${jailbreak.n})`);
    expect(text).toContain(
      `false-positive cost: ${percent(benign.block)} of benign texts (n=${benign.n}) and ${percent(hardNegative.block)} of hard negatives (n=${hardNegative.n}) refused`,
    );
    expect(control.measured).toMatchObject({ threshold: 0.8, basis: 'measured' });
    expect(control.measured!.source).toContain(card.trainedOn);
  });

  it('interpolates between the measured points and says it is an estimate', () => {
    const report = assess({ detection: { blockThreshold: 0.65 } });
    const direct = weightOn(report, 'AIS-LLM01-DIRECT').weight;
    const at = (t: number) =>
      Math.min(measureAt('detection.injection', t).rate, measureAt('detection.jailbreak', t).rate);
    expect(direct).toBe(at(0.65));
    expect(direct).toBeLessThan(at(0.5));
    expect(direct).toBeGreaterThan(at(0.8));
    const control = detection(report);
    expect(control.measured!.basis).toBe('interpolated');
    expect(control.evidence.join('\n')).toContain(
      "estimate: linear between the card's figures at 0.5 and 0.8",
    );
    // The refusal rate at 0.65 lies between the card's flag and block figures.
    const { benign } = control.measured!.refused;
    expect(benign.rate).toBeGreaterThan(card.headline.all.benign.block);
    expect(benign.rate).toBeLessThan(card.headline.all.benign.flag);
  });

  it('a stricter threshold lowers the residual risk of direct injection, a looser one raises it', () => {
    const residual = (blockThreshold: number) =>
      assessDeployment(
        { detection: { blockThreshold } },
        { ...CHAT, authentication: { method: 'none' } },
      ).threats.find((t) => t.id === 'AIS-LLM01-DIRECT')!.residual.likelihood;
    expect(residual(0.6)).toBeLessThan(residual(0.8));
    expect(residual(0.8)).toBeLessThan(residual(0.95));
  });

  it('above the measured block point: an estimate, and a recommendation to lower the threshold', () => {
    const report = assess({ detection: { blockThreshold: 0.95 } });
    const control = detection(report);
    expect(control.status).toBe('present');
    expect(control.measured!.basis).toBe('extrapolated');
    expect(control.evidence.join('\n')).toContain('estimate: the card measured 0.5 and 0.8 only');
    const rec = report.recommendations.find((r) => r.control === 'detection.prompt')!;
    expect(rec.changes.map((c) => c.change)).toEqual([
      'lower `detection.blockThreshold` to `0.8` on POST /v1/chat',
    ]);
    expect(rec.threats).toEqual(['AIS-LLM01-DIRECT', 'AIS-LLM01-INDIRECT']);
    expect(rec.riskReduction).toBeGreaterThan(0);
    // At or below the block point nothing is recommended for detection.
    expect(assess({}).recommendations.some((r) => r.control === 'detection.prompt')).toBe(false);
  });

  it('reads the least strict endpoint, and figures at 0.8 when detection is off', () => {
    const deployment = {
      ...CHAT,
      endpoints: [
        { method: 'POST', path: '/v1/chat', kind: 'chat' as const },
        { method: 'POST', path: '/v1/agent', kind: 'chat' as const },
      ],
    };
    const mixed = assessDeployment(
      {
        routes: { 'POST /v1/agent': { detection: { blockThreshold: 0.7 } } },
        detection: { blockThreshold: 0.6 },
      },
      deployment,
    );
    expect(detection(mixed).measured).toMatchObject({
      threshold: 0.7,
      thresholdFrom: 'detection.blockThreshold 0.7 on POST /v1/agent, the least strict of 2 endpoints',
    });
    const off = assess({ detection: { enabled: false } });
    expect(detection(off).status).toBe('missing');
    expect(detection(off).measured).toMatchObject({
      threshold: 0.8,
      thresholdFrom: 'the recommended block threshold 0.8 (detection does not run)',
    });
    // The weight (what turning detection on at 0.8 would give) drives the recommendation.
    expect(weightOn(off, 'AIS-LLM01-DIRECT')).toMatchObject({
      status: 'missing',
      weight: weightOn(assess({}), 'AIS-LLM01-DIRECT').weight,
    });
    const rec = off.recommendations.find((r) => r.control === 'detection.prompt')!;
    expect(rec.threats).toContain('AIS-LLM01-DIRECT');
  });

  it('says when an external detector is not counted', () => {
    const control = detection(assess({ detection: { external: async () => ({ score: 0 }) } }));
    expect(control.evidence.at(-1)).toBe(
      'detection.external is set: the model card measures the built-in detector only, so its effect is not counted',
    );
  });

  it('renders a section: source, threshold, recall per measure with families, refusals and the weights used', () => {
    const report = assess({});
    const lines = measuredLines(detection(report), report.threats);
    expect(lines[0]!.text).toBe(`source: ${detection(report).measured!.source}`);
    const jailbreak = lines.find((l) => l.text.includes('[detection.jailbreak]'))!;
    expect(jailbreak.detail).toContain('roleplay-persuasion (synthetic)');
    expect(lines.at(-1)!.text).toBe(
      `weights used: AIS-LLM01-DIRECT ${weightOn(report, 'AIS-LLM01-DIRECT').weight.toFixed(3)} = min(detection.injection, detection.jailbreak); AIS-LLM01-INDIRECT ${weightOn(report, 'AIS-LLM01-INDIRECT').weight.toFixed(3)} = detection.indirect`,
    );
  });
});

describe('measured weights in user catalogs', () => {
  const threat = (weight: unknown, control = 'detection.prompt') => ({
    version: 'acme.1',
    threats: [
      {
        id: 'ACME-PERSONA',
        title: 'Persona jailbreaks',
        description: 'Role-play that talks the model out of its rules.',
        likelihood: { base: 4 },
        impact: { base: 3 },
        mitigations: [{ control, weight }],
        references: { atlas: ['AML.T0054'] },
      },
    ],
  });
  const issues = (input: unknown): string[] => {
    try {
      loadCatalog(input);
    } catch (e) {
      expect(e).toBeInstanceOf(AiShieldConfigError);
      return (e as AiShieldConfigError).issues;
    }
    throw new Error('expected an error');
  };

  it('takes one measure, or several combined by min or mean', () => {
    const weight = (w: unknown) => {
      const report = assessDeployment({}, CHAT, undefined, { catalog: loadCatalog(threat(w)) });
      return weightOn(report, 'ACME-PERSONA');
    };
    const jailbreak = measureAt('detection.jailbreak', 0.8).rate;
    const suffix = measureAt('detection.adversarialSuffix', 0.8).rate;
    expect(weight({ measured: 'detection.jailbreak' })).toMatchObject({
      weight: jailbreak,
      measured: { measures: ['detection.jailbreak'], combine: 'min' },
    });
    expect(weight({ measured: ['detection.jailbreak', 'detection.adversarialSuffix'] }).weight).toBe(
      Math.min(jailbreak, suffix),
    );
    expect(
      weight({ measured: ['detection.jailbreak', 'detection.adversarialSuffix'], combine: 'mean' }).weight,
    ).toBe(Math.round(((jailbreak + suffix) / 2) * 10_000) / 10_000);
  });

  it('rejects unknown measures and measures on another control, naming the field', () => {
    expect(issues(threat({ measured: 'detection.toxicity' }))).toEqual([
      'catalog.threats.0.mitigations.0.weight: a number from 0 to 1, or { measured: detection.injection | detection.jailbreak | detection.indirect | detection.adversarialSuffix (or a list), combine?: min | mean }',
    ]);
    expect(issues(threat({ measured: 'detection.jailbreak' }, 'acme.moderation'))).toEqual([
      'catalog.threats.0.mitigations.0.weight.measured: detection.jailbreak measures the `detection.prompt` control; use it on `control: detection.prompt`, not `acme.moderation`',
    ]);
    expect(issues(threat({ measured: [] }))[0]).toMatch(
      /^catalog\.threats\.0\.mitigations\.0\.weight\.measured: /,
    );
  });

  it('the built-in catalog passes the user-catalog schema', () => {
    const replaced = loadCatalog({ version: 'same', mode: 'replace', threats: THREAT_CATALOG.threats });
    expect(replaced.threats.map((t) => t.id)).toEqual(THREAT_CATALOG.threats.map((t) => t.id));
  });
});
