/**
 * Test data kept in the repository (`data/` at its root, with origin and licence beside each file), read
 * relative to this file so a clone at any path works.
 */
import { readFileSync } from 'node:fs';

/** The Big List of Naughty Strings (`data/bad-inputs/blns.json`, MIT). */
export function loadBlns(): string[] {
  return JSON.parse(readFileSync(new URL('../../../data/bad-inputs/blns.json', import.meta.url), 'utf8'));
}
