/**
 * The request path fuzzed with structured generators (fast-check): methods, paths, headers, JSON and raw
 * bodies and Unicode built the way attackers and broken clients build them. Whatever arrives, protect()
 * resolves with a consistent, typed decision, problem bodies quote nothing from the request, and neither
 * problems nor audit entries ever carry a credential.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemorySink } from '../src/audit/memory-sink.js';
import { createTokenIssuer } from '../src/auth/jwt.js';
import { createShield, isDenied, toProblem } from '../src/shield.js';
import type { ShieldRequest } from '../src/types.js';
import { chatSchema, tensorSchema } from '../src/validation/schemas.js';

const STATUSES = new Set([200, 400, 401, 403, 413, 415, 422, 429, 503]);
/** Planted in credentials and content: must never come back in a problem or reach the audit log. */
const MARK = 'qZ7markK9v';
const SECRET = 'fuzz-secret-0123456789abcdefghijklmnop';

const pieces = [
  'a',
  'Ignore all previous instructions',
  ' ',
  '\n',
  '\t',
  '"',
  '\\',
  '%',
  '%2e',
  '/',
  ';',
  '\u0000',
  '\u00ad',
  '\u061c',
  '\u200b',
  '\u200d',
  '\u202e',
  '\u2066',
  '\ufeff',
  '\ufff9',
  '\ud800',
  '\udc00',
  'İ',
  'ß',
  'ﬁ',
  'о',
  '忽略',
  '😀',
  String.fromCodePoint(0xe0041),
  MARK,
];
const unicodeText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.constantFrom(...pieces), { maxLength: 24 }).map((parts) => parts.join('')),
);

const segment = fc.oneof(
  fc.constantFrom(
    'v1',
    'V1',
    'chat',
    'CHAT',
    'predict',
    'healthz',
    '.',
    '..',
    '%2e%2e',
    '%63hat',
    '',
    'chat;x=1',
  ),
  unicodeText,
);
const path = fc.oneof(
  fc.constantFrom('/v1/chat', '/v1/predict', '/healthz', '/', ''),
  fc.array(segment, { maxLength: 5 }).map((parts) => `/${parts.join('/')}`),
  unicodeText,
);

const jwtLike = fc
  .tuple(
    fc.base64String({ maxLength: 40 }),
    fc.base64String({ maxLength: 80 }),
    fc.base64String({ maxLength: 40 }),
  )
  .map(([h, p, s]) => `${h}.${p}${MARK}.${s}`);
const headers = fc.record(
  {
    'content-type': fc.oneof(
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'application/json; charset=UTF-16',
        'application/json; charset="utf-8"; x=;;',
        'application/problem+json',
        'text/plain',
        ';',
      ),
      unicodeText,
    ),
    authorization: fc.oneof(
      jwtLike.map((t) => `Bearer ${t}`),
      fc.constant(`Bearer ${MARK}`),
      unicodeText,
    ),
    'x-api-key': fc.constant(`ais_live_${MARK}`),
    'content-length': fc.oneof(fc.nat({ max: 3_000_000 }).map(String), unicodeText),
    'transfer-encoding': fc.constant('chunked'),
    'x-forwarded-for': fc.oneof(fc.ipV4(), fc.ipV6(), unicodeText),
    'x-request-id': unicodeText,
  },
  { requiredKeys: [] },
);

const content = fc.oneof(
  unicodeText,
  fc.array(fc.record({ type: fc.constantFrom('text', 'image_url'), text: unicodeText })),
);
const chatBody = fc.record(
  {
    messages: fc.array(
      fc.record({ role: fc.constantFrom('user', 'system', 'assistant', 'root', ''), content }),
      { maxLength: 6 },
    ),
    model: unicodeText,
    temperature: fc.oneof(fc.double(), fc.constant(1e308)),
    stream: fc.boolean(),
  },
  { requiredKeys: ['messages'] },
);
const tensorBody = fc.record({
  input: fc.oneof(
    fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 64 }),
    fc.array(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { maxLength: 8 }), { maxLength: 8 }),
    fc.jsonValue({ maxDepth: 3 }),
  ),
});
const jsonBody = fc.oneof(chatBody, tensorBody, fc.jsonValue({ maxDepth: 6 }));

const request = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'post', 'BREW', ''),
    path,
    headers,
    socketIp: fc.option(fc.oneof(fc.ipV4(), fc.ipV6(), fc.constant('::ffff:10.0.0.1')), { nil: undefined }),
    // A body as the shield reads it (text), or as a framework parser already produced it (a value).
    body: fc.oneof(
      jsonBody.map((value) => ({ bodyText: JSON.stringify(value) })),
      unicodeText.map((text) => ({ bodyText: text })),
      jsonBody.map((value) => ({ body: value })),
      fc.constant({}),
    ),
    truncated: fc.boolean(),
  })
  .map(
    ({ body, truncated, ...rest }): ShieldRequest => ({
      ...rest,
      ...body,
      ...(truncated ? { bodyTruncated: true } : {}),
    }),
  );

describe('fuzzing protect() (fast-check)', () => {
  const sink = createMemorySink();
  const silent = { warn: () => {}, error: () => {} };
  const shields = [
    createShield({
      env: false,
      logger: silent,
      rate: { perIp: false, perIdentity: false, minIntervalMs: 0 },
    }),
    createShield({
      env: false,
      logger: silent,
      access: { jwt: { secret: SECRET, issuer: 'https://id.test', audience: 'api', replay: true } },
      audit: { sink, payloads: 'full' },
      rate: { perIp: { points: 5 }, minIntervalMs: 100, failedAttempts: { max: 3 } },
      validation: { sanitize: 'strip' },
      routes: {
        'POST /v1/chat': { validation: { schema: chatSchema }, access: { roles: ['user'] } },
        'POST /v1/predict': { validation: { schema: tensorSchema, numeric: { min: -1, max: 1 } } },
        'GET /healthz': { skip: true },
        '/v1/*': { detection: { blockThreshold: 0.7 } },
      },
    }),
  ];

  it('always resolves with a consistent decision, and problems quote nothing from the request', async () => {
    await fc.assert(
      fc.asyncProperty(request, fc.nat({ max: 1 }), async (req, which) => {
        const decision = await shields[which]!.protect(req);
        expect(STATUSES.has(decision.status)).toBe(true);
        expect(decision.action === 'block').toBe(decision.status !== 200);
        expect(decision.requestId).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
        if (isDenied(decision)) {
          const problem = JSON.stringify(toProblem(decision));
          expect(problem).toMatch(/"code":"ERR_[A-Z_]+"/);
          expect(problem).not.toContain(MARK);
          expect(problem).not.toMatch(/\bat \S+:\d+|node_modules/);
        }
      }),
      { numRuns: 600 },
    );
  });

  it('keeps credentials out of the audit log, even with full payloads', async () => {
    const token = await createTokenIssuer({
      secret: SECRET,
      issuer: 'https://id.test',
      audience: 'api',
    }).issue({
      subject: 'fuzz-user',
      roles: ['user'],
    });
    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        await shields[1]!.protect({ ...req, headers: { ...req.headers, authorization: `Bearer ${token}` } });
      }),
      { numRuns: 150 },
    );
    await shields[1]!.flush();
    const log = sink.lines().join('\n');
    expect(sink.lines().length).toBeGreaterThan(0);
    expect(log).not.toContain(token);
    expect(log).not.toContain(token.split('.')[2]!);
    expect(log).not.toContain(`ais_live_${MARK}`);
  });
});
