/**
 * Child process for the SIGKILL test in audit-kill.test.ts: an HTTP app protected by the shield, writing
 * its audit log with the file sink's defaults. Prints its port on stdout, then serves until killed.
 * Usage: node --import tsx audit-kill.child.ts <dir> [acknowledge]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createShield, isDenied, toProblem } from '../shield.js';
import { createFileSink } from './file-sink.js';
import { bodyLimits, toShieldRequestFromNode } from './node-request.js';

const dir = process.argv[2]!;
const acknowledge = (process.argv[3] ?? 'refusals') as 'refusals' | 'none';
const shield = createShield({
  env: false,
  modelName: 'kill',
  trustProxy: true,
  logger: { warn: () => {}, error: () => {} },
  rate: { minIntervalMs: 0 },
  audit: { sink: createFileSink({ dir, model: 'kill' }), hmacKey: 'kill-test-key-0123456789', acknowledge },
});

const server = createServer(async (req, res) => {
  try {
    const request = await toShieldRequestFromNode(req, {
      path: '/v1/chat',
      ...bodyLimits(shield.options.validation),
    });
    const decision = await shield.protect(request);
    res.setHeader('x-request-id', decision.requestId);
    if (isDenied(decision)) {
      const body = JSON.stringify(toProblem(decision));
      res.writeHead(decision.status, { 'content-type': 'application/problem+json' });
      res.end(body);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  } catch {
    res.destroy();
  }
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
