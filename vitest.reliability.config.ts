import { configDefaults, defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability`: crash, tamper, load, scale-out and backup suites (tests/reliability).
 * Heavy suites start real server processes, so they run one file at a time in a single fork.
 */
export default defineConfig({
  test: {
    include: ['tests/reliability/**/*.test.ts'],
    // Under repair, not in CI: the monitoring SIGKILL suite (issue 18) stalls an MQTT chain after a
    // kill and waits out its deadline; it fails today and is run by hand with
    // `npm run test:device-ingest` until it passes, then this line goes (see the note).
    exclude: [
      ...configDefaults.exclude,
      ...(process.env.CUSTOS_RUN_DEVICE_INGEST === '1' ? [] : ['tests/reliability/device-ingest.test.ts']),
    ],
    testTimeout: 600_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    sequence: { concurrent: false },
  },
});
