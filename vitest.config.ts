import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Scenario files import 'logjam/load'. Node's loader gets it from the module hooks (loadtests/load/loader.ts);
  // inside vitest, whose module runner cannot take those hooks, it is the source module.
  resolve: { alias: { 'logjam/load': fileURLToPath(new URL('./loadtests/load/index.ts', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts'],
    // Real servers, real PostgreSQL and child processes: generous per-test bounds, never timing assertions.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: more parallel files only add contention to load-style tests.
    maxWorkers: 2,
  },
});
