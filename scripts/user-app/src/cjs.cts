// The CommonJS entries load too (require(esm) of jose needs Node >= 20.19).
import assert from 'node:assert/strict';

for (const name of [
  '@ai-shield/core',
  '@ai-shield/express',
  '@ai-shield/koa',
  '@ai-shield/hono',
  '@ai-shield/nestjs',
]) {
  const loaded = require(name) as { createShield?: unknown };
  assert.equal(typeof loaded.createShield, 'function', `${name} (CommonJS)`);
}
assert.equal(
  typeof require('@ai-shield/assess').assessDeployment,
  'function',
  '@ai-shield/assess (CommonJS)',
);
console.log('cjs: ok');
