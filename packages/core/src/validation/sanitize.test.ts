import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasInvisibleCharacters, sanitizeText } from './sanitize.js';

describe('sanitizeText', () => {
  it('removes zero-width, bidi and tag characters and normalizes to NFKC', () => {
    const tagged = `hi${String.fromCodePoint(0xe0069, 0xe0067)}`;
    expect(sanitizeText('ig\u200Bno\u202Ere ｆｕｌｌ')).toEqual({
      text: 'ignore full',
      removed: 2,
      tags: false,
      override: true,
    });
    expect(sanitizeText(tagged)).toMatchObject({ text: 'hi', removed: 2, tags: true });
  });

  it('removes every other format character too', () => {
    for (const ch of ['\u00AD', '\u061C', '\u2064', '\u206A', '\uFFF9', String.fromCodePoint(0x1d173)]) {
      expect(hasInvisibleCharacters(`a${ch}b`)).toBe(true);
      expect(sanitizeText(`a${ch}b`)).toMatchObject({ text: 'ab', removed: 1, override: false });
    }
  });

  it('leaves plain text alone', () => {
    expect(hasInvisibleCharacters('Hello, world! Ünïcödé and emoji 🙂')).toBe(false);
    expect(sanitizeText('plain').removed).toBe(0);
  });

  it('is idempotent and leaves no format character (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (input) => {
        const once = sanitizeText(input).text;
        expect(once).not.toMatch(/\p{Cf}/u);
        expect(sanitizeText(once)).toEqual({ text: once, removed: 0, tags: false, override: false });
      }),
      { numRuns: 2000 },
    );
  });
});
