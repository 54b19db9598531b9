/**
 * The parts of the conformance kit a server under test needs, without the suite (which imports vitest):
 * the framework-free handlers, and shield options as JSON for servers in another process or runtime
 * (workerd, Bun, Deno), with the built-in zod schemas written as `{ "$schema": "chat" | "tensor" }`.
 * @module
 */
import { chatSchema, type ShieldOptions, tensorSchema } from '@ai-shield/core';

export { chatReply, chatStreamEvents, predictReply, wantsStream } from './app.js';

const SCHEMAS: Record<string, unknown> = { chat: chatSchema, tensor: tensorSchema };

/** Options as JSON; the built-in schemas travel by name, functions cannot travel at all. */
export function optionsToJson(options: ShieldOptions): string {
  return JSON.stringify(options, (_key, value) => {
    if (value === chatSchema) return { $schema: 'chat' };
    if (value === tensorSchema) return { $schema: 'tensor' };
    if (typeof value === 'function') throw new Error('Function options cannot cross into another process');
    return value;
  });
}

/** The inverse of `optionsToJson`. */
export function optionsFromJson(text: string): ShieldOptions {
  return JSON.parse(text, (_key, value) =>
    value && typeof value === 'object' && typeof value.$schema === 'string' ? SCHEMAS[value.$schema] : value,
  ) as ShieldOptions;
}
