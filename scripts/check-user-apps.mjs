#!/usr/bin/env node
/**
 * `pnpm test:user-apps [--pm npm,pnpm] [--keep]`: installs the packed packages into a user app OUTSIDE
 * the repository, as someone who cloned nothing would, then type-checks and runs a tiny app per framework.
 *
 * For each package manager: packs every public package (`scripts/pack-all.mjs`), creates a temp folder
 * with `scripts/user-app` (an Express, a Koa, a Hono and a NestJS app, and a CommonJS check), installs the
 * tarballs plus the frameworks from the registry, runs `tsc` (strict, NodeNext), then each app, which
 * must allow a benign chat request and refuse a prompt injection. The Hono app also fails when a second
 * copy of hono is installed for the adapter (it would take the `c.get('aiShield')` types with it).
 * Framework ranges are read from the adapters' own devDependencies, so they stay in step with the repo.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    pm: { type: 'string', default: 'npm,pnpm' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  console.log('Usage: pnpm test:user-apps [--pm npm,pnpm] [--keep]\n\nSee scripts/check-user-apps.mjs.');
  process.exit(0);
}

function run(command, args, cwd, { capture = false } = {}) {
  console.log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    cwd,
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
    // A user's machine has no CI=true; npm and pnpm behave as they would there.
    env: { ...process.env, CI: '', npm_config_yes: 'true' },
  });
  if (result.status !== 0) {
    console.error(`${command} ${args.join(' ')} failed (${result.status}) in ${cwd}`);
    process.exit(1);
  }
  return result.stdout;
}

const manifest = (name) => JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
const dev = (name, dep) => manifest(name).devDependencies[dep];

const packs = mkdtempSync(join(tmpdir(), 'ai-shield-packs-'));
const tarballs = run('node', [join(root, 'scripts', 'pack-all.mjs'), '--out', packs], root, { capture: true })
  .trim()
  .split('\n');
/** `@ai-shield/express` -> `file:/tmp/.../ai-shield-express-0.1.0.tgz` */
const local = Object.fromEntries(
  tarballs.map((file) => [
    `@ai-shield/${basename(file).replace(/^ai-shield-(.*)-\d+\.\d+\.\d+.*\.tgz$/, '$1')}`,
    `file:${file}`,
  ]),
);

const dependencies = {
  ...local,
  express: dev('express', 'express'),
  koa: dev('koa', 'koa'),
  hono: dev('hono', 'hono'),
  '@hono/node-server': dev('hono', '@hono/node-server'),
  '@nestjs/common': dev('nestjs', '@nestjs/common'),
  '@nestjs/core': dev('nestjs', '@nestjs/core'),
  '@nestjs/platform-express': dev('nestjs', '@nestjs/platform-express'),
  'reflect-metadata': dev('nestjs', 'reflect-metadata'),
  rxjs: dev('nestjs', 'rxjs'),
};
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const devDependencies = {
  typescript: rootManifest.devDependencies.typescript,
  '@types/node': rootManifest.devDependencies['@types/node'],
  '@types/express': dev('express', '@types/express'),
  '@types/koa': dev('koa', '@types/koa'),
};

const failures = [];
for (const pm of values.pm.split(',').map((name) => name.trim())) {
  const app = mkdtempSync(join(tmpdir(), `ai-shield-user-app-${pm}-`));
  cpSync(join(root, 'scripts', 'user-app'), app, { recursive: true });
  // The adapters depend on @ai-shield/core at their version, which is not on the registry yet: point
  // every @ai-shield/* range at the local tarballs (npm `overrides`, pnpm `pnpm.overrides`).
  const overrides = pm === 'npm' ? { overrides: local } : { pnpm: { overrides: local } };
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify({ name: 'user-app', private: true, type: 'module', dependencies, devDependencies, ...overrides }, null, 2)}\n`,
  );
  console.log(`\n== ${pm}: user app in ${app}`);
  run(pm, ['install', ...(pm === 'npm' ? ['--no-audit', '--no-fund'] : [])], app);
  run(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], app);
  for (const file of ['express.js', 'koa.js', 'hono.js', 'nest.js', 'cjs.cjs']) {
    const result = spawnSync(process.execPath, [join('out', file)], {
      cwd: app,
      stdio: 'inherit',
      timeout: 60_000,
    });
    if (result.status !== 0) failures.push(`${pm}: ${file} exited with ${result.status ?? result.signal}`);
  }
  run(join(app, 'node_modules', '.bin', 'ai-shield'), ['--version'], app);
  if (!values.keep) rmSync(app, { recursive: true, force: true });
}
rmSync(packs, { recursive: true, force: true });
if (failures.length > 0) {
  console.error(`\nuser apps failed:\n${failures.join('\n')}`);
  process.exit(1);
}
console.log('\nuser apps: every framework type-checks and runs from the packed tarballs');
