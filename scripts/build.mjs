#!/usr/bin/env node
/**
 * `pnpm build [--force]`: builds the packages in `packages/` whose sources changed since their last build.
 *
 * A package's inputs are its non-test sources, its package.json and build configs, the root
 * tsconfig.base.json and the lockfile. Their SHA-256 is written to `dist/.build-hash` after a
 * successful build; a package whose hash still matches (and whose dist is there) is skipped, so
 * `pnpm test`, `pnpm demo` and `pnpm bench` do not spend a minute rebuilding unchanged packages. A content
 * hash rather than mtimes, so a fresh clone or a `git checkout` that touches files without changing them
 * gives the right answer. `--force` rebuilds everything.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const HASH_FILE = '.build-hash';
const SHARED_INPUTS = ['tsconfig.base.json', 'pnpm-lock.yaml'].map((file) => join(root, file));
const CONFIG_INPUTS = ['package.json', 'tsup.config.ts', 'tsconfig.json'];

const { values } = parseArgs({
  options: { force: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  console.log(
    'Usage: pnpm build [--force]\n\nBuilds the packages whose sources changed; --force builds all.',
  );
  process.exit(0);
}

const isTest = (name) => /\.(test|spec)\.[cm]?[jt]sx?$/.test(name);

function listSources(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listSources(path));
    else if (!isTest(entry.name)) out.push(path);
  }
  return out;
}

function inputHash(dir) {
  const files = [
    ...SHARED_INPUTS,
    ...CONFIG_INPUTS.map((file) => join(dir, file)).filter(existsSync),
    ...listSources(join(dir, 'src')),
  ].sort();
  const hash = createHash('sha256');
  for (const file of files)
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

const packages = readdirSync(join(root, 'packages'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => join(root, 'packages', entry.name))
  .filter((dir) => {
    const manifest = join(dir, 'package.json');
    return existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).scripts?.build;
  })
  .map((dir) => ({ dir, name: relative(root, dir), hash: inputHash(dir) }));

const stale = packages.filter(({ dir, hash }) => {
  if (values.force) return true;
  const stamp = join(dir, 'dist', HASH_FILE);
  return !existsSync(stamp) || readFileSync(stamp, 'utf8').trim() !== hash;
});

for (const { name } of packages) {
  if (!stale.some((pkg) => pkg.name === name)) console.log(`${name}: up to date`);
}
if (stale.length === 0) process.exit(0);

console.log(`building ${stale.map(({ name }) => name).join(', ')}`);
// pnpm orders the filtered packages by their workspace dependencies and builds independent ones in parallel.
const filters = stale.flatMap(({ name }) => ['--filter', `./${name}`]);
const result = spawnSync('pnpm', ['-r', ...filters, 'run', 'build'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
for (const { dir, hash } of stale) writeFileSync(join(dir, 'dist', HASH_FILE), `${hash}\n`);
