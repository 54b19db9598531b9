/**
 * Starts the example on PORT (default 8080). `bodyParser: false` lets the shield read each body within
 * its own limits, so malformed, oversized and non-JSON bodies get the shield's problem+json answers.
 */
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

const app = await NestFactory.create(AppModule.forRoot(), {
  bodyParser: false,
  logger: process.env.NODE_ENV === 'production' ? ['error', 'warn'] : undefined,
});
app.enableShutdownHooks();
await app.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1');
const { address, port } = app.getHttpServer().address() as AddressInfo;
console.log(`nest-chat listening on http://${address}:${port}`);
if (process.env.AI_SHIELD_DASHBOARD_TOKEN) console.log(`dashboard: http://${address}:${port}/ai-shield/`);
