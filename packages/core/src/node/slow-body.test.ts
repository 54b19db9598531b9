/**
 * Slow bodies (issue 13): a client that sends its headers and then trickles the body must get a 408
 * problem answer and lose its socket, instead of holding it for Node's 300 s `requestTimeout`. Real
 * sockets, real HTTP servers, for the Node reader and the Web reader.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createShield, isDenied, toProblem } from '../shield.js';
import type { ShieldRequest } from '../types.js';
import { awaitBody, bodyPace, readBodyText } from '../validation/read-body.js';
import { bodyLimits, toShieldRequestFromNode } from './node-request.js';

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

/**
 * Sends the headers of a 100-byte JSON body, then one byte every `everyMs` until the server answers;
 * resolves with the response text and whether the server closed the connection.
 */
function trickle(
  port: number,
  everyMs: number,
): Promise<{ response: string; closedByServer: boolean; sentWhenAnswered: number }> {
  return new Promise((resolve, reject) => {
    let sentWhenAnswered = -1;
    const socket = connect(port, '127.0.0.1');
    let response = '';
    let sent = 0;
    const timer = setInterval(() => {
      if (sent++ < 99 && socket.writable) socket.write('a');
    }, everyMs);
    socket.on('connect', () => {
      socket.write(
        'POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
      );
    });
    socket.on('data', (chunk) => {
      if (sentWhenAnswered < 0) sentWhenAnswered = sent;
      response += chunk.toString();
    });
    socket.on('error', () => {}); // a reset after the server closed is expected
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ response, closedByServer: response.length > 0, sentWhenAnswered });
    });
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer after 15 s (${response.length} bytes read)`));
    }, 15_000);
  });
}

const shieldOptions = {
  env: false as const,
  logger: { warn: () => {}, error: () => {} },
  rate: { minIntervalMs: 0 },
};

async function answer(
  shield: ReturnType<typeof createShield>,
  request: ShieldRequest,
  res: ServerResponse,
): Promise<void> {
  const decision = await shield.protect(request);
  for (const [name, value] of Object.entries(decision.headers)) res.setHeader(name, value);
  if (isDenied(decision)) {
    const body = JSON.stringify(toProblem(decision));
    res.writeHead(decision.status, {
      'content-type': 'application/problem+json',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  } else {
    res.writeHead(200).end('{}');
  }
}

describe('slow bodies over a real socket', () => {
  it('Node reader: 408 with a problem body after bodyTimeoutMs, and the socket is closed', async () => {
    const shield = createShield({ ...shieldOptions, validation: { bodyTimeoutMs: 600 } });
    const port = await listen(async (req, res) => {
      const request = await toShieldRequestFromNode(req, {
        path: '/v1/chat',
        ...bodyLimits(shield.options.validation),
      });
      await answer(shield, request, res);
    });
    const { response, closedByServer, sentWhenAnswered } = await trickle(port, 100);
    expect(response).toMatch(/^HTTP\/1\.1 408 /);
    expect(response.toLowerCase()).toContain('connection: close');
    const problem = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
    expect(problem).toMatchObject({ status: 408, code: 'ERR_VALIDATION_BODY_TIMEOUT' });
    expect(closedByServer).toBe(true);
    // Answered while most of the body was still to come (the trickle takes 10 s to finish).
    expect(sentWhenAnswered).toBeLessThan(50);
  });

  it('Node reader: a body below the minimum rate is refused after the grace', async () => {
    const port = await listen(async (req, res) => {
      const request = await toShieldRequestFromNode(req, {
        path: '/v1/chat',
        maxBodyBytes: 1000,
        timeouts: { timeoutMs: 0, minBytesPerSec: 50, graceMs: 300 },
      });
      expect(request.bodyTimedOut).toBe('too_slow');
      await answer(createShield(shieldOptions), request, res);
    });
    const { response } = await trickle(port, 100);
    expect(response).toMatch(/^HTTP\/1\.1 408 /);
    expect(response).toContain('slower than 1024 bytes/s');
  });

  it('Web reader: a trickled ReadableStream is cancelled with the reason', async () => {
    const port = await listen(async (req, res) => {
      const web = Readable.toWeb(req) as ReadableStream<Uint8Array>;
      const read = await readBodyText(web, 1000, { timeoutMs: 500, minBytesPerSec: 0 });
      expect(read).toMatchObject({ text: '', truncated: false, timedOut: 'timeout' });
      await answer(
        createShield(shieldOptions),
        { method: 'POST', path: '/v1/chat', headers: {}, bodyTimedOut: read.timedOut! },
        res,
      );
    });
    const { response, closedByServer } = await trickle(port, 100);
    expect(response).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedByServer).toBe(true);
  });

  it('a body that arrives in time is read as before', async () => {
    const stream = Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]);
    expect(await readBodyText(stream, 100, { timeoutMs: 1000, minBytesPerSec: 1 })).toEqual({
      text: '{"a":1}',
      size: 7,
      truncated: false,
    });
  });
});

describe('body pace', () => {
  it('times out, then judges the average rate after the grace', () => {
    const limits = { timeoutMs: 30_000, minBytesPerSec: 1024 };
    expect(bodyPace(limits, 4_999, 0)).toBeUndefined();
    expect(bodyPace(limits, 6_000, 1023)).toBe('too_slow');
    expect(bodyPace(limits, 6_000, 1024)).toBeUndefined();
    expect(bodyPace(limits, 30_000, 10_000_000)).toBe('timeout');
    expect(bodyPace({ timeoutMs: 0, minBytesPerSec: 0 }, 1e9, 0)).toBeUndefined();
  });

  it('awaitBody turns a declared length into a deadline', async () => {
    const never = new Promise<string>(() => {});
    expect(await awaitBody(never, { timeoutMs: 50, minBytesPerSec: 0 }, 10)).toEqual({ timedOut: 'timeout' });
    expect(await awaitBody(never, { timeoutMs: 10_000, minBytesPerSec: 1000, graceMs: 10 }, 20)).toEqual({
      timedOut: 'too_slow',
    });
    expect(await awaitBody(Promise.resolve('x'), { timeoutMs: 50, minBytesPerSec: 10 }, 10)).toBe('x');
  });
});
