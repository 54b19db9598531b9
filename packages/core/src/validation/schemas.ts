/**
 * Built-in body schemas for the two kinds of AI endpoint the shield protects, with size and shape caps
 * (seed 000: size limits, null/empty checks; a model has an input shape). The factories let a route
 * declare its own caps or tensor shape; the exported schemas use the defaults.
 * @module
 */
import { z } from 'zod';

/** True when `text` has a character that is neither whitespace nor an invisible format character. */
function hasVisibleText(text: string): boolean {
  return /[^\s\p{Cf}]/u.test(text);
}

export interface ChatSchemaOptions {
  /** Most messages in one request. Default 128. */
  maxMessages?: number;
  /** Most characters in one message (or one content part). Default 32,000. */
  maxMessageChars?: number;
  /** Most characters over all messages. Default 128,000. */
  maxTotalChars?: number;
  /** Most content parts in one message. Default 64. */
  maxParts?: number;
}

/**
 * An OpenAI-style chat request schema, `{ messages: [{ role, content }] }`, with caps. Content is a
 * string with visible text (not empty, not only whitespace or invisible characters) or an array of
 * parts (`{ type: 'text', text }`).
 * @example
 * aiShield({ routes: { 'POST /v1/chat': { validation: { schema: createChatSchema({ maxMessages: 32 }) } } } })
 */
export function createChatSchema(options: ChatSchemaOptions = {}) {
  const maxMessages = options.maxMessages ?? 128;
  const maxChars = options.maxMessageChars ?? 32_000;
  const maxTotal = options.maxTotalChars ?? 128_000;
  const maxParts = options.maxParts ?? 64;
  const text = z
    .string()
    .max(maxChars, `must be at most ${maxChars} characters`)
    .refine(hasVisibleText, 'must not be empty or only whitespace');
  const part = z.object({ type: z.string().min(1).max(64), text: text.optional() });
  return z
    .object({
      model: z.string().max(200).optional(),
      messages: z
        .array(
          z.object({
            role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
            content: z.union([
              text,
              z.array(part).min(1, 'must not be empty').max(maxParts, `must have at most ${maxParts} parts`),
            ]),
            name: z.string().max(64).optional(),
          }),
        )
        .min(1, 'must contain at least one message')
        .max(maxMessages, `must contain at most ${maxMessages} messages`),
      temperature: z.number().min(0).max(2).optional(),
      max_tokens: z.number().int().positive().optional(),
      stream: z.boolean().optional(),
    })
    .superRefine((body, ctx) => {
      let total = 0;
      for (const message of body.messages) {
        if (typeof message.content === 'string') total += message.content.length;
        else for (const p of message.content) total += p.text?.length ?? 0;
      }
      if (total > maxTotal) {
        ctx.addIssue({
          code: 'custom',
          path: ['messages'],
          message: `must have at most ${maxTotal} characters in total (has ${total})`,
        });
      }
    });
}

/**
 * OpenAI-style chat request: at most 128 messages of at most 32,000 characters each and 128,000 in
 * total, each with visible text. Use `createChatSchema()` for other caps.
 * @example
 * aiShield({ routes: { 'POST /v1/chat': { validation: { schema: chatSchema } } } })
 */
export const chatSchema = createChatSchema();

export interface TensorSchemaOptions {
  /**
   * The input's shape, one entry per dimension, `null` for a dimension of any size: `[4]` is a vector
   * of 4 features, `[null, 16]` any number of rows of 16. Default: a vector or a matrix.
   */
  shape?: ReadonlyArray<number | null>;
  /** Most numbers in one input. Default 4,096. */
  maxElements?: number;
  /** Most dimensions when `shape` is not given. Default 2. */
  maxRank?: number;
}

type Tensor = number[] | number[][];

const MAX_TENSOR_ISSUES = 20;

/**
 * What is wrong with a tensor's outline (type, emptiness, rank, shape, element count), or undefined.
 * The size is known from the first row of each dimension before anything else is walked, so an
 * oversized input costs one pass over its first elements, not over all of them.
 */
function outlineProblem(
  value: unknown,
  dims: number[],
  options: Required<Omit<TensorSchemaOptions, 'shape'>> & TensorSchemaOptions,
): string | undefined {
  if (!Array.isArray(value)) return 'must be an array of numbers';
  for (let node: unknown = value; Array.isArray(node); node = node[0]) {
    dims.push(node.length);
    if (node.length === 0) return 'must not be empty';
    if (dims.length > 8) return 'has too many dimensions';
  }
  const { shape } = options;
  const shown = shape ? `[${shape.map((d) => d ?? 'any').join(', ')}]` : '';
  if (shape ? dims.length !== shape.length : dims.length > options.maxRank) {
    return shape
      ? `must have shape ${shown} (has ${dims.length} dimension${dims.length === 1 ? '' : 's'})`
      : `must have at most ${options.maxRank} dimensions`;
  }
  const elements = dims.reduce((product, d) => product * d, 1);
  if (elements > options.maxElements)
    return `must have at most ${options.maxElements} numbers (has ${elements})`;
  const wrong = shape
    ? dims.findIndex((d, i) => shape[i] !== null && shape[i] !== undefined && d !== shape[i])
    : -1;
  return wrong === -1 ? undefined : `must have shape ${shown} (dimension ${wrong} has ${dims[wrong]})`;
}

/** Checks one numeric tensor: its outline, then that it is rectangular with finite numbers. */
function checkTensor(
  value: unknown,
  ctx: z.RefinementCtx,
  options: Required<Omit<TensorSchemaOptions, 'shape'>> & TensorSchemaOptions,
): void {
  const issue = (message: string, path: Array<string | number> = []) =>
    ctx.addIssue({ code: 'custom', message, path });
  const dims: number[] = [];
  const outline = outlineProblem(value, dims, options);
  if (outline) {
    issue(outline);
    return;
  }
  let count = 0;
  const walk = (node: unknown, depth: number, path: Array<string | number>): void => {
    if (count >= MAX_TENSOR_ISSUES) return;
    if (depth === dims.length) {
      if (typeof node !== 'number' || !Number.isFinite(node)) {
        count++;
        issue('must be a finite number', path);
      }
      return;
    }
    if (!Array.isArray(node) || node.length !== dims[depth]) {
      count++;
      issue(depth === 0 ? 'must be an array' : `rows must all have ${dims[depth]} elements`, path);
      return;
    }
    for (let i = 0; i < node.length && count < MAX_TENSOR_ISSUES; i++) walk(node[i], depth + 1, [...path, i]);
  };
  walk(value, 0, []);
}

/**
 * A numeric tensor request schema for ML inference, `{ input }`, with a shape check.
 * @example
 * aiShield({ routes: { 'POST /v1/predict': { validation: { schema: createTensorSchema({ shape: [null, 4] }) } } } })
 */
export function createTensorSchema(options: TensorSchemaOptions = {}) {
  const resolved = { maxElements: 4096, maxRank: 2, ...options };
  return z.object({
    input: z.custom<Tensor>().superRefine((value, ctx) => checkTensor(value, ctx, resolved)),
  });
}

/**
 * Numeric tensor request for ML inference: `{ input: number[] | number[][] }`, rectangular, finite, at
 * most 4,096 numbers. Use `createTensorSchema({ shape })` to declare the model's input shape.
 * @example
 * aiShield({ routes: { 'POST /v1/predict': { validation: { schema: tensorSchema } } } })
 */
export const tensorSchema = createTensorSchema();
