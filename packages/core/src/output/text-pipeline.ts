/**
 * The per-string pipeline shared by `check` and the streams: PII, deny lists and patterns, canaries and
 * system-prompt runs, minus safe terms. Compiled once from resolved options.
 * @module
 */
import type { Finding } from '../types.js';
import { type AhoCorasick, createAhoCorasick } from './aho-corasick.js';
import { CUE_WINDOW } from './cues.js';
import { createPromptLeakDetector, type PromptLeakDetector } from './leak.js';
import { applyEdits, piiFinding, replacementFor, type TextEdit } from './mask.js';
import type { ResolvedOutputOptions } from './options.js';
import { piiTypeMask, scanPiiMasked } from './pii.js';
import { PII_TYPES, type PiiType } from './pii-types.js';

export type HitAction = 'mask' | 'redact' | 'block' | 'flag';

/** One thing found in a string, with its range and what to do about it. */
export interface TextHit {
  start: number;
  end: number;
  action: HitAction;
  /** Replacement text for mask/redact. */
  replacement?: string;
  finding: Finding;
}

export interface TextResult {
  text: string;
  modified: boolean;
  action: 'allow' | 'flag' | 'block';
  findings: Finding[];
}

export interface TextPipeline {
  /** Every hit in `text`, sorted by start. */
  analyze(text: string, path?: string): TextHit[];
  /** Applies the mask/redact hits inside [from, to) and returns that slice of the text. */
  render(text: string, hits: readonly TextHit[], from: number, to: number): string;
  /** analyze + render over the whole string. */
  process(text: string, path?: string): TextResult;
  /** Longest literal the filters match (canaries, deny terms), for the stream's hold-back window. */
  readonly maxLiteral: number;
  /** Characters of already-released text the stream keeps as context for the next scan. */
  readonly contextChars: number;
}

interface Rule {
  kind: string;
  action: HitAction;
  label: string;
  wholeWord: boolean;
  leak: boolean;
}

const WORDISH = /[\p{L}\p{N}_]/u;

function isBoundary(text: string, i: number): boolean {
  return i <= 0 || i >= text.length || !WORDISH.test(text[i]!);
}

/** Sorted, merged ranges, so each overlap test is a binary search rather than a scan. */
function mergeRanges(ranges: ReadonlyArray<{ start: number; end: number }>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: Array<[number, number]> = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last[1]) last[1] = Math.max(last[1], r.end);
    else out.push([r.start, r.end]);
  }
  return out;
}

function overlapsAny(merged: ReadonlyArray<[number, number]>, h: { start: number; end: number }): boolean {
  let lo = 0;
  let hi = merged.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [s, e] = merged[mid]!;
    if (e <= h.start) lo = mid + 1;
    else if (s >= h.end) hi = mid - 1;
    else return true;
  }
  return false;
}

/** A finding's location; key order as before (`path`, `start`, `end`). */
function locOf(path: string | undefined, start: number, end: number): Finding['location'] {
  return path === undefined ? { start, end } : { path, start, end };
}

const VERB: Record<HitAction, string> = {
  mask: 'masked',
  redact: 'redacted',
  block: 'blocked',
  flag: 'found',
};

function byStart(a: TextHit, b: TextHit): number {
  return a.start - b.start || b.end - a.end;
}

/** Compiles the pipeline: automata, regexes and the prompt index are built here, not per call. */
export function createTextPipeline(opts: ResolvedOutputOptions): TextPipeline {
  const rules: Rule[] = [];
  const terms: string[] = [];
  for (const rule of opts.filter.deny) {
    for (const term of rule.terms) {
      terms.push(term);
      rules.push({
        kind: `filter.${rule.label}`,
        action: rule.action,
        label: rule.label,
        wholeWord: rule.wholeWord,
        leak: false,
      });
    }
  }
  for (const canary of opts.leak.canaries) {
    terms.push(canary);
    rules.push({
      kind: 'leak.canary',
      action: opts.leak.action,
      label: 'canary',
      wholeWord: false,
      leak: true,
    });
  }
  const literals: AhoCorasick | undefined = terms.length > 0 ? createAhoCorasick(terms) : undefined;
  const allow: AhoCorasick | undefined =
    opts.filter.allow.length > 0 ? createAhoCorasick(opts.filter.allow) : undefined;
  const patterns = opts.filter.patterns.map((p) => ({
    ...p,
    re: new RegExp(p.pattern, `${p.flags.replace('g', '')}g`),
  }));
  const prompt: PromptLeakDetector | undefined =
    opts.leak.systemPrompt === undefined
      ? undefined
      : createPromptLeakDetector(opts.leak.systemPrompt, opts.leak.minRunWords);
  // Everything a PII scan needs, resolved once here rather than per string.
  const piiMask = piiTypeMask(
    PII_TYPES.filter((t: PiiType) => opts.pii.enabled && opts.pii.actions[t] !== 'off'),
  );
  const minConfidence = opts.pii.minConfidence;
  const country = opts.pii.defaultCountry as Parameters<typeof scanPiiMasked>[3];
  const phoneCache = new Map<string, ReadonlyArray<readonly [number, number]>>();

  function analyze(text: string, path?: string): TextHit[] {
    const hits: TextHit[] = [];
    if (piiMask !== 0) {
      const entities = scanPiiMasked(text, piiMask, minConfidence, country, phoneCache);
      for (const e of entities) {
        const action = opts.pii.actions[e.type] as HitAction;
        const replacement = replacementFor(action, e.type, text.slice(e.start, e.end));
        hits.push({
          start: e.start,
          end: e.end,
          action,
          finding: piiFinding(e, action, 'response', path),
          ...(replacement === undefined ? {} : { replacement }),
        });
      }
    }
    if (literals) analyzeLiterals(literals, text, path, hits);
    if (patterns.length > 0) analyzePatterns(text, path, hits);
    if (prompt) analyzePrompt(prompt, text, path, hits);
    if (!allow) return hits.length > 1 ? hits.sort(byStart) : hits;
    const safe = allow.findAll(text);
    const merged = mergeRanges(safe);
    const kept =
      safe.length === 0
        ? hits
        : hits.filter((h) => h.finding.kind.startsWith('leak.') || !overlapsAny(merged, h));
    return kept.sort(byStart);
  }

  function analyzeLiterals(ac: AhoCorasick, text: string, path: string | undefined, hits: TextHit[]): void {
    for (const m of ac.findAll(text)) {
      const rule = rules[m.term]!;
      if (rule.wholeWord && !(isBoundary(text, m.start - 1) && isBoundary(text, m.end))) continue;
      const replacement =
        rule.action === 'mask'
          ? '*'.repeat(m.end - m.start)
          : rule.action === 'redact'
            ? `[REDACTED:${rule.label.toUpperCase()}]`
            : undefined;
      const message = rule.leak
        ? `Canary token from the system prompt ${VERB[rule.action]}`
        : `Denied term (${rule.label}) ${VERB[rule.action]}`;
      const finding: Finding = {
        kind: rule.kind,
        severity: rule.leak || rule.action === 'block' ? 'critical' : 'medium',
        message,
        source: 'response',
        location: locOf(path, m.start, m.end),
      };
      hits.push({
        start: m.start,
        end: m.end,
        action: rule.action,
        finding,
        ...(replacement === undefined ? {} : { replacement }),
      });
    }
  }

  function analyzePatterns(text: string, path: string | undefined, hits: TextHit[]): void {
    for (const p of patterns) {
      p.re.lastIndex = 0;
      for (let m = p.re.exec(text), n = 0; m && n < 10_000; m = p.re.exec(text), n++) {
        if (m[0].length === 0) {
          p.re.lastIndex++;
          continue;
        }
        const end = m.index + m[0].length;
        const replacement =
          p.action === 'mask'
            ? '*'.repeat(m[0].length)
            : p.action === 'redact'
              ? `[REDACTED:${p.label.toUpperCase()}]`
              : undefined;
        const finding: Finding = {
          kind: `filter.${p.label}`,
          severity: p.action === 'block' ? 'high' : 'medium',
          message: `Denied pattern (${p.label}) ${VERB[p.action]}`,
          source: 'response',
          location: locOf(path, m.index, end),
        };
        hits.push({
          start: m.index,
          end,
          action: p.action,
          finding,
          ...(replacement === undefined ? {} : { replacement }),
        });
      }
    }
  }

  function analyzePrompt(
    detector: PromptLeakDetector,
    text: string,
    path: string | undefined,
    hits: TextHit[],
  ): void {
    for (const run of detector.find(text)) {
      const finding: Finding = {
        kind: 'leak.system_prompt',
        severity: 'critical',
        message: `Response repeats ${run.words}+ consecutive words of the system prompt`,
        source: 'response',
        location: locOf(path, run.start, run.end),
      };
      hits.push({ start: run.start, end: run.end, action: opts.leak.action, finding });
    }
  }

  function render(text: string, hits: readonly TextHit[], from: number, to: number): string {
    const edits: TextEdit[] = [];
    let pos = from;
    for (const h of hits) {
      if (h.replacement === undefined || h.start < pos || h.start >= to) continue;
      // A hit running past `to` only happens on a forced release of an over-long token: hide the part
      // released now; the rest is scanned again with the next text.
      const end = Math.min(h.end, to);
      edits.push({ start: h.start - from, end: end - from, replacement: h.replacement });
      pos = end;
    }
    return applyEdits(text.slice(from, to), edits);
  }

  return {
    analyze,
    render,
    process(text, path) {
      const hits = analyze(text, path);
      if (hits.length === 0) return { text, modified: false, action: 'allow', findings: [] };
      const out = render(text, hits, 0, text.length);
      const action = hits.some((h) => h.action === 'block') ? 'block' : 'flag';
      return { text: out, modified: out !== text, action, findings: hits.map((h) => h.finding) };
    },
    maxLiteral: Math.max(literals?.maxLength ?? 0, 0),
    // At least what the PII cues look back over, so a stream sees the words a whole text would.
    contextChars: prompt ? 256 : CUE_WINDOW,
  };
}
