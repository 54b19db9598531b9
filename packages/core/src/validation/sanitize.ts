/**
 * Invisible-character handling: every format character (Unicode category Cf: zero-width characters,
 * bidi controls, the invisible operators, interlinear annotations, ...) and the Unicode tag block are
 * the usual carriers of hidden instructions ("ASCII smuggling") and of Trojan-Source style reordering.
 * @module
 */

// One character class, no quantifier: linear in the input. Tags are U+E0000-U+E007F (some unassigned,
// so not all Cf). Bidi overrides (LRO/RLO) make the displayed order differ from the stored one.
const INVISIBLE = /[\p{Cf}\u{E0000}-\u{E007F}]/u;
const INVISIBLE_GLOBAL = /[\p{Cf}\u{E0000}-\u{E007F}]/gu;
const TAG = /[\u{E0000}-\u{E007F}]/u;
const OVERRIDE = /[\u202D\u202E]/;

export interface InvisibleReport {
  /** Characters removed (or that would be removed). */
  removed: number;
  /** True when Unicode tag characters were present: text hidden from humans but read by models. */
  tags: boolean;
  /** True when a bidi override (U+202D, U+202E) was present: the text shown is not the text stored. */
  override: boolean;
}

/** True when `text` holds a character `sanitizeText` would remove. Cheap enough for every string. */
export function hasInvisibleCharacters(text: string): boolean {
  return INVISIBLE.test(text);
}

/**
 * Normalizes `text` to NFKC and removes every format (Cf) and tag character.
 * @example
 * sanitizeText('ig\u200Bnore') // { text: 'ignore', removed: 1, tags: false, override: false }
 */
export function sanitizeText(text: string): { text: string } & InvisibleReport {
  if (!INVISIBLE.test(text)) {
    const normalized = text.normalize('NFKC');
    return { text: normalized, removed: 0, tags: false, override: false };
  }
  const tags = TAG.test(text);
  const override = OVERRIDE.test(text);
  let removed = 0;
  const stripped = text.replace(INVISIBLE_GLOBAL, () => {
    removed++;
    return '';
  });
  return { text: stripped.normalize('NFKC'), removed, tags, override };
}
