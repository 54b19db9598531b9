/**
 * Inputs of `ai-shield assess`: the shield config file (`ai-shield.config.{js,mjs,json}`, validated with
 * core's `resolveOptions`), the deployment description and an optional catalog (YAML or JSON).
 * @module
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadCatalog, type ThreatCatalog } from '@ai-shield/assess';
import { resolveOptions, type ShieldOptions } from '@ai-shield/core';
import YAML from 'yaml';

/** Config files looked for in the working directory, in order. */
export const CONFIG_NAMES = ['ai-shield.config.mjs', 'ai-shield.config.js', 'ai-shield.config.json'];

/** An input problem: reported on stderr, exit code 2. */
export class AssessInputError extends Error {
  override name = 'AssessInputError';
}

/** Finds the config file: the given path, or the first of {@link CONFIG_NAMES} in `cwd`. */
export function findConfig(path: string | undefined, cwd: string): string | undefined {
  if (path) return resolve(cwd, path);
  return CONFIG_NAMES.map((name) => resolve(cwd, name)).find((candidate) => existsSync(candidate));
}

/**
 * Loads shield options: JSON is parsed, `.js`/`.mjs` are imported (the default export, or a named
 * `shieldOptions` export). The result is validated now, with `env: false`, so a bad option fails here
 * naming its key.
 */
export async function loadShieldOptions(file: string): Promise<ShieldOptions> {
  if (!existsSync(file)) throw new AssessInputError(`config file not found: ${file}`);
  let options: unknown;
  const ext = extname(file);
  if (ext === '.json') {
    options = parseText(await readFile(file, 'utf8'), file, 'json');
  } else if (ext === '.js' || ext === '.mjs' || ext === '.cjs') {
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    options = mod.default ?? mod.shieldOptions;
    if (options === undefined) {
      throw new AssessInputError(
        `${file}: export the shield options as the default export (or as \`shieldOptions\`)`,
      );
    }
  } else {
    throw new AssessInputError(`${file}: config files are .js, .mjs or .json`);
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new AssessInputError(`${file}: the shield options must be an object`);
  }
  try {
    resolveOptions({ ...(options as ShieldOptions), env: false });
  } catch (e) {
    throw new AssessInputError(`${file}: ${(e as Error).message}`);
  }
  return options as ShieldOptions;
}

function parseText(text: string, file: string, kind: 'json' | 'yaml'): unknown {
  try {
    return kind === 'json' ? JSON.parse(text) : YAML.parse(text);
  } catch (e) {
    throw new AssessInputError(`${file}: not valid ${kind.toUpperCase()}: ${(e as Error).message}`);
  }
}

/** Reads a YAML or JSON file (by extension; YAML otherwise). */
export async function readData(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new AssessInputError(`file not found or unreadable: ${file}`);
  }
  return parseText(text, file, extname(file) === '.json' ? 'json' : 'yaml');
}

/** Reads and validates a user catalog, merged with the built-in one. */
export async function readCatalog(file: string): Promise<ThreatCatalog> {
  const data = await readData(file);
  try {
    return loadCatalog(data);
  } catch (e) {
    throw new AssessInputError(`${file}: ${(e as Error).message}`);
  }
}
