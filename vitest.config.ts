import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['tests/reliability/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time on the 2-core machines (vitest's default is cores − 1 = one): most files
    // wait on fsyncs, PostgreSQL, child processes or Chromium rather than compute, so a second
    // worker fills that time. Every file owns its data: temp directories, its own PostgreSQL
    // database, ports chosen by the system, MQTT topics of its own. CUSTOS_TEST_WORKERS overrides.
    maxWorkers: Number(process.env.CUSTOS_TEST_WORKERS ?? 2),
  },
});
