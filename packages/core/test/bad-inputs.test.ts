/**
 * The Big List of Naughty Strings (data/bad-inputs) through the whole pipeline, as message
 * content and as the raw body: protect() always resolves with a typed decision, never throws or hangs.
 */
import { describe, expect, it } from 'vitest';
import { createShield, toProblem } from '../src/shield.js';
import { loadBlns } from './data.js';

const blns = loadBlns();
const STATUSES = new Set([200, 400, 401, 403, 413, 415, 422, 429, 503]);

describe('naughty strings through the pipeline', () => {
  const shield = createShield({ env: false, rate: { perIp: false, perIdentity: false, minIntervalMs: 0 } });

  it(`handles all ${blns.length} strings as chat content and as raw bodies`, async () => {
    for (const text of blns) {
      for (const bodyText of [JSON.stringify({ messages: [{ role: 'user', content: text }] }), text]) {
        const decision = await shield.protect({
          method: 'POST',
          path: '/v1/chat',
          headers: { 'content-type': 'application/json' },
          socketIp: '203.0.113.5',
          bodyText,
        });
        expect(STATUSES.has(decision.status)).toBe(true);
        if (decision.action === 'block') expect(toProblem(decision).code).toMatch(/^ERR_/);
      }
    }
    const check = shield.checkResponse({
      status: 200,
      body: { choices: [{ message: { content: blns.join('\n') } }] },
    });
    expect(['allow', 'flag', 'block']).toContain(check.action);
  });
});
