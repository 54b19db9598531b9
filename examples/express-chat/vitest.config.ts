import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'express-chat',
    include: ['test/**/*.test.ts'],
    // Starts the example app and a real Chromium.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
