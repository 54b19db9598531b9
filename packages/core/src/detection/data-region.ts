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

const NONE: DataRegion = { sentences: 0, imperative: 0, addressed: 0, directive: 0, question: 0 };

/** Where the first line ends, when it reads as the user's task over content that follows (>= 200 chars). */
function taskLineEnd(text: string): number {
  const nl = text.indexOf('\n');
  if (nl < 0 || nl > 400 || text.length - nl < 200) return -1;
  return nl + 1;
}

/** Words that the IMPERATIVE class holds for questions; at the start of a statement they are not orders ("When the war ended, ..."). */
const QUESTION_WORDS = new Set(['what', 'how', 'why', 'who', 'which', 'when', 'where', 'can', 'could']);

function isSentenceEnd(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c === 0x0a) return true;
  if (c !== 0x2e && c !== 0x21 && c !== 0x3f) return false;
  const next = text.charCodeAt(i + 1);
  return Number.isNaN(next) || next === 0x20 || next === 0x0a || next === 0x22 || next === 0x29;
}

/**
 * Counts instruction-like sentences in the data region of `text` (folded, as the tokens index it).
 * `isDocument`: the whole text is content (an e-mail, a table, code with prose), not a request.
 */
export function analyzeDataRegion(text: string, t: Tokens, isDocument: boolean): DataRegion {
  const from = isDocument ? 0 : taskLineEnd(text);
  if (from < 0 || t.count === 0) return NONE;
  const out: DataRegion = { sentences: 0, imperative: 0, addressed: 0, directive: 0, question: 0 };
  let ti = 0;
  while (ti < t.count && t.start[ti]! < from) ti++;
  let pos = from;
  let inFence = false;
  const n = text.length;
  while (pos < n && ti < t.count) {
    if (text.startsWith('```', pos)) {
      inFence = !inFence;
      const nl = text.indexOf('\n', pos);
      pos = nl < 0 ? n : nl + 1;
      while (ti < t.count && t.start[ti]! < pos) ti++;
      continue;
    }
    // The sentence runs to the next end mark; its tokens are [ti, k).
    let end = pos;
    while (end < n && !isSentenceEnd(text, end)) end++;
    let k = ti;
    while (k < t.count && t.start[k]! < end) k++;
    const words = k - ti;
    if (!inFence && words >= 3 && words <= 60) {
      out.sentences++;
      const question = text.charCodeAt(end) === 0x3f;
      if (question) out.question++;
      const first = t.mask[ti]!;
      if (first & C.IMPERATIVE && (question || !QUESTION_WORDS.has(text.slice(t.start[ti]!, t.end[ti]!))))
        out.imperative++;
      let order = (first & C.IMPERATIVE) !== 0;
      let announce = false;
      let addressed = false;
      for (let i = ti; i < k; i++) {
        const m = t.mask[i]!;
        if (m & (C.NOTE | C.INSTR)) announce = true;
        if (m & (C.NEW | C.IMPERATIVE) && i > ti) order = true;
        if (m & C.YOUR && !addressed)
          for (let j = i + 1; j < k && j <= i + 3; j++) if (t.mask[j]! & C.RESPONSE) addressed = true;
      }
      if (addressed) out.addressed++;
      if (announce && order) out.directive++;
    }
    ti = k;
    pos = end + 1;
  }
  return out;
}
