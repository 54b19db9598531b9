import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadBlns } from '../../test/data.js';
import { createResponseChecker } from './checker.js';
import { maskPii } from './mask.js';
import { scanPii } from './pii.js';

const blns = loadBlns();

function assertWellFormed(text: string) {
  const { entities } = scanPii(text);
  let last = 0;
  for (const e of entities) {
    expect(e.start).toBeGreaterThanOrEqual(last);
    expect(e.end).toBeGreaterThan(e.start);
    expect(e.end).toBeLessThanOrEqual(text.length);
    expect(e.confidence).toBeGreaterThan(0);
    last = e.end;
  }
}

// Fragments that build PII, near misses and separators, so random texts hit the interesting paths.
const FRAGMENTS = [
  'jane.doe@example.com',
  '@',
  '.',
  ' ',
  '-',
  '+1 ',
  '(415) ',
  '555-2671',
  '4242 ',
  '4242',
  '4111111111111111',
  'DE89 3704 0044 0532 0130 00',
  '123-45-6789',
  '10.0.0.1',
  '2001:db8::1',
  '::',
  'v1.2.3.4',
  'sk-proj-',
  'AKIAIOSFODNN7EXAMPLE',
  'eyJhbGciOiJIUzI1NiJ9',
  '.eyJzdWIiOiIxIn0.',
  '-----BEGIN PRIVATE KEY-----',
  '\n',
  'Xy9Kq2LmN8pR4sT6vW1zA3bC5dE7fG',
  'order #',
  'ssn ',
  'call ',
  'é',
  '🌍',
  '0',
  '9',
  'a',
  'Z',
  '/',
  '=',
];
const piiText = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((parts) => parts.join(''));

describe('fuzz', () => {
  it('scanPii is well-formed on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => assertWellFormed(s)),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(piiText, (s) => assertWellFormed(s)),
      { numRuns: 500 },
    );
  });

  it('scanPii and the checker handle every BLNS string', () => {
    const checker = createResponseChecker({
      leak: { systemPrompt: blns.slice(0, 50).join(' ') },
      filter: { deny: [{ terms: ['null', '💩'] }] },
    });
    for (const s of blns) {
      assertWellFormed(s);
      const r = checker.check({ status: 500, body: { error: s, nested: [s] } });
      expect(['allow', 'flag', 'block']).toContain(r.action);
    }
  });

  it('masked text no longer contains what was masked', () => {
    fc.assert(
      fc.property(piiText, (s) => {
        const { text, entities } = maskPii(s);
        // IPs are flag-only by default; a masked PEM block keeps its (non-secret) header line.
        for (const e of entities) {
          if (e.type === 'ip' || e.subtype === 'private-key') continue;
          // The same characters may also sit inside a longer, non-PII run elsewhere: compare counts.
          const value = s.slice(e.start, e.end);
          expect(text.split(value).length).toBeLessThan(s.split(value).length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a text stream gives the same result for any chunking as the whole text', async () => {
    const checker = createResponseChecker();
    await fc.assert(
      fc.asyncProperty(
        piiText,
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 8 }),
        async (s, sizes) => {
          // Split the UTF-8 bytes (not the string), as a network would, sometimes inside a character.
          const bytes = new TextEncoder().encode(s);
          const chunks: Uint8Array[] = [];
          for (let i = 0, k = 0; i < bytes.length; k++) {
            const n = sizes[k % sizes.length]!;
            chunks.push(bytes.subarray(i, i + n));
            i += n;
          }
          const out = new ReadableStream<Uint8Array>({
            start(c) {
              for (const ch of chunks) c.enqueue(ch);
              c.close();
            },
          }).pipeThrough(checker.createStream('text'));
          expect(await new Response(out).text()).toBe(checker.checkText(s).text);
        },
      ),
      { numRuns: 200 },
    );
  });

  it.each([
    ['letters', 'a'.repeat(100_000)],
    ['digits', '7'.repeat(100_000)],
    ['spaced digits', '1 '.repeat(50_000)],
    ['phone openers', '+1 ('.repeat(25_000)],
    ['ats', 'a@'.repeat(50_000)],
    ['dots', '1.'.repeat(50_000)],
    ['colons', 'a:'.repeat(50_000)],
    ['jwt heads', 'eyJa.'.repeat(20_000)],
    ['pem heads', '-----BEGIN '.repeat(9_000)],
    ['key prefixes', 'sk-AKIAghp_'.repeat(9_000)],
    ['card groups', '4242 '.repeat(20_000)],
    ['iban groups', 'DE89 '.repeat(20_000)],
    ['slashes', 'ab/'.repeat(33_000)],
    ['hex colons', 'ff:'.repeat(33_000)],
    ['traceback', '    at x (/srv/a.js:1:1)\n'.repeat(4_000)],
  ])('does not hang on 100 KB of %s', async (_name, text) => {
    assertWellFormed(text);
    const checker = createResponseChecker({
      leak: { systemPrompt: 'a a a a a a a a a a a a a a', canaries: ['ais-canary-xyz123'] },
    });
    checker.check({ status: 500, body: { error: text } });
    const out = new ReadableStream<Uint8Array>({
      start(c) {
        const bytes = new TextEncoder().encode(text);
        for (let i = 0; i < bytes.length; i += 4096) c.enqueue(bytes.subarray(i, i + 4096));
        c.close();
      },
    }).pipeThrough(checker.createStream('text'));
    expect((await new Response(out).text()).length).toBeGreaterThan(0);
  });
});
