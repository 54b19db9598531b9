import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV_SETTINGS, optionsFromEnv, SEED_ENV } from './env.js';

describe('environment names', () => {
  it("are the seed names with an AI_SHIELD_ prefix (or the shield's own), each read only once", () => {
    const names = ENV_SETTINGS.map((setting) => setting.name);
    expect(new Set(names).size).toBe(names.length);
    for (const setting of ENV_SETTINGS) {
      expect(setting.name).toMatch(/^AI_SHIELD_[A-Z_]+$/);
      if (setting.seed.length > 0) expect(setting.name).toBe(`AI_SHIELD_${setting.seed[0]}`);
    }
  });

  it('are all listed in the README, bare seed names included', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', '..', 'README.md'), 'utf8');
    for (const name of [SEED_ENV, ...ENV_SETTINGS.flatMap((setting) => [setting.name, ...setting.seed])]) {
      expect([name, readme.includes(`\`${name}\``)]).toEqual([name, true]);
    }
  });

  it('never quotes a secret in an error', () => {
    const { issues } = optionsFromEnv({ AI_SHIELD_JWT_ALGORITHM: 'none', AI_SHIELD_SMTP_PORT: 'x' });
    expect(issues).toEqual([
      expect.stringMatching(/^AI_SHIELD_JWT_ALGORITHM="none" \(environment\): expected one of HS256/),
      'AI_SHIELD_SMTP_PORT="x" (environment): expected a port number (1-65535), for alerts.email.port',
    ]);
    const secrets = ENV_SETTINGS.filter((setting) => setting.secret).map((setting) => setting.name);
    expect(secrets).toEqual(['AI_SHIELD_JWT_SECRET', 'AI_SHIELD_AUDIT_HMAC_KEY', 'AI_SHIELD_SMTP_PASSWORD']);
  });
});
