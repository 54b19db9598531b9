import { describe, expect, it } from 'vitest';
import { AiShieldConfigError, isAiShieldError } from '../errors.js';
import { resolveOptions } from './resolve.js';
import type { RouteOverrides, ShieldOptions } from './schema.js';

describe('resolveOptions', () => {
  it('has the seed SECURITY_CONFIG defaults', () => {
    const { options } = resolveOptions({ env: false });
    expect(options.rate.perIp).toEqual({ points: 100, durationSec: 60 });
    expect(options.detection.blockThreshold).toBe(0.8);
    expect(options.rate.failedAttempts).toMatchObject({ max: 5 });
    expect(options.rate.minIntervalMs).toBe(1000);
    expect(options.validation.maxBodyBytes).toBe(1_000_000);
    expect(options.trustProxy).toBe(false);
    expect(options.mode).toBe('enforce');
  });

  it('reads AI_SHIELD_* variables (the seed names with AI_SHIELD_SEED_ENV=1), explicit options win', () => {
    const own = {
      AI_SHIELD_RATE_LIMIT: '60',
      AI_SHIELD_SUSPICIOUS_PATTERN_THRESHOLD: '0.7',
      AI_SHIELD_MIN_REQUEST_INTERVAL: '0.5',
      AI_SHIELD_MAX_FAILED_ATTEMPTS: '3',
    };
    const seed = {
      RATE_LIMIT: '60',
      SUSPICIOUS_PATTERN_THRESHOLD: '0.7',
      MIN_REQUEST_INTERVAL: '0.5',
      MAX_FAILED_ATTEMPTS: '3',
    };
    for (const env of [own, { ...seed, AI_SHIELD_SEED_ENV: '1' }]) {
      const { options } = resolveOptions({ env });
      expect(options.rate.perIp).toEqual({ points: 60, durationSec: 60 });
      expect(options.detection.blockThreshold).toBe(0.7);
      expect(options.rate.minIntervalMs).toBe(500);
      expect(options.rate.failedAttempts).toMatchObject({ max: 3 });
      const explicit = resolveOptions({ env, rate: { perIp: { points: 10 } } }).options;
      expect(explicit.rate.perIp).toEqual({ points: 10, durationSec: 60 });
    }
    // The shield's own name wins over a seed name; seed names alone are not read by default.
    expect(
      resolveOptions({ env: { ...seed, AI_SHIELD_RATE_LIMIT: '7', AI_SHIELD_SEED_ENV: '1' } }).options.rate
        .perIp,
    ).toMatchObject({ points: 7 });
    const plain = resolveOptions({ env: seed });
    expect(plain.options.rate.perIp).toEqual({ points: 100, durationSec: 60 });
    expect(plain.notices).toEqual([
      expect.stringMatching(
        /^environment: RATE_LIMIT \(AI Shield reads AI_SHIELD_RATE_LIMIT\), .* are set but not read/,
      ),
    ]);
  });

  it.each([
    ['AI_SHIELD_RATE_LIMIT', '100/minute', { rate: { perIp: { points: 100, durationSec: 60 } } }],
    ['AI_SHIELD_RATE_LIMIT', '10 / second', { rate: { perIdentity: { points: 10, durationSec: 1 } } }],
    ['AI_SHIELD_RATE_LIMIT', '5000 per hour', { rate: { perIp: { points: 5000, durationSec: 3600 } } }],
    ['AI_SHIELD_RATE_LIMIT', '30/10s', { rate: { perIp: { points: 30, durationSec: 10 } } }],
    ['AI_SHIELD_MAX_SIZE', '10mb', { validation: { maxBodyBytes: 10 * 1024 * 1024 } }],
    ['AI_SHIELD_MAX_SIZE', '512 KiB', { validation: { maxBodyBytes: 512 * 1024 } }],
    ['AI_SHIELD_MAX_SIZE', '1000000', { validation: { maxBodyBytes: 1_000_000 } }],
    ['AI_SHIELD_MIN_REQUEST_INTERVAL', '250ms', { rate: { minIntervalMs: 250 } }],
    ['AI_SHIELD_MIN_REQUEST_INTERVAL', '0', { rate: { minIntervalMs: 0 } }],
    ['AI_SHIELD_SESSION_TIMEOUT', '30m', { access: {} }],
    ['AI_SHIELD_SUSPICIOUS_PATTERN_THRESHOLD', '75%', { detection: { blockThreshold: 0.75 } }],
    ['AI_SHIELD_SMTP_SECURITY', 'NONE', { alerts: {} }],
  ])('reads %s=%j', (name, value, expected) => {
    const env = { [name]: value, AI_SHIELD_SMTP_SERVER: 'localhost', AI_SHIELD_ALERT_RECIPIENTS: 'a@b.c' };
    expect(resolveOptions({ env }).options).toMatchObject(expected);
  });

  it('gives one start-up error naming each variable, its value and what it expects', () => {
    let error: AiShieldConfigError | undefined;
    try {
      resolveOptions({
        env: {
          AI_SHIELD_SMTP_PORT: '2525x',
          AI_SHIELD_RATE_LIMIT: '100/fortnight',
          AI_SHIELD_MAX_SIZE: '10 elephants',
          AI_SHIELD_JWT_SECRET: 'short',
          AI_SHIELD_SMTP_SERVER: 'smtp.example.com',
          AI_SHIELD_SEED_ENV: 'maybe',
        },
      });
    } catch (caught) {
      error = caught as AiShieldConfigError;
    }
    expect(error?.issues).toEqual(
      expect.arrayContaining([
        'AI_SHIELD_SEED_ENV="maybe" (environment): expected 1 or 0 (read the seeds\' bare names or not)',
        'AI_SHIELD_RATE_LIMIT="100/fortnight" (environment): expected requests per minute, or a rate such as 100/minute, 10/second, 5000/hour, for rate.perIp, rate.perIdentity',
        'AI_SHIELD_MAX_SIZE="10 elephants" (environment): expected a size in bytes, e.g. 1000000, 512kb or 10mb, for validation.maxBodyBytes',
        'AI_SHIELD_SMTP_PORT="2525x" (environment): expected a port number (1-65535), for alerts.email.port',
        'alerts.email.recipients: an SMTP server is set but no recipients: list at least one (AI_SHIELD_ALERT_RECIPIENTS, comma-separated)',
      ]),
    );
    expect(error?.message).toMatch(/^Invalid AI Shield options:\n {2}- /);
  });

  it('applies presets under env and explicit options', () => {
    expect(resolveOptions({ preset: 'monitor', env: false }).options.mode).toBe('monitor');
    const strict = resolveOptions({ preset: 'strict', env: false }).options;
    expect(strict.validation.maxStringLength).toBe(2000);
    expect(resolveOptions({ env: { AI_SHIELD_PRESET: 'strict' } }).options.rate.perIp).toEqual({
      points: 30,
      durationSec: 60,
    });
  });

  it('rejects unknown keys with a suggestion, and reports every problem at once', () => {
    let error: unknown;
    try {
      resolveOptions({
        env: { AI_SHIELD_RATE_LIMIT: 'lots', AI_SHIELD_JWT_SECRET: 'hunter2!' },
        seedEnv: false,
        ratee: {},
        validation: { maxBodyBytes: -1 },
        access: { jwt: { algorithm: 'none' } },
      } as never);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AiShieldConfigError);
    expect(isAiShieldError(error)).toBe(true);
    const issues = (error as AiShieldConfigError).issues.join('\n');
    expect(issues).toContain('ratee: unknown option. Did you mean "rate"?');
    expect(issues).toContain('validation.maxBodyBytes');
    expect(issues).toContain('AI_SHIELD_RATE_LIMIT="lots" (environment): expected requests per minute');
    expect(issues).not.toContain('hunter2'); // secrets are never echoed
  });

  it('names the route in route override errors', () => {
    expect(() =>
      resolveOptions({
        env: false,
        routes: { 'POST /v1/chat': { rate: { perIp: { points: 'x' } } } },
      } as never),
    ).toThrow(/routes\["POST \/v1\/chat"\]\.rate\.perIp/);
  });

  it('types route overrides as a deep partial of the options, so typos fail to compile', () => {
    const overrides: RouteOverrides = {
      validation: { maxStringLength: 200_000, numeric: { min: -1 } },
      access: { jwt: { issuer: 'https://id.example' } }, // the key comes from the global options
      rate: { perIp: { points: 1000 } },
    };
    // @ts-expect-error misspelt key (the runtime says: Did you mean "perIp"?)
    const typo: RouteOverrides = { rate: { perIP: { points: 5 } } };
    // @ts-expect-error wrong value type
    const wrongType: RouteOverrides = { validation: { maxStringLength: '200k' } };
    // @ts-expect-error routes cannot be nested
    const nested: RouteOverrides = { routes: {} };
    const options: ShieldOptions = { env: false, routes: { 'POST /v1/chat': overrides } };
    expect(resolveOptions(options).routes.get('POST /v1/chat')?.validation.maxStringLength).toBe(200_000);
    expect(() => resolveOptions({ env: false, routes: { '/x': typo } })).toThrow(/Did you mean "perIp"/);
    expect(() => resolveOptions({ env: false, routes: { '/x': wrongType } })).toThrow(/maxStringLength/);
    expect(() => resolveOptions({ env: false, routes: { '/x': nested } })).toThrow(/cannot be nested/);
  });

  it('rejects non-function hooks and non-schema schemas', () => {
    expect(() => resolveOptions({ env: false, onDecision: 'log' } as never)).toThrow(/onDecision/);
    expect(() => resolveOptions({ env: false, validation: { schema: { type: 'object' } } } as never)).toThrow(
      /zod schema/,
    );
  });
});
