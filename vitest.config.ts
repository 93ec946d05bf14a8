import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests spawn git and the CLI many times; on a loaded 2-core machine that takes seconds.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
