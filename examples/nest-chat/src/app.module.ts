/**
 * The example app: POST /v1/chat, POST /v1/predict, GET /healthz, protected by AiShieldModule and a
 * global AiShieldGuard. Same shield options as examples/express-chat.
 */

import { Readable } from 'node:stream';
import {
  type ChatMessage,
  createChatBackend,
  decisionDebugHeaders,
  exampleEndpoints,
  predictModel,
} from '@ai-shield/example-shared';
import { exampleNodeOptions } from '@ai-shield/example-shared/node';
import {
  AiShieldDashboardModule,
  AiShieldGuard,
  AiShieldModule,
  type AiShieldModuleOptions,
  type Decision,
} from '@ai-shield/nestjs';
import {
  Body,
  type CallHandler,
  Controller,
  type DynamicModule,
  type ExecutionContext,
  Get,
  HttpCode,
  Injectable,
  Module,
  type NestInterceptor,
  Post,
  type Provider,
  StreamableFile,
} from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';

/**
 * Shield options shared by every example app (examples/shared); with REDIS_URL set, all shared state
 * (budgets, lockouts, incidents, behaviour, baselines, alert windows, audit heads) lives in that Redis.
 */
export const shieldOptions: AiShieldModuleOptions = exampleNodeOptions('nest-chat');

@Controller()
class ChatController {
  // The stand-in model, or an OpenAI-compatible server when AI_SHIELD_UPSTREAM_URL is set.
  private readonly backend = createChatBackend(process.env);

  @Post('v1/chat')
  @HttpCode(200)
  async chat(@Body() body: { messages: ChatMessage[]; stream?: boolean }) {
    if (body.stream !== true) return this.backend.complete(body);
    // OpenAI's SSE chunks; AiShieldInterceptor filters and meters them as they pass.
    return new StreamableFile(Readable.from(this.backend.stream(body)), { type: 'text/event-stream' });
  }

  @Post('v1/predict')
  @HttpCode(200)
  predict(@Body() body: { input: number[] | number[][] }) {
    return predictModel(body.input);
  }

  @Get('healthz')
  health() {
    return { status: 'ok' };
  }
}

/** For the demo only (AI_SHIELD_DEBUG_HEADERS=1): show clients what the shield decided about allowed requests. */
@Injectable()
class ExposeDecision implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler) {
    const decision = context.switchToHttp().getRequest<{ aiShield?: Decision }>().aiShield;
    const res = context.switchToHttp().getResponse<{ setHeader(name: string, value: string): void }>();
    for (const [name, value] of Object.entries(decisionDebugHeaders(decision))) res.setHeader(name, value);
    return next.handle();
  }
}

@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: Nest's dynamic modules are classes with static factories.
export class AppModule {
  static forRoot(options: AiShieldModuleOptions = {}): DynamicModule {
    const providers: Provider[] = [{ provide: APP_GUARD, useClass: AiShieldGuard }];
    if (process.env.AI_SHIELD_DEBUG_HEADERS === '1') {
      providers.push({ provide: APP_INTERCEPTOR, useClass: ExposeDecision });
    }
    // The dashboard (AI_SHIELD_DASHBOARD_TOKEN) and /metrics (AI_SHIELD_METRICS=1), outside the guard.
    const { dashboard, metrics } = exampleEndpoints();
    const endpoints = dashboard || metrics ? [AiShieldDashboardModule.forRoot({ dashboard, metrics })] : [];
    return {
      module: AppModule,
      imports: [AiShieldModule.forRoot({ ...shieldOptions, ...options }), ...endpoints],
      controllers: [ChatController],
      providers,
    };
  }
}
