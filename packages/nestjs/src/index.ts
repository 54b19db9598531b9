/**
 * @ai-shield/nestjs: AI Shield for NestJS 11, on platform-express and platform-fastify.
 * `AiShieldModule.forRoot(options)` provides the shield; `AiShieldGuard` runs the request stages;
 * `AiShieldInterceptor` the response checks; `@Shield()`, `@ShieldSchema()`, `@SkipShield()` and
 * `@ShieldResult()` tune and read it. Translation only: the decisions come from `@ai-shield/core`.
 * @module
 */
export * from '@ai-shield/core';
export {
  AI_SHIELD,
  AI_SHIELD_OPTIONS,
  type AiShieldModuleOptions,
} from './ai-shield.constants.js';
export { AiShieldDashboardModule, type AiShieldDashboardModuleOptions } from './ai-shield.dashboard.js';
export {
  Shield,
  type ShieldOverrides,
  ShieldResult,
  ShieldSchema,
  SkipShield,
} from './ai-shield.decorators.js';
export { AiShieldException, AiShieldExceptionFilter } from './ai-shield.exception.js';
export { AiShieldGuard, type ShieldRequestResponse } from './ai-shield.guard.js';
export { AiShieldInterceptor } from './ai-shield.interceptor.js';
export { AiShieldModule, type AiShieldModuleAsyncOptions } from './ai-shield.module.js';
export type { HttpRequestLike, HttpResponseLike } from './http.js';
