/**
 * Decorators: `@Shield(overrides)`, `@ShieldSchema(schema)` and `@SkipShield()` on controllers and
 * handlers, and the `@ShieldResult()` parameter decorator.
 * @module
 */
import type { Decision, RouteOverrides, Shield as ShieldInstance } from '@ai-shield/core';
import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { SHIELD_OVERRIDES, SHIELD_SCHEMA, SKIP_SHIELD } from './ai-shield.constants.js';
import type { HttpRequestLike } from './http.js';

/**
 * The shield service, as injected with `@Inject(AI_SHIELD)`. (Same name as the `@Shield()` decorator:
 * one is a type, the other a value.)
 */
export type Shield = ShieldInstance;

/** Per-handler or per-controller overrides of the module's options: any option at any depth, typed. */
export type ShieldOverrides = RouteOverrides;

/**
 * Overrides the module's options for a controller or a handler; handler overrides are merged over the
 * controller's. Compiled once per handler through `shield.policy(overrides)`, on its first request. A
 * handler with `@Shield()` or `@ShieldSchema()` uses this policy instead of a matching `routes` entry.
 * Without a `rate` override it shares the global budget.
 * @example
 * @Shield({ validation: { maxStringLength: 200_000 }, detection: { blockThreshold: 0.9 } })
 * @Post('summarize')
 * summarize(@Body() body: SummarizeDto) {}
 */
export function Shield(overrides: ShieldOverrides): ClassDecorator & MethodDecorator {
  return SetMetadata(SHIELD_OVERRIDES, overrides);
}

/**
 * Validates the body with a zod schema (422 with the failing paths), i.e. `validation.schema`.
 * On a controller it applies to every handler without a schema of its own.
 * @example
 * import { chatSchema } from '@ai-shield/nestjs';
 * @ShieldSchema(chatSchema)
 * @Post('v1/chat')
 * chat(@Body() body: ChatRequest) {}
 */
export function ShieldSchema(schema: unknown): ClassDecorator & MethodDecorator {
  return SetMetadata(SHIELD_SCHEMA, schema);
}

/**
 * Turns the shield off for a controller or a handler (`@SkipShield(false)` turns it back on for one
 * handler). Skipped requests get no decision, no headers and no response checks; their body is not read.
 * @example
 * @SkipShield()
 * @Get('healthz')
 * health() { return { status: 'ok' }; }
 */
export function SkipShield(skip = true): ClassDecorator & MethodDecorator {
  return SetMetadata(SKIP_SHIELD, skip);
}

/**
 * The decision for the current request (`undefined` on skipped routes), or one of its fields.
 * @example
 * @Post('v1/chat')
 * chat(@Body() body: ChatRequest, @ShieldResult() decision: Decision) {
 *   if (decision.action === 'flag') this.log.warn(decision.reasons);
 * }
 */
export const ShieldResult: (field?: keyof Decision) => ParameterDecorator = createParamDecorator(
  (field: keyof Decision | undefined, context: ExecutionContext) => {
    const decision = context.switchToHttp().getRequest<HttpRequestLike | undefined>()?.aiShield;
    return field ? decision?.[field] : decision;
  },
);
