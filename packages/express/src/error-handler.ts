/**
 * An Express error handler to mount last: whatever a handler throws, the client gets a problem+json body
 * with the status and the request id, never a stack trace or a file path (Express's default handler
 * sends the stack outside production).
 * @module
 */
import { STATUS_CODES } from 'node:http';
import type { ShieldLogger } from '@ai-shield/core';
import type { ErrorRequestHandler } from 'express';

export interface ErrorHandlerOptions {
  /** Where the error is logged (message and status, with the request id). Default: `console`. */
  logger?: ShieldLogger;
}

/** 4xx statuses that body parsers and `http-errors` put on their errors (400 malformed, 413, 415, ...). */
function clientStatus(error: unknown): number | undefined {
  const status =
    (error as { status?: unknown; statusCode?: unknown } | null)?.status ??
    (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 && STATUS_CODES[status]
    ? status
    : undefined;
}

/**
 * Answers errors thrown (or passed to `next(err)`) by handlers with `application/problem+json`:
 * `{ type: 'about:blank', title, status, requestId }`. A client error with a 4xx `status` (a body
 * parser's 400 or 413) keeps it; anything else is a 500. If the response has already started, the
 * error goes on to Express, which closes the connection.
 * @example
 * app.use(aiShield());
 * app.post('/v1/chat', handler);
 * app.use(aiShieldErrorHandler()); // after every route
 */
export function aiShieldErrorHandler(options: ErrorHandlerOptions = {}): ErrorRequestHandler {
  const logger = options.logger ?? console;
  return function aiShieldErrorHandler(error, req, res, next) {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status = clientStatus(error) ?? 500;
    const requestId = req.aiShield?.requestId;
    logger.error(`request ${requestId ?? '-'} failed with ${status}`, {
      message: error instanceof Error ? error.message : String(error),
      path: req.path,
    });
    res
      .status(status)
      .type('application/problem+json')
      .send(
        JSON.stringify({
          type: 'about:blank',
          title: STATUS_CODES[status],
          status,
          ...(requestId ? { requestId } : {}),
        }),
      );
  };
}
