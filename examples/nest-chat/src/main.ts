/**
 * Starts the example on PORT (default 8080) with Nest's defaults: the guard reads the bodies of the routes
 * it protects within the shield's limits; Nest's parser parses the others (e.g. @SkipShield routes).
 */
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';

const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(), {
  logger: process.env.NODE_ENV === 'production' ? ['error', 'warn'] : undefined,
});
app.enableShutdownHooks();
await app.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1');
const { address, port } = app.getHttpServer().address() as AddressInfo;
console.log(`nest-chat listening on http://${address}:${port}`);
if (process.env.AI_SHIELD_DASHBOARD_TOKEN) console.log(`dashboard: http://${address}:${port}/ai-shield/`);
