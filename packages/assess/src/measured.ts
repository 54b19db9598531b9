/**
 * Measured weights: a mitigation whose weight comes from measured figures instead of a constant. The
 * figures are the prompt detector's model card (`DETECTION_MODEL_CARD` from `@ai-shield/core`, written by
 * `pnpm train:detector`, explained in docs/detection.md): leave-one-source-out recall and refusal rates
 * at the two calibrated points of the score scale. Each measure is read at the block threshold the
 * deployment runs with, and at the one it would run with once the control's fixes are applied.
 * @module
 */
import { DETECTION_MODEL_CARD } from '@ai-shield/core';
import type { AssessContext } from './context.js';
import { isText } from './control-kit.js';
import type {
  ControlResult,
  MeasuredFigures,
  MeasuredWeight,
  MeasureId,
  Mitigation,
  Threat,
  ThreatResult,
} from './types.js';

/** Where the figures are from, as the report quotes it. */
export const MEASURE_SOURCE = 'DETECTION_MODEL_CARD of @ai-shield/core, docs/detection.md';

/**
 * Points of the published score scale where the card's `flag` and `block` rates were measured: core's
 * `calibrate` maps the raw calibration there (docs/detection.md, "What a score means").
 */
export const CARD_FLAG_POINT = 0.5;
export const CARD_BLOCK_POINT = 0.8;

interface Rates {
  readonly n: number;
  readonly flag: number;
  readonly block: number;
}

interface Group {
  readonly key: string;
  readonly label: string;
  readonly kind: string;
  readonly rates: Rates;
}

/** The parts of the card the measures read (the card may gain fields; `pnpm train:detector` keeps these). */
interface ModelCard {
  readonly trainedOn: string;
  readonly groups: number;
  readonly headline: { readonly all: { readonly benign: Rates; readonly hardNegative: Rates } };
  readonly perFamily: readonly Group[];
}

const CARD: ModelCard = DETECTION_MODEL_CARD;

/** What each measure pools: attack families of the card (held-out recall, rows weighted equally). */
export const MEASURES: Record<
  MeasureId,
  { control: string; title: string; short: string; families: (family: string) => boolean }
> = {
  'detection.injection': {
    control: 'detection.prompt',
    short: 'direct injection',
    title: 'direct injection (instruction overrides in any wording or language, secret extraction)',
    families: (family) => family.startsWith('override') || family === 'secret-extraction',
  },
  'detection.jailbreak': {
    control: 'detection.prompt',
    short: 'jailbreaks',
    title: 'jailbreaks (in-the-wild, templates, nested fiction, persuasion role-play)',
    families: (family) =>
      family.startsWith('jailbreak-') || family === 'nested-fiction' || family === 'roleplay-persuasion',
  },
  'detection.indirect': {
    control: 'detection.prompt',
    short: 'indirect injection in documents',
    title: 'indirect injection inside documents (BIPIA-style e-mails, tables, code; web text)',
    families: (family) => family.startsWith('indirect-'),
  },
  'detection.adversarialSuffix': {
    control: 'detection.prompt',
    short: 'adversarial suffixes',
    title: 'optimizer-made adversarial suffixes (GCG-style)',
    families: (family) => family === 'adversarial-suffix',
  },
};

/** Measure ids a catalog weight can name (`{ measured: 'detection.jailbreak' }`), in report order. */
export const MEASURE_IDS = Object.keys(MEASURES) as MeasureId[];

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;
const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;

/**
 * A rate of the card at block threshold `t`: the measured figure at 0.5 and 0.8, linear between them,
 * and outside them linear towards the two ends of the scale (at 0 every text is refused, at 1 none is
 * assumed to be). Rates only fall as the threshold rises, so the estimate stays between its neighbours.
 */
export function rateAt(rates: Pick<Rates, 'flag' | 'block'>, t: number): number {
  if (t <= CARD_FLAG_POINT) return 1 + (rates.flag - 1) * (t / CARD_FLAG_POINT);
  if (t <= CARD_BLOCK_POINT)
    return (
      rates.flag + (rates.block - rates.flag) * ((t - CARD_FLAG_POINT) / (CARD_BLOCK_POINT - CARD_FLAG_POINT))
    );
  return rates.block * ((1 - t) / (1 - CARD_BLOCK_POINT));
}

/** Whether the card measured `t` itself, or the figures at `t` are an estimate. */
export function basisAt(t: number): MeasuredFigures['basis'] {
  if (near(t, CARD_FLAG_POINT) || near(t, CARD_BLOCK_POINT)) return 'measured';
  return t > CARD_FLAG_POINT && t < CARD_BLOCK_POINT ? 'interpolated' : 'extrapolated';
}

function methodAt(t: number): string {
  const basis = basisAt(t);
  const points = `${CARD_FLAG_POINT} and ${CARD_BLOCK_POINT}`;
  if (basis === 'measured') return 'measured by the card';
  if (basis === 'interpolated') return `estimate: linear between the card's figures at ${points}`;
  return t < CARD_FLAG_POINT
    ? `estimate: the card measured ${points} only; linear from its ${CARD_FLAG_POINT} figures towards 100% at 0`
    : `estimate: the card measured ${points} only; linear from its ${CARD_BLOCK_POINT} figures towards 0% at 1`;
}

/** The card's attack families a measure pools. */
export function measureFamilies(id: MeasureId): Group[] {
  return CARD.perFamily.filter((group) => group.label === 'attack' && MEASURES[id].families(group.key));
}

/** Pooled held-out recall of a measure at block threshold `t`, with its row count. */
export function measureAt(id: MeasureId, t: number): { rate: number; n: number } {
  let n = 0;
  let hits = 0;
  for (const family of measureFamilies(id)) {
    n += family.rates.n;
    hits += family.rates.n * rateAt(family.rates, t);
  }
  return { rate: n === 0 ? 0 : round4(hits / n), n };
}

/**
 * The block threshold the detection measures are read at: the highest (least strict) over the text
 * endpoints where detection runs, since an attacker picks the weakest route. `afterFixes` is the one
 * once the control's fixes are in: detection on everywhere, at most the card's block point.
 */
export function detectionOperatingPoint(context: AssessContext): {
  threshold: number;
  from: string;
  afterFixes: number;
} {
  const endpoints = context.endpoints.filter(isText);
  const running = endpoints.filter((e) => e.options.detection.enabled && !e.options.skip);
  const afterFixes = endpoints.reduce(
    (acc, e) =>
      Math.max(
        acc,
        running.includes(e)
          ? Math.min(e.options.detection.blockThreshold, CARD_BLOCK_POINT)
          : CARD_BLOCK_POINT,
      ),
    0,
  );
  if (running.length === 0) {
    return {
      threshold: CARD_BLOCK_POINT,
      from: `the recommended block threshold ${CARD_BLOCK_POINT} (detection does not run)`,
      afterFixes: CARD_BLOCK_POINT,
    };
  }
  const weakest = running.reduce((a, b) =>
    b.options.detection.blockThreshold > a.options.detection.blockThreshold ? b : a,
  );
  const threshold = weakest.options.detection.blockThreshold;
  return {
    threshold,
    from:
      running.length > 1
        ? `detection.blockThreshold ${threshold} on ${weakest.label}, the least strict of ${running.length} endpoints`
        : `detection.blockThreshold ${threshold} on ${weakest.label}`,
    afterFixes,
  };
}

/** The figures behind the `detection.prompt` control at the deployment's threshold (report data). */
export function detectionFigures(context: AssessContext): MeasuredFigures {
  const { threshold, from } = detectionOperatingPoint(context);
  const { benign, hardNegative } = CARD.headline.all;
  const rate = (rates: Rates) => ({ rate: round4(rateAt(rates, threshold)), n: rates.n });
  // Families under 40 rows are too small to single out (the card's calibration rule uses the same floor).
  const worst = CARD.perFamily
    .filter((group) => group.label === 'benign' && group.rates.n >= 40)
    .map((group) => ({ family: group.key, ...rate(group.rates) }))
    .reduce<{ family: string; rate: number; n: number } | undefined>(
      (acc, group) => (group.rate > (acc?.rate ?? 0) ? group : acc),
      undefined,
    );
  return {
    source: `${MEASURE_SOURCE}: leave-one-source-out over ${CARD.groups} source groups, synthetic generators included; ${CARD.trainedOn}`,
    threshold,
    thresholdFrom: from,
    basis: basisAt(threshold),
    method: methodAt(threshold),
    recall: MEASURE_IDS.map((id) => ({
      measure: id,
      title: MEASURES[id].title,
      ...measureAt(id, threshold),
      families: measureFamilies(id).map((family) => ({
        family: family.key,
        kind: family.kind,
        ...rate(family.rates),
      })),
    })),
    refused: {
      benign: rate(benign),
      hardNegative: rate(hardNegative),
      ...(worst ? { worstBenignFamily: worst } : {}),
    },
  };
}

/** A mitigation with its weight resolved for this deployment. */
export interface ScoredMitigation extends Omit<Mitigation, 'weight'> {
  weight: number;
  /** The weight once the control's fixes are applied (differs only for measured weights). */
  target: number;
  measured?: { measures: MeasureId[]; combine: 'min' | 'mean' };
}

/** A threat with resolved weights. */
export interface ScoredThreat extends Omit<Threat, 'mitigations'> {
  mitigations: ScoredMitigation[];
}

const idsOf = (weight: MeasuredWeight): MeasureId[] =>
  Array.isArray(weight.measured) ? weight.measured : [weight.measured];

function combined(weight: MeasuredWeight, t: number): number {
  const values = idsOf(weight).map((id) => measureAt(id, t).rate);
  const value =
    (weight.combine ?? 'min') === 'min'
      ? Math.min(...values)
      : values.reduce((a, b) => a + b, 0) / values.length;
  return round4(value);
}

/** Resolves every measured weight of the catalog at the deployment's operating point. */
export function resolveWeights(threats: readonly Threat[], context: AssessContext): ScoredThreat[] {
  const point = detectionOperatingPoint(context);
  return threats.map((threat) => ({
    ...threat,
    mitigations: threat.mitigations.map((mitigation): ScoredMitigation => {
      const { weight } = mitigation;
      if (typeof weight === 'number') return { ...mitigation, weight, target: weight };
      return {
        ...mitigation,
        weight: combined(weight, point.threshold),
        target: combined(weight, point.afterFixes),
        measured: { measures: idsOf(weight), combine: weight.combine ?? 'min' },
      };
    }),
  }));
}

/** A share as a percentage: one decimal, two below 1% so small refusal rates do not read as 0. */
export function percent(rate: number): string {
  return `${(rate * 100).toFixed(rate > 0 && rate < 0.01 ? 2 : 1)}%`;
}

/** The figures as evidence lines: where they come from and at which threshold, recall, false-positive cost. */
export function figuresEvidence(figures: MeasuredFigures): string[] {
  const { benign, hardNegative, worstBenignFamily: worst } = figures.refused;
  return [
    `model card figures (${MEASURE_SOURCE}) at ${figures.thresholdFrom}: ${figures.method}`,
    `held-out recall: ${figures.recall
      .map((r) => `${MEASURES[r.measure].short} ${percent(r.rate)} (n=${r.n})`)
      .join(', ')}`,
    `false-positive cost: ${percent(benign.rate)} of benign texts (n=${benign.n}) and ${percent(hardNegative.rate)} of hard negatives (n=${hardNegative.n}) refused${worst ? `; most refused benign family: ${worst.family} ${percent(worst.rate)} (n=${worst.n})` : ''}`,
  ];
}

/** One line of a "measured effects" section; `detail` is the longer breakdown (per family). */
export interface MeasuredLine {
  text: string;
  detail?: string;
}

/**
 * Plain-text lines of a report section on one control's measured figures and the weights taken from
 * them (none when the control has no `measured` figures); the CLI renders them as text, Markdown or HTML.
 * @example
 * for (const control of report.controls.filter((c) => c.measured))
 *   for (const line of measuredLines(control, report.threats)) console.log(line.text);
 */
export function measuredLines(control: ControlResult, threats: readonly ThreatResult[]): MeasuredLine[] {
  const figures = control.measured;
  if (!figures) return [];
  const { benign, hardNegative, worstBenignFamily: worst } = figures.refused;
  const weights = threats.flatMap((threat) =>
    !threat.applicable
      ? []
      : threat.controls
          .filter((c) => c.id === control.id && c.measured)
          .map((c) => {
            const { measures, combine } = c.measured!;
            const from = measures.length === 1 ? measures[0] : `${combine}(${measures.join(', ')})`;
            return `${threat.id} ${c.weight.toFixed(3)} = ${from}`;
          }),
  );
  return [
    { text: `source: ${figures.source}` },
    { text: `read at ${figures.thresholdFrom}: ${figures.method}` },
    ...figures.recall.map((r) => ({
      text: `recall, ${r.title} [${r.measure}]: ${percent(r.rate)} of ${r.n}`,
      detail: r.families
        .map((f) => `${f.family}${f.kind === 'synthetic' ? ' (synthetic)' : ''} ${percent(f.rate)} of ${f.n}`)
        .join(', '),
    })),
    {
      text: `refused (false-positive cost): benign ${percent(benign.rate)} of ${benign.n}, hard negatives ${percent(hardNegative.rate)} of ${hardNegative.n}${worst ? `; most refused benign family ${worst.family} ${percent(worst.rate)} of ${worst.n}` : ''}`,
    },
    ...(weights.length ? [{ text: `weights used: ${weights.join('; ')}` }] : []),
  ];
}
