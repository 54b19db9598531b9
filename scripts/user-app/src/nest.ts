import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import {
  AiShieldGuard,
  AiShieldModule,
  chatSchema,
  type Decision,
  ShieldResult,
  ShieldSchema,
} from '@ai-shield/nestjs';
import { Controller, HttpCode, Module, Post } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { check } from './check.js';

@Controller()
class ChatController {
  @Post('v1/chat')
  @HttpCode(200)
  @ShieldSchema(chatSchema)
  chat(@ShieldResult() decision: Decision) {
    return { action: decision.action };
  }
}

@Module({
  imports: [AiShieldModule.forRoot({ env: false })],
  controllers: [ChatController],
  providers: [{ provide: APP_GUARD, useClass: AiShieldGuard }],
})
class AppModule {}

// Nest's defaults, body parser on.
const app = await NestFactory.create(AppModule, { logger: ['error'] });
await app.listen(0, '127.0.0.1');
try {
  await check('nestjs', `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`);
} finally {
  await app.close();
}
