import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Resolve workspace packages to their TypeScript sources (see STYLE.md §2.7).
  ssr: { resolve: { conditions: ['@ai-shield/source'] } },
  resolve: { conditions: ['@ai-shield/source'] },
  test: { name: 'examples-shared', include: ['test/**/*.test.ts'] },
});
