/**
 * `AiShieldModule`: creates the shield once (options validated at startup), provides it under
 * `AI_SHIELD`, installs the response interceptor and the problem+json exception filter globally, and
 * leaves request bodies unread by the platform's parsers so the guard applies the shield's limits.
 * @module
 */
import type { Shield } from '@ai-shield/core';
import { createShield } from '@ai-shield/core';
import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type ModuleMetadata,
  type OnApplicationShutdown,
  type OnModuleInit,
  Optional,
  type Provider,
} from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, HttpAdapterHost } from '@nestjs/core';
import { AI_SHIELD, AI_SHIELD_OPTIONS, type AiShieldModuleOptions } from './ai-shield.constants.js';
import { AiShieldExceptionFilter } from './ai-shield.exception.js';
import { AiShieldGuard } from './ai-shield.guard.js';
import { AiShieldInterceptor } from './ai-shield.interceptor.js';
import { deferExpressParsers, deferFastifyBodies } from './http.js';

/** `AiShieldModule.forRootAsync` options (throttler's shape). */
export interface AiShieldModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: any[]) => AiShieldModuleOptions | Promise<AiShieldModuleOptions>;
  inject?: any[];
}

const shieldProvider: Provider = {
  provide: AI_SHIELD,
  useFactory: (options: AiShieldModuleOptions): Shield =>
    createShield({ ...options, env: options.env ?? process.env }),
  inject: [AI_SHIELD_OPTIONS],
};

const sharedProviders: Provider[] = [
  shieldProvider,
  AiShieldGuard,
  AiShieldInterceptor,
  { provide: APP_INTERCEPTOR, useExisting: AiShieldInterceptor },
  { provide: APP_FILTER, useClass: AiShieldExceptionFilter },
];

const exported = [AI_SHIELD, AI_SHIELD_OPTIONS, AiShieldGuard, AiShieldInterceptor];

/**
 * Global module providing the shield. Add `AiShieldGuard` as `APP_GUARD` (or with `@UseGuards`) to run
 * the request stages. The guard reads the bodies of the routes it protects itself, within
 * `validation.maxBodyBytes` and the body timeouts, as every other adapter does: on Express, Nest's JSON
 * and url-encoded parsers are held back and run for the routes the guard does not protect
 * (`@SkipShield()`, unguarded controllers) when their handler is reached; on Fastify the module replaces
 * the JSON and text parsers (those routes then get no body).
 * @example
 * @Module({
 *   imports: [AiShieldModule.forRoot({ routes: { 'POST /v1/chat': { validation: { schema: chatSchema } } } })],
 *   providers: [{ provide: APP_GUARD, useClass: AiShieldGuard }],
 * })
 * export class AppModule {}
 * // main.ts: Nest's defaults
 * const app = await NestFactory.create(AppModule);
 */
@Global()
@Module({})
export class AiShieldModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(AI_SHIELD) private readonly shield: Shield,
    @Optional() @Inject(HttpAdapterHost) private readonly adapterHost?: HttpAdapterHost,
  ) {}

  /**
   * Options are the core's `ShieldOptions`; `env` defaults to `process.env`. Invalid options throw
   * `AiShieldConfigError` when the module starts.
   * @example
   * AiShieldModule.forRoot({ preset: 'strict', rate: { perIp: { points: 60 } } })
   */
  static forRoot(options: AiShieldModuleOptions = {}): DynamicModule {
    return {
      module: AiShieldModule,
      providers: [{ provide: AI_SHIELD_OPTIONS, useValue: options }, ...sharedProviders],
      exports: exported,
    };
  }

  /**
   * Options from other providers, e.g. `ConfigService`.
   * @example
   * AiShieldModule.forRootAsync({
   *   imports: [ConfigModule],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ modelName: config.get('MODEL_NAME') }),
   * })
   */
  static forRootAsync(options: AiShieldModuleAsyncOptions): DynamicModule {
    return {
      module: AiShieldModule,
      imports: options.imports ?? [],
      providers: [
        { provide: AI_SHIELD_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        ...sharedProviders,
      ],
      exports: exported,
    };
  }

  /** Flushes queued audit entries and alerts on `app.close()` (when the core provides `close()`). */
  async onApplicationShutdown(): Promise<void> {
    await (this.shield as { close?: () => Promise<void> }).close?.();
  }

  onModuleInit(): void {
    const adapter = this.adapterHost?.httpAdapter;
    if (!adapter) return; // a microservice or a standalone application context
    const type = adapter.getType();
    if (type === 'fastify') {
      deferFastifyBodies(adapter.getInstance());
    } else if (type === 'express') {
      const app = adapter.getInstance() as {
        router?: { stack?: Parameters<typeof deferExpressParsers>[0] };
      };
      deferExpressParsers(app.router?.stack ?? []);
    }
  }
}
