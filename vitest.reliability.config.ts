import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability`: crash, tamper, load, scale-out and backup suites (tests/reliability).
 * Heavy suites start real server processes, so they run one file at a time in a single fork.
 */
export default defineConfig({
  test: {
    include: ['tests/reliability/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    sequence: { concurrent: false },
  },
});
