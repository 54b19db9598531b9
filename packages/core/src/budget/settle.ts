/**
 * Settling reservations from what the model returned: a complete JSON body (its `usage`, else its text
 * counted), or a stream metered as it passes (text deltas counted, the final `usage` event preferred).
 * A stream that outgrows its reservation takes `streamStepTokens` more at a time; when the budget has
 * none left it is cut at an event boundary with a final error event, then `[DONE]`.
 * @module
 */
import type { BudgetOptions } from './options.js';
import type { BudgetState, ConsumptionStage } from './stage.js';
import type { TokenCounter } from './tokens.js';
import { deltaTextOf, outputTextOf, type Usage, usageOf } from './usage.js';

/** Settles a reservation from a complete response body (fire and forget: never throws). */
export async function settleFromBody(
  stage: ConsumptionStage,
  state: BudgetState,
  status: number,
  body: unknown,
): Promise<void> {
  if (state.settled || state.settling) return;
  // Marked at once: `shield.finish` (on the response's close) must not settle it too in the meantime.
  state.settling = true;
  let parsed = body;
  if (typeof body === 'string' && body.length < 4_000_000) {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = body;
    }
  }
  const usage = usageOf(parsed);
  if (usage?.output !== undefined) return stage.settle(state, usage);
  // An error answer (the handler's or the upstream's) used no output; the input may have been read.
  if (status >= 400) return stage.settle(state, { ...usage, output: 0 });
  const count = await stage.tokenizer();
  state.output = count(outputTextOf(parsed));
  return stage.settle(state, { ...usage, output: state.output });
}

/**
 * Counts one event of a stream an adapter checks event by event (Nest's `@Sse()`): its text is added to
 * the output, a `usage` it carries replaces the count; `shield.finish` settles when the response ends.
 */
export function countEvent(stage: ConsumptionStage, state: BudgetState, payload: unknown): void {
  if (state.settled) return;
  let parsed = payload;
  if (typeof payload === 'string' && payload.charCodeAt(0) === 123 /* { */) {
    try {
      parsed = JSON.parse(payload);
    } catch {
      parsed = payload;
    }
  }
  const usage = usageOf(parsed);
  if (usage?.output !== undefined) state.output = usage.output;
  else {
    // Text in a known shape, else the event as sent (its JSON text, for an object of the app's own).
    const text =
      deltaTextOf(parsed) ||
      outputTextOf(parsed) ||
      (typeof parsed === 'object' && parsed !== null ? (JSON.stringify(parsed) ?? '') : String(parsed ?? ''));
    state.output += stage.count(text);
  }
  state.counted = true;
}

/** Longest SSE event the meter holds while it waits for the event's end; longer ones pass uncounted. */
const MAX_EVENT_CHARS = 1_000_000;
const DECODE_STREAM: TextDecodeOptions = { stream: true };

function cutEvents(anthropic: boolean, message: string): string {
  if (anthropic) {
    return `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'budget_exceeded', message } })}\n\n`;
  }
  return `data: ${JSON.stringify({
    error: { message, type: 'budget_exceeded', code: 'ERR_RATE_TOKEN_BUDGET' },
  })}\n\ndata: [DONE]\n\n`;
}

/** The end of the first complete event in `text` from `from` on (after its blank line), or -1. */
function eventEnd(text: string, from: number): number {
  const lf = text.indexOf('\n\n', from);
  const crlf = text.indexOf('\r\n\r\n', from);
  if (lf < 0) return crlf < 0 ? -1 : crlf + 4;
  return crlf < 0 || lf < crlf ? lf + 2 : crlf + 4;
}

/** The JSON payload of an event's `data:` lines, or undefined. */
function payloadOf(event: string): unknown {
  let data = '';
  for (const line of event.split(/\r?\n/)) {
    if (line.startsWith('data:')) data += (data ? '\n' : '') + line.slice(line.charCodeAt(5) === 32 ? 6 : 5);
  }
  if (!data || data === '[DONE]' || data.charCodeAt(0) !== 123 /* { */) return undefined;
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

/**
 * A pass-through TransformStream that counts a streamed answer against the request's reservation and
 * cuts it when the budget runs out. `kind` `text` counts plain chunked text.
 */
export function createBudgetMeter(
  stage: ConsumptionStage,
  state: BudgetState,
  options: Pick<BudgetOptions, 'streamStepTokens'>,
  kind: 'sse' | 'text',
): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let count: TokenCounter | undefined;
  let pending = '';
  let reported: Usage | undefined;
  let anthropic = false;
  let cut = false;

  /** Counts `tokens` more output; false when the stream must be cut. */
  const spend = async (tokens: number): Promise<boolean> => {
    state.output += tokens;
    state.counted = true;
    while (state.output > state.reservedOutput) {
      const step = Math.max(options.streamStepTokens, state.output - state.reservedOutput);
      if (!(await stage.extend(state, step))) return false;
    }
    return true;
  };

  const stop = (controller: TransformStreamDefaultController<Uint8Array>) => {
    cut = true;
    const message = `Token budget exhausted after ${state.output} output tokens; the answer was cut`;
    controller.enqueue(encoder.encode(kind === 'sse' ? cutEvents(anthropic, message) : `\n[${message}]`));
    controller.terminate();
    void stage.settle(state, { output: state.output });
  };

  return new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      if (cut) return;
      count ??= await stage.tokenizer();
      const text = decoder.decode(chunk, DECODE_STREAM);
      if (kind === 'text') {
        if (!(await spend(count(text)))) return stop(controller);
        controller.enqueue(chunk);
        return;
      }
      pending += text;
      let start = 0;
      for (let end = eventEnd(pending, 0); end >= 0; end = eventEnd(pending, start)) {
        const event = pending.slice(start, end);
        const payload = payloadOf(event);
        if (payload !== undefined) {
          if (!anthropic && event.startsWith('event:')) anthropic = true;
          const usage = usageOf(payload);
          if (usage) reported = { ...reported, ...usage };
          const delta = deltaTextOf(payload);
          if (delta && !(await spend(count(delta)))) {
            if (start > 0) controller.enqueue(encoder.encode(pending.slice(0, start)));
            return stop(controller);
          }
        }
        start = end;
      }
      if (start > 0) controller.enqueue(encoder.encode(pending.slice(0, start)));
      pending = pending.slice(start);
      if (pending.length > MAX_EVENT_CHARS) {
        controller.enqueue(encoder.encode(pending));
        pending = '';
      }
    },
    flush(controller) {
      if (cut) return;
      const rest = pending + decoder.decode();
      if (rest) controller.enqueue(encoder.encode(rest));
      // The final usage event, when the upstream sent one, is the model's own count.
      const output = reported?.output ?? state.output;
      void stage.settle(state, {
        ...(reported?.input !== undefined ? { input: reported.input } : {}),
        output,
      });
    },
  });
}
