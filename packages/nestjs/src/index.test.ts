import * as core from '@ai-shield/core';
import { describe, expect, it } from 'vitest';
import * as nest from './index.js';

describe('public API', () => {
  it('re-exports the core and adds the Nest surface', () => {
    for (const name of Object.keys(core)) expect(nest).toHaveProperty(name);
    const own = Object.keys(nest)
      .filter((name) => !(name in core))
      .sort();
    expect(own).toEqual([
      'AI_SHIELD',
      'AI_SHIELD_OPTIONS',
      'AiShieldDashboardModule',
      'AiShieldException',
      'AiShieldExceptionFilter',
      'AiShieldGuard',
      'AiShieldInterceptor',
      'AiShieldModule',
      'Shield',
      'ShieldResult',
      'ShieldSchema',
      'SkipShield',
    ]);
    expect(typeof nest.AI_SHIELD).toBe('symbol');
    expect(typeof nest.AI_SHIELD_OPTIONS).toBe('symbol');
  });

  it('AiShieldException carries the problem body and headers', () => {
    const exception = new nest.AiShieldException(
      {
        type: 'urn:x',
        title: 'Too many',
        status: 429,
        code: 'ERR_RATE_LIMITED',
        detail: 'd',
        requestId: 'r',
      },
      { 'retry-after': '3' },
    );
    expect(exception.getStatus()).toBe(429);
    expect(exception.getResponse()).toMatchObject({ code: 'ERR_RATE_LIMITED', requestId: 'r' });
    expect(exception.headers).toEqual({ 'retry-after': '3' });
  });
});
