import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { aiShield, aiShieldErrorHandler } from './index.js';

const servers: Array<{ close(): void }> = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

function start(app: Express): Promise<string> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      servers.push(server);
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

function app(logged: string[]) {
  const app = express();
  app.use(aiShield({ env: false, rate: { minIntervalMs: 0 } }));
  app.post('/v1/chat', () => {
    throw new Error(`model server failed at ${import.meta.filename}`);
  });
  app.post('/v1/async', async () => {
    await Promise.resolve();
    throw Object.assign(new Error('upstream said no'), { status: 422 });
  });
  app.get('/late', (_req, res, next) => {
    res.write('partial');
    next(new Error('broke mid-stream'));
  });
  app.use(aiShieldErrorHandler({ logger: { warn: () => {}, error: (message) => logged.push(message) } }));
  return app;
}

const chat = {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ messages: [{ role: 'user', content: 'hello there' }] }),
};

describe('aiShieldErrorHandler', () => {
  it('answers a thrown error with problem+json: status and request id, no stack or path', async () => {
    const logged: string[] = [];
    const url = await start(app(logged));
    const res = await fetch(`${url}/v1/chat`, chat);
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const text = await res.text();
    expect(text).not.toMatch(/at |\.ts|\/work|node_modules|model server failed/);
    const body = JSON.parse(text);
    expect(body).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      requestId: res.headers.get('x-request-id'),
    });
    expect(logged).toEqual([`request ${body.requestId} failed with 500`]);
  });

  it('keeps a 4xx status set on the error (async handlers too)', async () => {
    const url = await start(app([]));
    const res = await fetch(`${url}/v1/async`, chat);
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ title: 'Unprocessable Entity', status: 422 });
  });

  it('leaves a response that already started to Express (the connection is closed)', async () => {
    const url = await start(app([]));
    const failed = await fetch(`${url}/late`)
      .then((res) => res.text())
      .catch((error: Error) => error);
    expect(failed).toBeInstanceOf(Error);
  });
});
