import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Suites start real HTTP servers and child processes; two cores cannot run many at once.
    maxWorkers: 2,
    // In CI a failed test is run once more: a timing flake on two busy cores must not keep a
    // change off main, and a test that fails twice still fails the run. Locally every failure
    // shows, so flakes are seen and fixed.
    retry: process.env.CI ? 1 : 0,
  },
});
