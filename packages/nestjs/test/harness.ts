/**
 * Starts a small Nest app on platform-express or platform-fastify (listen(0) on 127.0.0.1).
 * Apps are created with Nest's defaults (body parser on) unless a test says otherwise.
 */
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';

export type Platform = 'express' | 'fastify';
export const platforms: Platform[] = ['express', 'fastify'];

export interface Started {
  url: string;
  app: INestApplication;
  close(): Promise<void>;
}

export async function startApp(
  module: Type<unknown>,
  platform: Platform,
  options: { bodyParser?: boolean } = {},
): Promise<Started> {
  const app =
    platform === 'express'
      ? await NestFactory.create(module, new ExpressAdapter(), { logger: false, ...options })
      : await NestFactory.create(module, new FastifyAdapter(), { logger: false, ...options });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as AddressInfo;
  return { url: `http://127.0.0.1:${address.port}`, app, close: () => app.close() };
}
