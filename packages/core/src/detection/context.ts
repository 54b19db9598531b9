/**
 * Context of a text that changes how its attack-like phrases read: a phrase quoted in a question about
 * detecting it, a question or policy about defending against attacks, a trailing JSON object, a task
 * that points at supplied content. Used by `scan-prompt.ts`; every check is linear (literal
 * alternations, bounded scans).
 * @module
 */
import { C } from './lexicon.js';
import type { Tokens } from './matcher.js';

/** A rule hit at or above this recognises an attack on its own. */
export const STRONG_RULE = 0.8;
/** Highest classifier probability for a question about defence without a strong rule hit. */
export const DEFENSIVE_CAP = 0.45;
// Words of a question or policy about defending (literal alternation: linear).
const DEFENCE_WORDS =
  /\b(?:prevent|prevents|defend|defence|defense|protect|mitigate|detect|detects|detection|secure|securely|safely|safest|harden|hardening|responsibly|policy|policies|difference between|best practices?)\b/;
const QUESTION_START = /^(?:how|what|why|which|is|are|can|could|should|do|does|when|where)\b/;

/** A question (or a policy text) about protecting against something. */
export function asksAboutDefence(folded: string): boolean {
  const t = folded.length > 600 ? folded.slice(0, 600) : folded;
  if (!DEFENCE_WORDS.test(t)) return false;
  const trimmed = t.trimEnd();
  return (
    trimmed.endsWith('?') ||
    QUESTION_START.test(t.trimStart()) ||
    /\b(?:policy|policies|regex|regexp|filter|classifier|unit test)\b/.test(t)
  );
}

/** Rule kinds whose phrases people quote when they ask about attacks. */
export const QUOTABLE = new Set([
  'injection.instruction_override',
  'extraction.system_prompt',
  'jailbreak.mode_switch',
  'jailbreak.persona',
]);
/** Score of a quoted attack phrase in a question about detecting it. */
export const QUOTED = 0.5;
// Words of a question about detecting or filtering a phrase. Plain alternation of literals: linear.
export const META_WORDS =
  /\b(?:regex|regexp|detects?|detection|filters?|blocks?|patterns?|phrases?|keywords?|classifier|classify|flags?|examples?)\b/;
const QUOTES = '"\'“”‘’«»`';

/** The span sits between a quote character before it and one after it, on the same line, near by. */
export function insideQuotes(text: string, start: number, end: number): boolean {
  let open = -1;
  for (let i = start - 1; i >= 0 && i >= start - 60; i--) {
    const c = text[i]!;
    if (c === '\n') break;
    if (QUOTES.includes(c)) {
      open = i;
      break;
    }
  }
  if (open < 0) return false;
  for (let i = end; i < text.length && i <= end + 80; i++) {
    const c = text[i]!;
    if (c === '\n') return false;
    if (QUOTES.includes(c)) return true;
  }
  return false;
}

/** The last line is a JSON object or array (data passed with a request, not an optimizer suffix). */
export function endsWithJson(text: string): boolean {
  let e = text.length;
  while (e > 0 && text.charCodeAt(e - 1) <= 0x20) e--;
  if (e === 0) return false;
  const last = text.charCodeAt(e - 1);
  if (last !== 0x7d && last !== 0x5d) return false;
  const s = text.lastIndexOf('\n', e - 1) + 1;
  const first = text.charCodeAt(s);
  return (first === 0x7b || first === 0x5b) && text.indexOf('":', s) >= 0;
}

/** The text opens with a task about supplied content: an imperative and "following/below/this text". */
export function taskAboutContent(t: Tokens): boolean {
  const n = Math.min(t.count, 10);
  let verb = false;
  for (let i = 0; i < n; i++) {
    const m = t.mask[i]!;
    if (m & C.IMPERATIVE) verb = true;
    if (verb && (m & C.REF || (m & C.THIS && i + 1 < t.count && t.mask[i + 1]! & C.DOCNOUN))) return true;
  }
  return false;
}
