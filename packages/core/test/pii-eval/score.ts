/**
 * Scores a scan function on the evaluation set: per-type precision and recall, per-language recall, and
 * the misses themselves. A prediction is correct when it overlaps a label of the same type by at least
 * half of the label; a prediction of the wrong type counts as a false positive of its type and a miss of
 * the label's type.
 */
import { EVAL_TYPES, type EvalType, type Label, type Sample } from './generate.js';

export interface Span {
  type: string;
  start: number;
  end: number;
}

export interface TypeScore {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
}

export interface EvalReport {
  samples: number;
  byType: Record<EvalType, TypeScore>;
  /** Recall per language, over every labeled entity of that language. */
  recallByLang: Record<string, { tp: number; fn: number }>;
  /** Recall per value variant (`phone:FR:national`, `card:jcb`, ...). */
  recallByVariant: Record<string, { tp: number; fn: number }>;
  misses: Array<{ text: string; label: Label }>;
  falsePositives: Array<{ text: string; span: Span }>;
}

const hit = (l: Label, e: Span) =>
  e.type === l.type && Math.min(l.end, e.end) - Math.max(l.start, e.start) >= (l.end - l.start) / 2;

export function scoreEval(samples: Sample[], scan: (text: string) => Span[]): EvalReport {
  const counts = Object.fromEntries(EVAL_TYPES.map((t) => [t, { tp: 0, fp: 0, fn: 0 }])) as Record<
    EvalType,
    { tp: number; fp: number; fn: number }
  >;
  const recallByLang: EvalReport['recallByLang'] = {};
  const recallByVariant: EvalReport['recallByVariant'] = {};
  const misses: EvalReport['misses'] = [];
  const falsePositives: EvalReport['falsePositives'] = [];
  for (const s of samples) {
    const found = scan(s.text);
    for (const l of s.labels) {
      const ok = found.some((e) => hit(l, e));
      const lang = (recallByLang[s.lang] ??= { tp: 0, fn: 0 });
      const variant = (recallByVariant[l.variant] ??= { tp: 0, fn: 0 });
      if (ok) {
        counts[l.type].tp++;
        lang.tp++;
        variant.tp++;
      } else {
        counts[l.type].fn++;
        lang.fn++;
        variant.fn++;
        misses.push({ text: s.text, label: l });
      }
    }
    for (const e of found) {
      if (s.labels.some((l) => hit(l, e))) continue;
      const c = counts[e.type as EvalType];
      if (c) c.fp++;
      falsePositives.push({ text: s.text, span: e });
    }
  }
  const byType = Object.fromEntries(
    EVAL_TYPES.map((t) => {
      const { tp, fp, fn } = counts[t];
      return [
        t,
        {
          tp,
          fp,
          fn,
          precision: tp + fp === 0 ? 1 : tp / (tp + fp),
          recall: tp + fn === 0 ? 1 : tp / (tp + fn),
        },
      ];
    }),
  ) as Record<EvalType, TypeScore>;
  return { samples: samples.length, byType, recallByLang, recallByVariant, misses, falsePositives };
}

/** The per-type table as printed by `pnpm pii-eval`. */
export function formatReport(title: string, r: EvalReport): string {
  const lines = [title, 'type     precision  recall    tp    fp    fn'];
  for (const t of EVAL_TYPES) {
    const s = r.byType[t];
    lines.push(
      `${t.padEnd(8)} ${s.precision.toFixed(3).padStart(9)} ${s.recall.toFixed(3).padStart(7)} ${String(s.tp).padStart(5)} ${String(s.fp).padStart(5)} ${String(s.fn).padStart(5)}`,
    );
  }
  return lines.join('\n');
}
