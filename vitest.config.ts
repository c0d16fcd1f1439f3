import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Test files start their own PGlite instances and servers; two at a time fits a 2-core machine.
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
