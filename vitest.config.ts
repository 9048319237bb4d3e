import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // CLI and end-to-end tests start subprocesses and servers; two workers match the 2-core machines.
    maxWorkers: 2,
  },
});
