import { defineConfig } from 'vitest/config';

// The suites that run the mutated code in this process: StrykerJS switches mutants inside the
// test process, so spawned bots (crash, start, shutdown, replicas) could not see a mutant and
// would only add minutes. Redis-backed variants skip here (no REDIS_URL): the SQLite runs of
// the same tests cover the same domain code.
export default defineConfig({
  test: {
    include: [
      'test/domain/**/*.test.ts',
      'test/slack/**/*.test.ts',
      'test/providers/**/*.test.ts',
      'test/audit/**/*.test.ts',
    ],
    // Its two load tests take 25 s and cover the limiter, which is not mutated.
    exclude: ['test/providers/limits.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
