/**
 * Reads a Node request body with a byte cap, a time limit and a minimum rate. Unlike iterating the
 * stream (which destroys the socket when the loop stops early), this stops listening and pauses, so the
 * adapter can still answer 413 or 408 (with `Connection: close`, which makes Node close the socket).
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { type BodyText, type BodyTimeouts, watchBodyPace } from '../validation/read-body.js';

/**
 * Reads `req` as UTF-8 up to `maxBytes`, within `limits` when given. Rejects only on a stream error (e.g.
 * the client aborted).
 * @example
 * const { text, size, truncated, timedOut } = await readNodeBody(req, 1_000_000, DEFAULT_BODY_TIMEOUTS);
 */
export function readNodeBody(
  req: IncomingMessage,
  maxBytes: number,
  limits?: BodyTimeouts,
): Promise<BodyText> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const pace = limits
      ? watchBodyPace(
          limits,
          () => size,
          (reason) => {
            cleanup();
            req.pause();
            resolve({ text: '', size, truncated: false, timedOut: reason });
          },
        )
      : undefined;
    const cleanup = () => {
      pace?.stop();
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        req.pause();
        resolve({ text: '', size, truncated: true });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve({ text: Buffer.concat(chunks, size).toString('utf8'), size, truncated: false });
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onAborted = () => onError(new Error('request aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
