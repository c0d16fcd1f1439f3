import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql ships CommonJS (index.js) and ESM (index.mjs) builds. Node loads the CommonJS one
    // for Pothos and Yoga; Vite would pick the ESM one for our sources, and two copies of graphql
    // in one process reject each other's types. Point ours at the same build Node uses.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Test files start their own PGlite instances and servers; two at a time fits a 2-core machine.
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
