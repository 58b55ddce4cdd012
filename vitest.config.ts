import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    // Suites build models and start browsers or redis-server in their hooks: at CI's load 10 s is too short.
    hookTimeout: 120_000,
  },
});
