/**
 * The conformance app as a Worker: shield options arrive as JSON in the `AI_SHIELD_OPTIONS` binding, with
 * the built-in schemas written as `{ "$schema": "chat" | "tensor" }` (zod schemas are not JSON). The app is
 * built on the first request, when the binding is readable.
 */
import { optionsFromJson } from '@ai-shield/conformance/runtime';
import { aiShield } from '@ai-shield/hono';
import type { ExecutionContext, Hono } from 'hono';
import { conformanceApp } from '../../../packages/hono/test/conformance-app.js';

let app: Hono | undefined;

export default {
  fetch(request: Request, env: { AI_SHIELD_OPTIONS: string }, ctx: ExecutionContext) {
    app ??= conformanceApp(aiShield(optionsFromJson(env.AI_SHIELD_OPTIONS)));
    return app.fetch(request, env, ctx);
  },
};
