import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability`: crash, tamper, load, scale-out and backup suites (tests/reliability).
 * Heavy suites start real server processes, each file in a fork of its own.
 *
 * Two lanes (decision 0069): every suite but load runs CUSTOS_REL_WORKERS files at a time (three
 * by default, decision 0079): they wait much of the time on the servers they start and kill, on
 * timers and on fsync, and each file owns what it touches (temp data directories, PostgreSQL databases named after its
 * process, system-chosen ports, MQTT topics and client ids of its run, network namespaces, veths
 * and subnets named after its process and count, its own CLI bundle). None of them measures
 * latency. Then the load suite runs alone, so that its latency budgets are measured with nothing
 * else of ours running. CUSTOS_REL_WORKERS=1 runs every file one after another again.
 */
const LOAD = ['tests/reliability/load.test.ts'];
const WORKERS = Math.max(1, Number(process.env.CUSTOS_REL_WORKERS ?? 3) || 1);

export default defineConfig({
  test: {
    testTimeout: 600_000,
    hookTimeout: 180_000,
    pool: 'forks',
    sequence: { concurrent: false },
    projects: [
      {
        extends: true,
        test: {
          name: 'reliability',
          include: ['tests/reliability/**/*.test.ts'],
          exclude: LOAD,
          maxWorkers: WORKERS,
          // The suites' deadlines (not their assertions) scale with it: harness.ts patience().
          env: { CUSTOS_REL_PARALLEL: String(WORKERS) },
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'load-alone',
          include: LOAD,
          maxWorkers: 1,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
