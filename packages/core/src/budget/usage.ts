/**
 * What a model response says it cost: the `usage` fields of OpenAI (chat, completions, responses) and
 * Anthropic bodies and stream events, and the generated text when a response carries no `usage`.
 * @module
 */

type Json = Record<string, unknown>;
const isObj = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;

/** Tokens a response reports; either side may be missing (an Anthropic `message_delta` has output only). */
export interface Usage {
  input?: number;
  output?: number;
}

/** Reads a `usage` object: OpenAI `prompt_tokens`/`completion_tokens`, or `input_tokens`/`output_tokens`. */
function readUsage(usage: unknown): Usage | undefined {
  if (!isObj(usage)) return undefined;
  const input =
    count(usage.prompt_tokens) ??
    (count(usage.input_tokens) === undefined
      ? undefined
      : count(usage.input_tokens)! +
        (count(usage.cache_creation_input_tokens) ?? 0) +
        (count(usage.cache_read_input_tokens) ?? 0));
  const output = count(usage.completion_tokens) ?? count(usage.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  return { ...(input === undefined ? {} : { input }), ...(output === undefined ? {} : { output }) };
}

/**
 * The usage a JSON body or an SSE event payload reports: top-level `usage` (OpenAI bodies and final
 * chunks, Anthropic bodies and `message_delta`), `message.usage` (Anthropic `message_start`) or
 * `response.usage` (OpenAI Responses `response.completed`).
 */
export function usageOf(payload: unknown): Usage | undefined {
  if (!isObj(payload)) return undefined;
  return (
    readUsage(payload.usage) ??
    (isObj(payload.message) ? readUsage(payload.message.usage) : undefined) ??
    (isObj(payload.response) ? readUsage(payload.response.usage) : undefined)
  );
}

/** The generated text of a complete JSON response (used to count output when it reports no usage). */
export function outputTextOf(body: unknown): string {
  if (typeof body === 'string') return body;
  if (!isObj(body)) return '';
  const parts: string[] = [];
  if (Array.isArray(body.choices)) {
    for (const choice of body.choices) {
      if (!isObj(choice)) continue;
      if (isObj(choice.message) && typeof choice.message.content === 'string')
        parts.push(choice.message.content);
      else if (typeof choice.text === 'string') parts.push(choice.text);
    }
  }
  if (Array.isArray(body.content)) {
    for (const block of body.content)
      if (isObj(block) && typeof block.text === 'string') parts.push(block.text);
  }
  if (typeof body.output_text === 'string') parts.push(body.output_text);
  return parts.join('\n');
}

/** The text a stream event adds: OpenAI chat and completion deltas, Anthropic and Responses text deltas. */
export function deltaTextOf(payload: unknown): string {
  if (!isObj(payload)) return '';
  if (Array.isArray(payload.choices)) {
    let text = '';
    for (const choice of payload.choices) {
      if (!isObj(choice)) continue;
      if (isObj(choice.delta) && typeof choice.delta.content === 'string') text += choice.delta.content;
      else if (typeof choice.text === 'string') text += choice.text;
    }
    return text;
  }
  if (isObj(payload.delta) && typeof payload.delta.text === 'string') return payload.delta.text;
  if (payload.type === 'response.output_text.delta' && typeof payload.delta === 'string')
    return payload.delta;
  return '';
}
