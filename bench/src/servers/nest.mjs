/**
 * Bench target: the same chat handler in a NestJS 11 app (platform-express), bare (Nest's own JSON
 * parser in both modes, limit 1 MB) or behind AiShieldModule defaults with a global AiShieldGuard (the
 * shield checks the parsed value). MODE=bare|shield, PORT=<port>. Prints "ready" when listening.
 * Plain ESM has no decorator syntax: Nest's decorators are applied as functions.
 */
import 'reflect-metadata';
import { AiShieldGuard, AiShieldModule } from '@ai-shield/nestjs';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { benchShieldOptions } from './options.mjs';

const shield = process.env.MODE === 'shield';

class ChatController {
  chat(body) {
    const last = body.messages.at(-1).content;
    return {
      id: 'chatcmpl-bench',
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: `You asked ${last.length} characters about the weather in Lisbon. It will be sunny with a light breeze in the afternoon.`,
          },
          finish_reason: 'stop',
        },
      ],
    };
  }
}
const chat = Object.getOwnPropertyDescriptor(ChatController.prototype, 'chat');
Body()(ChatController.prototype, 'chat', 0);
Post('v1/chat')(ChatController.prototype, 'chat', chat);
HttpCode(200)(ChatController.prototype, 'chat', chat);
Controller()(ChatController);

class AppModule {}
Module(
  shield
    ? {
        imports: [AiShieldModule.forRoot(benchShieldOptions)],
        controllers: [ChatController],
        providers: [{ provide: APP_GUARD, useClass: AiShieldGuard }],
      }
    : { controllers: [ChatController] },
)(AppModule);

const app = await NestFactory.create(AppModule, { logger: ['error'] });
app.useBodyParser('json', { limit: '1mb' });
await app.listen(Number(process.env.PORT), '127.0.0.1');
console.log('ready');
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
