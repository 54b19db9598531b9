#!/usr/bin/env node
// The `ai-shield` command. A committed file rather than dist/bin.mjs itself, so that package managers can
// link it before the first build of a clone (`pnpm install`, then `pnpm build`, then `pnpm exec ai-shield`).
try {
  await import('../dist/bin.mjs');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/bin.mjs')) throw error;
  console.error('ai-shield: the CLI is not built yet. Run `pnpm build` in the repository first.');
  process.exit(2);
}
