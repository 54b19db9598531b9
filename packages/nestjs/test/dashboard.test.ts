import { chatReply, defineDashboardSuite } from '@ai-shield/conformance';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import {
  AiShieldDashboardModule,
  type AiShieldDashboardModuleOptions,
  AiShieldGuard,
  AiShieldModule,
  isAiShieldError,
  type ShieldOptions,
} from '../src/index.js';
import { platforms, startApp } from './harness.js';

@Controller()
class ChatController {
  @Post('v1/chat')
  @HttpCode(200)
  chat(@Body() body: unknown) {
    return chatReply(body);
  }
}

function appModule(options: ShieldOptions, endpoints: AiShieldDashboardModuleOptions) {
  @Module({
    imports: [AiShieldModule.forRoot(options), AiShieldDashboardModule.forRoot(endpoints)],
    controllers: [ChatController],
    providers: [{ provide: APP_GUARD, useClass: AiShieldGuard }],
  })
  class DashboardAppModule {}
  return DashboardAppModule;
}

for (const platform of platforms) {
  defineDashboardSuite({
    name: `nestjs (platform-${platform})`,
    start: ({ options, dashboard, metrics }) =>
      startApp(appModule(options, { dashboard, metrics }), platform),
  });
}

describe('AiShieldDashboardModule', () => {
  it('validates its options when the module is declared', () => {
    try {
      AiShieldDashboardModule.forRoot({ dashboard: {} });
      expect.unreachable();
    } catch (error) {
      expect(isAiShieldError(error)).toBe(true);
      expect((error as Error).message).toMatch(/needs `token`/);
    }
  });
});
