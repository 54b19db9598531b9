/**
 * Counting tokens: a real BPE tokenizer (`gpt-tokenizer`, loaded in the background when a shield with a
 * token budget is created, so that shields without a budget never pay for its 2 MB of ranks and the
 * first request does not wait for them) or a dependency-free estimate for the edge; and reading what
 * a chat request asks for (prompt text, `max_tokens`, model) in the OpenAI and Anthropic shapes.
 * @module
 */
import type { BudgetOptions } from './options.js';

export type TokenCounter = (text: string) => number;

/**
 * Cheap upper-leaning estimate: ASCII text runs about 4 characters a token in the GPT and Claude
 * tokenizers; other scripts (CJK, emoji, accented words split into bytes) about one a character.
 */
export function estimateTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) < 128) ascii++;
    else other++;
  }
  return Math.ceil(ascii / 4) + other;
}

/** A counter for `budget.tokenizer`: resolves once the tokenizer is loaded (cached per shield). */
export function createTokenizer(options: Pick<BudgetOptions, 'tokenizer' | 'maxTokenizeChars'>) {
  const setting = options.tokenizer;
  const max = options.maxTokenizeChars;
  let loaded: Promise<TokenCounter> | undefined;
  let ready: TokenCounter | undefined;
  // Past `max` characters the rest is estimated: tokenizing is linear but costly (about 40 µs a KB).
  const capped =
    (count: TokenCounter): TokenCounter =>
    (text) =>
      text.length <= max ? count(text) : count(text.slice(0, max)) + estimateTokens(text.slice(max));
  if (setting === 'estimate') ready = estimateTokens;
  else if (typeof setting === 'function') ready = capped(setting);
  return {
    /** The counter, once loaded; `undefined` until then. */
    get ready() {
      return ready;
    },
    load(): Promise<TokenCounter> {
      if (ready) return Promise.resolve(ready);
      loaded ??= (
        setting === 'cl100k_base'
          ? import('gpt-tokenizer/encoding/cl100k_base')
          : import('gpt-tokenizer/encoding/o200k_base')
      ).then((module) => {
        ready = capped((text) => module.countTokens(text));
        return ready;
      });
      return loaded;
    },
  };
}

type Json = Record<string, unknown>;
const isObj = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Text of a content field: a string, or an array of parts with `text` (OpenAI parts, Anthropic blocks). */
function contentText(content: unknown, out: string[]): void {
  if (typeof content === 'string') out.push(content);
  else if (Array.isArray(content)) {
    for (const part of content) {
      if (typeof part === 'string') out.push(part);
      else if (isObj(part) && typeof part.text === 'string') out.push(part.text);
      else if (isObj(part) && part.content !== undefined) contentText(part.content, out);
    }
  }
}

/** What a request asks of the model, as far as budgets are concerned. */
export interface PromptShape {
  /** The prompt's text, joined. */
  text: string;
  /** Messages counted (each costs a few tokens of chat formatting). */
  messages: number;
  /** The output cap the request sets, and in which field. */
  maxOutput?: { field: string; value: number };
  model?: string;
  /** True when no known field was found and `text` is the whole body. */
  fallback: boolean;
}

const OUTPUT_FIELDS = ['max_tokens', 'max_completion_tokens', 'max_output_tokens'] as const;

/**
 * Reads the prompt of an OpenAI (chat, completions, responses) or Anthropic (messages) request body.
 * Anything else counts as a whole: its JSON text is the prompt.
 */
export function readPrompt(body: unknown, bodyText: string | undefined): PromptShape {
  const parts: string[] = [];
  let messages = 0;
  const shape: PromptShape = { text: '', messages: 0, fallback: false };
  if (isObj(body)) {
    if (Array.isArray(body.messages)) {
      for (const message of body.messages) {
        if (!isObj(message)) continue;
        messages++;
        contentText(message.content, parts);
        if (typeof message.name === 'string') parts.push(message.name);
      }
    }
    contentText(body.system, parts);
    if (typeof body.instructions === 'string') parts.push(body.instructions);
    if (typeof body.prompt === 'string') parts.push(body.prompt);
    else if (Array.isArray(body.prompt)) contentText(body.prompt, parts);
    if (typeof body.input === 'string') parts.push(body.input);
    else if (Array.isArray(body.input)) {
      for (const item of body.input) {
        if (isObj(item)) {
          messages++;
          contentText(item.content, parts);
        } else contentText([item], parts);
      }
    }
    for (const field of OUTPUT_FIELDS) {
      const value = body[field];
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
        shape.maxOutput = { field, value: Math.ceil(value) };
        break;
      }
    }
    if (typeof body.model === 'string' && body.model.length <= 200) shape.model = body.model;
  }
  shape.messages = messages;
  if (parts.length === 0 && messages === 0) {
    shape.fallback = true;
    shape.text = bodyText ?? (body === undefined ? '' : safeStringify(body));
  } else shape.text = parts.join('\n');
  return shape;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/** Chat formatting costs about 3 tokens a message plus 3 to prime the reply (OpenAI's cookbook). */
export function inputTokens(shape: PromptShape, count: TokenCounter): number {
  return count(shape.text) + (shape.messages > 0 ? shape.messages * 3 + 3 : 0);
}
