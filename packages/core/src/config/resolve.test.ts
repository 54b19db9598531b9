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

  it('reads the seeds environment variables, explicit options win', () => {
    const env = {
      RATE_LIMIT: '60',
      SUSPICIOUS_PATTERN_THRESHOLD: '0.7',
      MIN_REQUEST_INTERVAL: '0.5',
      MAX_FAILED_ATTEMPTS: '3',
    };
    const { options } = resolveOptions({ env });
    expect(options.rate.perIp).toEqual({ points: 60, durationSec: 60 });
    expect(options.detection.blockThreshold).toBe(0.7);
    expect(options.rate.minIntervalMs).toBe(500);
    expect(options.rate.failedAttempts).toMatchObject({ max: 3 });
    const explicit = resolveOptions({ env, rate: { perIp: { points: 10 } } }).options;
    expect(explicit.rate.perIp).toEqual({ points: 10, durationSec: 60 });
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
      resolveOptions({ env: { RATE_LIMIT: 'lots' }, ratee: {}, validation: { maxBodyBytes: -1 } } as never);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AiShieldConfigError);
    expect(isAiShieldError(error)).toBe(true);
    const issues = (error as AiShieldConfigError).issues.join('\n');
    expect(issues).toContain('ratee: unknown option. Did you mean "rate"?');
    expect(issues).toContain('validation.maxBodyBytes');
    expect(issues).toContain('RATE_LIMIT (environment): expected a positive integer');
    expect(issues).not.toContain('lots'); // env values are not echoed
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
