import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalPath, createRouteTable, routeKeyIssues } from './routes.js';

const table = createRouteTable<string>([
  ['POST /v1/chat', 'chat'],
  ['POST /v1/admin', 'admin'],
  ['GET /healthz', 'health'],
  ['/internal/*', 'internal'],
  ['/v1/*', 'v1'],
]);

describe('route table', () => {
  it('matches the literal path exactly', () => {
    expect(table.match('POST', '/v1/chat')).toEqual({ key: 'POST /v1/chat', value: 'chat', exact: true });
    expect(table.match('GET', '/v1/chat')).toMatchObject({ key: '/v1/*', exact: true });
    expect(table.match('GET', '/other')).toBeUndefined();
  });

  it.each([
    '/V1/CHAT',
    '/v1/Chat',
    '/v1/chat/',
    '/v1//chat',
    '//v1/chat',
    '/v1/chat//',
    '/v1/%63hat',
    '/v1/%63%68%61%74',
    '/v1%2Fchat',
    '/v1/./chat',
    '/v1/x/../chat',
    '/v1/%2e/chat',
    '/v1/x/%2E%2E/chat',
    '/v1/chat;x=1',
    '/v1;x/chat',
    '/v1\\chat',
    '/v1/ch\tat',
  ])('gives %s the policy of POST /v1/chat (a variant)', (path) => {
    expect(table.match('POST', path)).toMatchObject({ key: 'POST /v1/chat', exact: false });
  });

  it('answers HEAD with the GET route, as every framework dispatches it', () => {
    expect(table.match('HEAD', '/healthz')).toMatchObject({ key: 'GET /healthz', exact: true });
    expect(table.match('head', '/HEALTHZ')).toMatchObject({ key: 'GET /healthz', exact: false });
  });

  it('matches prefixes by whole segments, exact only when the prefix is spelled as written', () => {
    expect(table.match('GET', '/internal')).toMatchObject({ key: '/internal/*' });
    expect(table.match('GET', '/internal/Report.PDF')).toMatchObject({ key: '/internal/*', exact: true });
    expect(table.match('GET', '/internals')).toBeUndefined();
    expect(table.match('GET', '/INTERNAL/x')).toMatchObject({ key: '/internal/*', exact: false });
    expect(table.match('GET', '/internal/x/../y')).toMatchObject({ key: '/internal/*', exact: false });
    expect(table.match('GET', '/internal/%2e%2e/internal/y')).toMatchObject({ exact: false });
    // Dot segments leave the prefix: the path is looked up where it lands.
    expect(table.match('POST', '/internal/../v1/chat')).toMatchObject({ key: 'POST /v1/chat', exact: false });
  });

  it('prefers an exact route over a prefix for a variant spelling', () => {
    // '/v1/*' is spelled literally here, but Express sends /v1/CHAT to the chat handler.
    expect(table.match('POST', '/v1/CHAT')).toMatchObject({ key: 'POST /v1/chat' });
  });

  it('reports a conflict when reading ";" as a delimiter selects another route', () => {
    expect(table.match('POST', '/v1/chat;/../admin')).toMatchObject({
      key: 'POST /v1/admin',
      conflict: 'POST /v1/chat',
    });
    const bare = createRouteTable<string>([['POST /v1/chat', 'chat']]);
    expect(bare.match('POST', '/v1/chat;/../other')).toMatchObject({
      key: 'POST /v1/chat',
      conflict: '(no route)',
    });
    expect(bare.match('POST', '/v1/chat;v=1')).not.toHaveProperty('conflict');
  });

  it('refuses keys that name the same route once canonical', () => {
    expect(routeKeyIssues(['POST /v1/chat', 'POST /V1/Chat/'])).toEqual([
      expect.stringMatching(
        /^routes\["POST \/V1\/Chat\/"\]: names the same route as routes\["POST \/v1\/chat"\]/,
      ),
    ]);
    expect(routeKeyIssues(['POST /v1/chat', 'GET /v1/chat', '/v1/chat', '/v1/*', '/v1*'])).toEqual([]);
  });
});

describe('canonicalPath', () => {
  it('normalises the way the most lenient router would', () => {
    expect(canonicalPath('/')).toBe('/');
    expect(canonicalPath('')).toBe('/');
    expect(canonicalPath('/V1//x/../%63hat;v=1/')).toBe('/v1/chat');
    expect(canonicalPath('/a/../../b')).toBe('/b');
    expect(canonicalPath('/%zz/%C3%A9/%ff')).toBe('/%zz/é/\uFFFD');
    expect(canonicalPath('/Straße/ΣΊΣΥΦΟΣ')).toBe(canonicalPath('/STRASSE/σίσυφος'));
    expect(canonicalPath('/v1/chat;x', true)).toBe('/v1/chat');
  });

  const segment = fc.stringMatching(/^[a-z0-9_-]{1,8}$/);
  const cleanPath = fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => `/${parts.join('/')}`);
  const encode = (ch: string) => `%${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;

  /** Every spelling some router dispatches to the same handler as `path` (or a stricter reading). */
  const variant = (path: string) =>
    fc
      .array(fc.constantFrom('upper', 'slash', 'double', 'encode', 'dot', 'dotdot', 'matrix', 'backslash'), {
        maxLength: 6,
      })
      .chain((ops) =>
        fc.tuple(fc.constant(ops), fc.array(fc.nat(), { minLength: ops.length, maxLength: ops.length })),
      )
      .map(([ops, picks]) => {
        let out = path;
        for (const [k, op] of ops.entries()) {
          const parts = out.split('/');
          const at = 1 + (picks[k]! % Math.max(1, parts.length - 1));
          const seg = parts[at] ?? '';
          if (op === 'upper') parts[at] = seg.toUpperCase();
          if (op === 'slash') {
            out = `${out}/`;
            continue;
          }
          if (op === 'double') parts[at] = `/${seg}`;
          if (op === 'encode' && /^[a-z0-9_-]/i.test(seg)) parts[at] = encode(seg[0]!) + seg.slice(1);
          if (op === 'dot') parts[at] = `./${seg}`;
          if (op === 'dotdot') parts[at] = `zz/../${seg}`;
          if (op === 'matrix' && !seg.includes(';')) parts[at] = `${seg};k=v`;
          if (op === 'backslash' && at > 1) {
            parts[at - 1] = `${parts[at - 1]}\\${seg}`;
            parts.splice(at, 1);
          }
          out = parts.join('/');
        }
        return out;
      });

  it('is idempotent (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (raw) => {
        const once = canonicalPath(`/${raw}`);
        expect(canonicalPath(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('maps every variant spelling of a route to the route (fast-check)', () => {
    fc.assert(
      fc.property(
        cleanPath.chain((path) => fc.tuple(fc.constant(path), variant(path))),
        ([path, spelled]) => {
          const routes = createRouteTable<string>([[`POST ${path}`, 'route']]);
          expect(routes.match('POST', spelled)).toMatchObject({ key: `POST ${path}` });
          expect(routes.match('POST', spelled)?.exact).toBe(spelled === path);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('matches whatever the WHATWG URL parser plus decodeURI (Hono) and a case-insensitive, trailing-slash-tolerant router (Express) match (fast-check)', () => {
    const routePath = '/v1/chat';
    const routes = createRouteTable<string>([[`POST ${routePath}`, 'chat']]);
    const express = new RegExp(`^${routePath}/?$`, 'i');
    const chars = fc.constantFrom(...'/v1chatCHAT.%2e;\\x-'.split(''), '%63', '%2F', '%2e%2e', '//');
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 14 }).map((parts) => `/${parts.join('')}`),
        (path) => {
          let hono: string | undefined;
          try {
            hono = decodeURI(new URL(path, 'http://h').pathname);
          } catch {
            hono = undefined;
          }
          if (hono === routePath || express.test(path)) {
            expect(routes.match('POST', path)).toMatchObject({ key: `POST ${routePath}` });
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
