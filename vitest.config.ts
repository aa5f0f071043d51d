import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Backend suites start real engines and containers: give them room, but never rely on sleeps.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
