#!/usr/bin/env node
/**
 * `pnpm pack:all [--out <dir>]`: builds what changed, then packs every public package in `packages/` into
 * one folder (default `.tmp/packs`), as `pnpm publish` would upload them: `workspace:*` ranges become the
 * packages' versions. Prints the tarball paths, one a line, so other scripts can read them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: { out: { type: 'string', default: join(root, '.tmp', 'packs') }, help: { type: 'boolean' } },
});
if (values.help) {
  console.log(
    'Usage: pnpm pack:all [--out <dir>]\n\nPacks every public package into <dir> (default .tmp/packs).',
  );
  process.exit(0);
}
const out = resolve(values.out);

/** The public packages: `packages/*` without `"private": true`. */
function publicPackages() {
  return readdirSync(join(root, 'packages'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(root, 'packages', entry.name))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => !manifest.private);
}

const run = (command, args, cwd) => {
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  return result.stdout;
};

run('node', [join(root, 'scripts', 'build.mjs')], root);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const { dir } of publicPackages()) {
  // --json prints the tarball's name; the last line of plain output differs between pnpm versions.
  const packed = JSON.parse(run('pnpm', ['pack', '--json', '--pack-destination', out], dir));
  console.log(resolve(out, packed.filename.split('/').pop()));
}
