/**
 * `AiShieldInterceptor`: the response side. Handler results go through `shield.checkResponse` (PII
 * masking, leak detection, error sanitization); text `StreamableFile`s through the core's stream filter;
 * `@Sse()` events one by one. Before that, it runs Nest's body parsers for requests the guard did not read.
 * @module
 */
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Decision, Finding, Policy, Shield } from '@ai-shield/core';
import { streamKindOf } from '@ai-shield/core';
import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  Inject,
  Injectable,
  type MessageEvent,
  type NestInterceptor,
  StreamableFile,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { catchError, from, map, mergeMap, type Observable, throwError } from 'rxjs';
import { AI_SHIELD, REQUEST_POLICY } from './ai-shield.constants.js';
import { AiShieldException } from './ai-shield.exception.js';
import {
  type HttpRequestLike,
  type HttpResponseLike,
  hasDeferredParsers,
  runDeferredParsers,
} from './http.js';

// @nestjs/common's HTTP_CODE_METADATA and SSE_METADATA (constants.js, not re-exported from its root).
const HTTP_CODE_METADATA = '__httpCode__';
const SSE_METADATA = '__sse__';

interface Checked {
  decision: Decision;
  policy: Policy | undefined;
  status: number;
}

/**
 * Runs the response checks on what protected handlers return. `AiShieldModule` installs it globally;
 * it only acts on requests `AiShieldGuard` let through. On Express it first runs Nest's body parsers
 * for the requests the guard did not read (`@SkipShield()`, unguarded controllers), so their handlers
 * get the body Nest parsed.
 *
 * - Objects and strings: checked, masked, or withheld (502 problem+json).
 * - `StreamableFile` of `text/event-stream` or `text/*`: filtered chunk by chunk (entities split across
 *   chunks are caught); other `StreamableFile`s and Buffers pass through untouched (nestjs/nest#7909).
 * - `@Sse()` observables: each event's `data` is checked on its own.
 * - `HttpException` bodies: error sanitization applies to them as to any body with status >= 400.
 * - Handlers using `@Res()` without `passthrough` bypass interceptors (nestjs/nest#174): no output checks.
 */
@Injectable()
export class AiShieldInterceptor implements NestInterceptor {
  constructor(
    @Inject(AI_SHIELD) protected readonly shield: Shield,
    @Inject(Reflector) protected readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<HttpRequestLike | undefined>();
    if (req && hasDeferredParsers(req)) {
      const res = http.getResponse<HttpResponseLike>();
      return from(runDeferredParsers(req, res)).pipe(mergeMap(() => this.checked(context, next, req)));
    }
    return this.checked(context, next, req);
  }

  private checked(
    context: ExecutionContext,
    next: CallHandler,
    req: HttpRequestLike | undefined,
  ): Observable<unknown> {
    const http = context.switchToHttp();
    const decision = req?.aiShield;
    if (!req || !decision) return next.handle();
    const policy = req[REQUEST_POLICY] as Policy | undefined;
    if (!(policy ?? this.shield).options.output.enabled && !decision.budget) return next.handle();

    const handler = context.getHandler();
    const res = http.getResponse<HttpResponseLike | undefined>();
    const status =
      this.reflector.get<number | undefined>(HTTP_CODE_METADATA, handler) ?? res?.statusCode ?? 200;
    const state: Checked = { decision, policy, status };
    const sse = this.reflector.get<boolean | undefined>(SSE_METADATA, handler) === true;
    return next.handle().pipe(
      map((value) => (sse ? this.checkEvent(value as MessageEvent, state) : this.checkBody(value, state))),
      catchError((error: unknown) => throwError(() => this.checkError(error, state))),
    );
  }

  private record(decision: Decision, findings: Finding[]): void {
    if (findings.length > 0) decision.findings.push(...findings);
  }

  private check(body: unknown, state: Checked, status = state.status, event = false) {
    // One event of an @Sse() stream: its tokens are counted, the reservation settled when the response ends.
    const headers = event ? { 'content-type': 'text/event-stream' } : undefined;
    const result = this.shield.checkResponse(
      { status, body, ...(headers ? { headers } : {}) },
      state.decision,
      state.policy,
    );
    this.record(state.decision, result.findings);
    if (result.action === 'block' && state.decision.mode === 'enforce') {
      throw AiShieldException.fromResponseCheck(result, state.decision.requestId);
    }
    return result;
  }

  private checkBody(value: unknown, state: Checked): unknown {
    if (value === undefined || value === null) return value;
    if (value instanceof StreamableFile) return this.checkStream(value, state);
    if (Buffer.isBuffer(value) || value instanceof Uint8Array || value instanceof Readable) return value;
    const result = this.check(value, state);
    return result.modified ? result.body : value;
  }

  private checkEvent(event: MessageEvent, state: Checked): MessageEvent {
    if (event === null || typeof event !== 'object' || event.data === undefined) return event;
    const result = this.check(event.data, state, 200, true);
    return result.modified ? { ...event, data: result.body as MessageEvent['data'] } : event;
  }

  private checkError(error: unknown, state: Checked): unknown {
    if (!(error instanceof HttpException) || error instanceof AiShieldException) return error;
    try {
      const result = this.check(error.getResponse(), state, error.getStatus());
      return result.modified
        ? new HttpException(result.body as object, error.getStatus(), { cause: error })
        : error;
    } catch (withheld) {
      return withheld;
    }
  }

  /** Text streams go through the core's incremental filter; anything else passes through untouched. */
  private checkStream(file: StreamableFile, state: Checked): StreamableFile {
    const { type, disposition } = file.getHeaders();
    const kind = streamKindOf(type);
    if (!kind) return file;
    const filter = this.shield.createResponseStream(
      kind,
      state.decision,
      { onEnd: (summary) => this.record(state.decision, summary.findings) },
      state.policy,
    );
    const source = file.getStream();
    const writer = filter.writable.getWriter();
    void (async () => {
      for await (const chunk of source) {
        await writer.write(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array));
      }
      await writer.close();
    })().catch((error: unknown) => writer.abort(error).catch(() => undefined));
    const filtered = Readable.fromWeb(filter.readable as NodeReadableStream<Uint8Array>);
    source.once('error', (error) => filtered.destroy(error));
    // The filtered length differs from anything announced before, so no length.
    return new StreamableFile(filtered, {
      ...(type ? { type } : {}),
      ...(disposition ? { disposition } : {}),
    });
  }
}
