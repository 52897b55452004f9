import { defineConfig } from 'vitest/config';

/**
 * Files that must have a module graph of their own: vi.mock replaces a module only for importers
 * evaluated after it, so the authorization matrix's mock of fastify (it captures every route as
 * it is registered) needs a process where fastify was not yet imported, and would otherwise reach
 * the files run after it.
 */
const ISOLATED = ['tests/api/authz-matrix.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits on the state a test needs (issue 16 item 9); vitest gives up after 1 s,
    // which a loaded machine misses (browser stories failed on a table not yet sorted at load
    // 40). A longer limit changes nothing when the state comes; it only waits longer to fail.
    expect: { poll: { timeout: 15_000 } },
    pool: 'forks',
    // Two files at a time on the 2-core machines (vitest's default is cores − 1 = one): most files
    // wait on fsyncs, PostgreSQL, child processes or Chromium rather than compute, so a second
    // worker fills that time. Every file owns its data: temp directories, its own PostgreSQL
    // database, ports chosen by the system, MQTT topics of its own. CUSTOS_TEST_WORKERS overrides.
    maxWorkers: Number(process.env.CUSTOS_TEST_WORKERS ?? 2),
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
          exclude: ['tests/reliability/**', 'node_modules/**', ...ISOLATED],
          // The files of a worker share one process and its imported modules (decision 0069): a
          // file no longer re-imports the server, fastify and zod (about 2.5 s of CPU a file that
          // builds the app). Module state that outlives a file is keyed by what the file owns
          // (a data directory, a connection, a key's bytes) or is the same for every file; CUSTOS_TEST_ISOLATE=1 gives each file its own process again.
          isolate: process.env.CUSTOS_TEST_ISOLATE === '1',
        },
      },
      {
        extends: true,
        test: { name: 'isolated', include: ISOLATED, isolate: true },
      },
    ],
  },
});
