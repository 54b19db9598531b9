/**
 * `AiShieldGuard`: the request side. Translates the request, runs `shield.protect`, sends the decision's
 * headers and refuses denied requests with `AiShieldException` (a problem+json body).
 * @module
 */
import type { Decision, Policy, Shield } from '@ai-shield/core';
import { isDenied } from '@ai-shield/core';
import {
  BadRequestException,
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  AI_SHIELD,
  REQUEST_POLICY,
  SHIELD_OVERRIDES,
  SHIELD_SCHEMA,
  SKIP_SHIELD,
} from './ai-shield.constants.js';
import { AiShieldException } from './ai-shield.exception.js';
import {
  dropDeferredParsers,
  type HttpRequestLike,
  type HttpResponseLike,
  nodeRequestOf,
  onResponseClosed,
  setHeaders,
  toShieldRequest,
} from './http.js';

/** What `getRequestResponse` returns: the platform request, and the response when there is one. */
export interface ShieldRequestResponse {
  req: HttpRequestLike;
  /** Absent in GraphQL resolvers: headers are then not sent (nestjs/throttler#1437). */
  res?: HttpResponseLike;
}

type Overrides = Record<string, unknown>;

const isPlainObject = (value: unknown): value is Overrides =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

function mergeOverrides(base: Overrides, over: Overrides): Overrides {
  const out: Overrides = { ...base };
  for (const [key, value] of Object.entries(over)) {
    out[key] = isPlainObject(value) && isPlainObject(out[key]) ? mergeOverrides(out[key], value) : value;
  }
  return out;
}

/**
 * Runs the shield's request stages (access, rate, validation, detection) before the handler. Register it
 * globally with `{ provide: APP_GUARD, useClass: AiShieldGuard }` or per controller with
 * `@UseGuards(AiShieldGuard)`; both need `AiShieldModule` imported. Guarding a request twice is harmless.
 *
 * Contexts: `http` is protected. `ws` and `rpc` are let through unchecked (fail open, like arcjet-nest:
 * no HTTP request to translate); GraphQL too unless you override `getRequestResponse`.
 * @example
 * providers: [{ provide: APP_GUARD, useClass: AiShieldGuard }]
 */
@Injectable()
export class AiShieldGuard implements CanActivate {
  private readonly policies = new WeakMap<object, Map<object, Policy | null>>();

  constructor(
    @Inject(AI_SHIELD) protected readonly shield: Shield,
    @Inject(Reflector) protected readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(SKIP_SHIELD, targets)) return true;
    const pair = this.getRequestResponse(context);
    if (!pair?.req) return true;
    const { req, res } = pair;
    // Already guarded (APP_GUARD plus @UseGuards): budgets must not be spent twice.
    if (req.aiShield) return true;

    const policy = this.policyFor(context);
    let request: Awaited<ReturnType<typeof toShieldRequest>>;
    try {
      request = await toShieldRequest(req, await this.getTracker(req), this.shield.options, policy);
    } catch {
      // The client went away mid-body or the stream broke: there is no one to answer.
      throw new BadRequestException();
    }
    // Read here (or parsed before us): Nest's held-back parsers have nothing left to do.
    dropDeferredParsers(req);
    const decision = await this.shield.protect(request, policy ? { policy } : {});
    if (res) setHeaders(res, decision.headers);
    if (isDenied(decision)) throw AiShieldException.fromDecision(decision);
    this.attach(req, decision, policy);
    // The in-flight slot and the token reservation end with the response: finished, failed or abandoned.
    if (decision.lease || decision.budget) onResponseClosed(res, () => void this.shield.finish(decision));
    return true;
  }

  /**
   * The request (and response) to protect, or `undefined` to let the call through unchecked. Override for
   * GraphQL: `const { req, res } = GqlExecutionContext.create(context).getContext(); return { req, res };`.
   */
  protected getRequestResponse(context: ExecutionContext): ShieldRequestResponse | undefined {
    if (context.getType() !== 'http') return undefined;
    const http = context.switchToHttp();
    return { req: http.getRequest<HttpRequestLike>(), res: http.getResponse<HttpResponseLike>() };
  }

  /**
   * The TCP peer address the client IP is derived from (through the `trustProxy` option). Override to
   * take it from elsewhere, e.g. a ws handshake.
   */
  protected getTracker(req: HttpRequestLike): string | undefined | Promise<string | undefined> {
    return nodeRequestOf(req).socket?.remoteAddress ?? req.socket?.remoteAddress;
  }

  private attach(req: HttpRequestLike, decision: Decision, policy: Policy | undefined): void {
    req.aiShield = decision;
    if (policy) req[REQUEST_POLICY] = policy;
    // Only when the shield read the stream: the handler would otherwise see no body at all.
    if (req.body === undefined && decision.body !== undefined) req.body = decision.body;
  }

  /** The handler's compiled policy (`@Shield`, `@ShieldSchema`), or `undefined` for the route table. */
  private policyFor(context: ExecutionContext): Policy | undefined {
    const controller = context.getClass();
    const handler = context.getHandler();
    let byHandler = this.policies.get(controller);
    if (!byHandler) this.policies.set(controller, (byHandler = new Map()));
    const cached = byHandler.get(handler);
    if (cached !== undefined) return cached ?? undefined;

    const classOverrides = this.reflector.get<Overrides | undefined>(SHIELD_OVERRIDES, controller);
    const handlerOverrides = this.reflector.get<Overrides | undefined>(SHIELD_OVERRIDES, handler);
    const schema = this.reflector.getAllAndOverride<unknown>(SHIELD_SCHEMA, [handler, controller]);
    let policy: Policy | null = null;
    if (classOverrides || handlerOverrides || schema !== undefined) {
      let overrides = mergeOverrides(classOverrides ?? {}, handlerOverrides ?? {});
      if (schema !== undefined) overrides = mergeOverrides(overrides, { validation: { schema } });
      policy = this.shield.policy(overrides, `${controller.name}.${handler.name}`);
    }
    byHandler.set(handler, policy);
    return policy ?? undefined;
  }
}
