/**
 * The labeled PII evaluation set: seeded, generated, multilingual, with near-miss negatives mixed into
 * positive texts and on their own. Nothing here imports the detector, and scoring takes the scan
 * function as a parameter, so the set cannot lean on the detector's own rules.
 */
import { FRESH_NEGATIVES, FRESH_POSITIVE } from './fresh.js';
import { negativesFor } from './negatives.js';
import { createRng, type Rng } from './random.js';
import { CITIES, LANGS, type Lang, NAMES, POSITIVE } from './templates.js';
import {
  cardNumber,
  email,
  formatCard,
  iban,
  ipv4,
  ipv6,
  type PhoneCountry,
  phone,
  secret,
  ssn,
} from './values.js';

/** The entity types scored (the same names `scanPii` reports). */
export const EVAL_TYPES = ['email', 'phone', 'card', 'iban', 'ssn', 'ip', 'secret'] as const;
export type EvalType = (typeof EVAL_TYPES)[number];

export interface Label {
  type: EvalType;
  start: number;
  end: number;
  /** What produced the value, e.g. `phone:FR:national`, `card:jcb`, `secret:cloud-40`. */
  variant: string;
}

export interface Sample {
  text: string;
  labels: Label[];
  lang: Lang;
}

export type Split = 'dev' | 'held-out' | 'fresh';

export interface EvalSetOptions {
  split: Split;
  seed?: number;
  /** Samples per entity type. Default 300. */
  perType?: number;
  /** Negative-only samples. Default `3 * perType`. */
  negatives?: number;
}

const HOME: Record<Lang, PhoneCountry> = {
  en: 'US',
  'en-GB': 'GB',
  fr: 'FR',
  de: 'DE',
  es: 'ES',
  it: 'IT',
  nl: 'NL',
  'pt-BR': 'BR',
  'pt-PT': 'PT',
  ja: 'JP',
};

const PREFIXED_SECRETS = [
  'openai',
  'anthropic',
  'aws-access',
  'github',
  'gitlab',
  'slack',
  'stripe',
  'google',
  'huggingface',
  'sendgrid',
  'npm',
  'jwt',
  'pem',
];

const MARKER = /\{(\w+)(?::([\w-]+))?(\+)?\}/g;

function fill(r: Rng, lang: Lang, template: string): { text: string; labels: Label[] } {
  let text = '';
  const labels: Label[] = [];
  let last = 0;
  for (const m of template.matchAll(MARKER)) {
    text += template.slice(last, m.index);
    last = m.index + m[0].length;
    const [, kind, arg, plus] = m;
    let value: string;
    let type: EvalType | undefined;
    let variant: string;
    switch (kind) {
      case 'name':
        text += r.pick(NAMES);
        continue;
      case 'city':
        text += r.pick(CITIES);
        continue;
      case 'email':
        value = email(r);
        type = 'email';
        variant = 'email';
        break;
      case 'phone': {
        const country = (arg as PhoneCountry | undefined) ?? HOME[lang];
        const style = plus || r.chance(0.2) ? 'intl' : 'national';
        value = phone(r, country, style);
        type = 'phone';
        variant = `phone:${country}:${style}`;
        break;
      }
      case 'card': {
        const c = cardNumber(r);
        value = formatCard(r, c.value);
        type = 'card';
        variant = `card:${c.network}`;
        break;
      }
      case 'iban':
        value = iban(r, true, arg);
        type = 'iban';
        variant = `iban:${value.slice(0, 2)}`;
        break;
      case 'ssn':
      case 'ssn_':
      case 'ssn9':
        value = ssn(r, true, kind === 'ssn' ? '-' : kind === 'ssn_' ? ' ' : '');
        type = 'ssn';
        variant = kind;
        break;
      case 'ip':
      case 'ip4':
      case 'ip6': {
        const v6 = kind === 'ip6' || (kind === 'ip' && r.chance(0.35));
        value = v6 ? ipv6(r) : ipv4(r);
        type = 'ip';
        variant = v6 ? 'ipv6' : 'ipv4';
        break;
      }
      case 'secret': {
        const s = secret(r, arg ?? r.pick(PREFIXED_SECRETS));
        value = s.value;
        type = 'secret';
        variant = `secret:${s.kind}`;
        break;
      }
      default:
        throw new Error(`unknown marker ${m[0]}`);
    }
    labels.push({ type, start: text.length, end: text.length + value.length, variant });
    text += value;
  }
  return { text: text + template.slice(last), labels };
}

/** Templates of `lang` for `split` that contain a marker of `type`. */
function templatesFor(lang: Lang, type: EvalType, split: Split): string[] {
  const marker = `{${type}`;
  if (split === 'fresh') return FRESH_POSITIVE[lang][type] ?? [];
  const own = POSITIVE[lang][type] ?? [];
  const multi = (POSITIVE[lang].multi ?? []).filter((t) => t.includes(marker));
  return [...own, ...multi].filter((_, i) => (i % 2 === 0) === (split === 'dev'));
}

function negativeGens(lang: Lang, split: Split) {
  return split === 'fresh' ? FRESH_NEGATIVES : negativesFor(lang, split);
}

/** Builds the evaluation set of one split. Deterministic for a given seed. */
export function generateEvalSet(options: EvalSetOptions): Sample[] {
  const { split } = options;
  const perType = options.perType ?? 300;
  const r = createRng((options.seed ?? 42) + { dev: 0, 'held-out': 1_000_003, fresh: 2_000_006 }[split]);
  const samples: Sample[] = [];
  for (const type of EVAL_TYPES) {
    const langs = LANGS.filter((l) => templatesFor(l, type, split).length > 0);
    for (let k = 0; k < perType; k++) {
      const lang = r.pick(langs);
      const s = fill(r, lang, r.pick(templatesFor(lang, type, split)));
      // Real answers mix entities with numbers that are not entities: prefix a near miss to some.
      if (r.chance(0.4)) {
        const prefix = `${r.pick(negativeGens(lang, split))(r)} `;
        for (const l of s.labels) {
          l.start += prefix.length;
          l.end += prefix.length;
        }
        s.text = prefix + s.text;
      }
      samples.push({ ...s, lang });
    }
  }
  const negatives = options.negatives ?? perType * 3;
  for (let k = 0; k < negatives; k++) {
    const lang = r.pick(LANGS);
    samples.push({ text: r.pick(negativeGens(lang, split))(r), labels: [], lang });
  }
  return samples;
}
