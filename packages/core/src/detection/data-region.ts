/**
 * Instructions inside supplied data. When a prompt hands the model content to work on (a task line, then
 * a paragraph, e-mail, table or code; or a document on its own), the sentences of that content are data:
 * a sentence there that gives an order, addresses "your answer", announces new instructions or asks a
 * question of its own reads as a task planted for the model (indirect injection, task drift), not as
 * something the user asked. This module only counts such sentences; what they are worth is learned by the
 * classifier, against documents that contain ordinary imperatives (recipes, policies, release notes).
 *
 * One pass over the data region's sentences, each token looked at once: linear in the input.
 * @module
 */
import { C } from './lexicon.js';
import type { Tokens } from './matcher.js';

export interface DataRegion {
  /** Sentences of the data region (3 to 60 words; fenced code skipped). */
  sentences: number;
  /** ... that start with an imperative verb. */
  imperative: number;
  /** ... that speak of the model's output: "your answer", "your response", "you reply". */
  addressed: number;
  /** ... that announce instructions or a task: "instruction", "important", "attention" with an order or "new". */
  directive: number;
  /** ... that are questions. */
  question: number;
}

// Concept bits read once: the loop below runs per token.
const IMPERATIVE = C.IMPERATIVE;
const ANNOUNCE = C.NOTE | C.INSTR;
const ORDER = C.NEW | C.IMPERATIVE;
const YOUR = C.YOUR;
const RESPONSE = C.RESPONSE;

const NONE: DataRegion = { sentences: 0, imperative: 0, addressed: 0, directive: 0, question: 0 };

/** Where the first line ends, when it reads as the user's task over content that follows (>= 200 chars). */
function taskLineEnd(text: string): number {
  const nl = text.indexOf('\n');
  if (nl < 0 || nl > 400 || text.length - nl < 200) return -1;
  return nl + 1;
}

/** Words that the IMPERATIVE class holds for questions; at the start of a statement they are not orders ("When the war ended, ..."). */
const QUESTION_WORDS = new Set(['what', 'how', 'why', 'who', 'which', 'when', 'where', 'can', 'could']);

/**
 * Counts instruction-like sentences in the data region of `text` (folded, as the tokens index it).
 * `isDocument`: the whole text is content (an e-mail, a table, code with prose), not a request.
 */
export function analyzeDataRegion(text: string, t: Tokens, isDocument: boolean): DataRegion {
  const from = isDocument ? 0 : taskLineEnd(text);
  if (from < 0 || t.count === 0) return NONE;
  const out: DataRegion = { sentences: 0, imperative: 0, addressed: 0, directive: 0, question: 0 };
  let first = 0;
  while (first < t.count && t.start[first]! < from) first++;
  // Walk the words; sentence ends and code fences live in the gaps between words (".", "!", "?" before a
  // space or line end, a line break, "```"), so only the gaps are read character by character.
  let inFence = false;
  const n = text.length;
  for (let i = first; i < t.count; i++) {
    const gapEnd = i + 1 < t.count ? t.start[i + 1]! : n;
    let end = i + 1 === t.count;
    let question = false;
    let fence = false;
    let backticks = 0;
    for (let p = t.end[i]!; p < gapEnd; p++) {
      const c = text.charCodeAt(p);
      if (c === 0x60) {
        if (++backticks === 3) fence = true;
        continue;
      }
      backticks = 0;
      if (c === 0x0a) end = true;
      else if (c === 0x2e || c === 0x21 || c === 0x3f) {
        const next = p + 1 < n ? text.charCodeAt(p + 1) : 0x20;
        if (next === 0x20 || next === 0x0a || next === 0x22 || next === 0x29 || p + 1 >= gapEnd) {
          end = true;
          if (c === 0x3f) question = true;
        }
      }
    }
    if (!end && !fence) continue;
    if (!inFence) countSentence(text, t, first, i + 1, question, out);
    if (fence) inFence = !inFence;
    first = i + 1;
  }
  return out;
}

/** Adds the sentence of words [from, to) to the counts when it has 3 to 60 words. */
function countSentence(
  text: string,
  t: Tokens,
  from: number,
  to: number,
  question: boolean,
  out: DataRegion,
): void {
  const words = to - from;
  if (words < 3 || words > 60) return;
  out.sentences++;
  if (question) out.question++;
  const lead = t.mask[from]!;
  if (lead & IMPERATIVE && (question || !QUESTION_WORDS.has(text.slice(t.start[from]!, t.end[from]!))))
    out.imperative++;
  let order = (lead & IMPERATIVE) !== 0;
  let announce = false;
  let addressed = false;
  for (let i = from; i < to; i++) {
    const m = t.mask[i]!;
    if (m & ANNOUNCE) announce = true;
    if (m & ORDER && i > from) order = true;
    if (m & YOUR && !addressed)
      for (let j = i + 1; j < to && j <= i + 3; j++) if (t.mask[j]! & RESPONSE) addressed = true;
  }
  if (addressed) out.addressed++;
  if (announce && order) out.directive++;
}
