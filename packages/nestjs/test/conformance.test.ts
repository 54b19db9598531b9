import { Readable } from 'node:stream';
import {
  chatReply,
  chatStreamEvents,
  defineConformanceSuite,
  predictReply,
  wantsStream,
} from '@ai-shield/conformance';
import { Body, Controller, Get, HttpCode, Module, Post, StreamableFile } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AiShieldGuard, AiShieldModule, type ShieldOptions } from '../src/index.js';
import { platforms, startApp } from './harness.js';

@Controller()
class ConformanceController {
  @Post('v1/chat')
  @HttpCode(200)
  chat(@Body() body: unknown) {
    if (!wantsStream(body)) return chatReply(body);
    // Written chunk by chunk: one event per chunk, so a split email stays split.
    return new StreamableFile(Readable.from(chatStreamEvents(body)), { type: 'text/event-stream' });
  }

  @Post('v1/predict')
  @HttpCode(200)
  predict(@Body() body: unknown) {
    return predictReply(body);
  }

  @Get('healthz')
  health() {
    return { status: 'ok' };
  }
}

function appModule(options: ShieldOptions) {
  @Module({
    imports: [AiShieldModule.forRoot(options)],
    controllers: [ConformanceController],
    providers: [{ provide: APP_GUARD, useClass: AiShieldGuard }],
  })
  class ConformanceModule {}
  return ConformanceModule;
}

for (const platform of platforms) {
  defineConformanceSuite({
    name: `nestjs (platform-${platform})`,
    start: (options) => startApp(appModule(options), platform),
  });
}
// Express without Nest's body parser: the guard reads the stream itself.
defineConformanceSuite({
  name: 'nestjs (platform-express, bodyParser: false)',
  start: (options) => startApp(appModule(options), 'express', { bodyParser: false }),
});
