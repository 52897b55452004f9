import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../fixtures/app.js';
import type { TestDialect } from '../fixtures/db.js';
import {
  cliEntry,
  createPgDatabase,
  type ProcessResult,
  runProcess,
  startServing,
} from '../fixtures/processes.js';

export const ROOT = join(import.meta.dirname, '..', '..');

export type CliResult = ProcessResult;

/**
 * The environment of a command under test: this process's, without any CUSTOS_* of the developer's
 * shell (a CUSTOS_TOKEN or CUSTOS_URL would change what a command talks to), with cheap password
 * hashes (the demo seeds many users) and the test's own settings.
 */
function childEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('CUSTOS_')) env[k] = v;
  }
  return { ...env, CUSTOS_SCRYPT_LOG2N: '10', ...extra };
}

/**
 * Run the real `custos` command as a child process: a black box seen only through its exit status,
 * stdout and stderr. By default the sources of src/cli/main.ts bundled once per worker (cliEntry:
 * half the CPU of a start through tsx, decision 0073); `bin: true` goes through bin/custos.mjs
 * (tsx) as `npx custos` does, with childEnv's environment.
 */
export function custos(
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; input?: string; bin?: boolean } = {},
): Promise<CliResult> {
  const entry = opts.bin ? [join(ROOT, 'bin', 'custos.mjs')] : cliEntry();
  return runProcess([...entry, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: childEnv({ CUSTOS_LOG_LEVEL: 'silent', ...opts.env }),
    input: opts.input ?? '',
  });
}

/** The one "custos: CODE: message" line a refused command prints (no stack trace, code once). */
export function errorLine(r: CliResult): { code: string; message: string } {
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('custos: '));
  const m = /^custos: ([A-Z_]+): (.*)$/.exec(lines.at(-1) ?? '');
  if (!m) throw new Error(`no "custos: CODE: message" line in stderr:\n${r.stderr}`);
  return { code: m[1] as string, message: m[2] as string };
}

/** A TCP port nobody listens on (bound then released), for "the server is not there". */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  const address = srv.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((res) => srv.close(() => res()));
  return port;
}

export interface CliServer {
  readonly t: TestApp;
  /** Base URL of the listening server, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** A scratch directory for the files the commands read and write. */
  readonly dir: string;
  /** `--url <url> --token <token of login>` */
  remote(login: string): string[];
  close(): Promise<void>;
}

/**
 * One real server per test file: the app with the demo world, listening on a free port over a
 * temporary data directory (the API suites' fixture), so many commands run against it.
 */
export async function startCliServer(dialect: TestDialect): Promise<CliServer> {
  const t = await createTestApp(dialect, { demo: true, env: { CUSTOS_CHECKPOINT_MS: '100' } });
  // The clock runs from the fixture's fixed instant (dates stay reproducible) and the integrator
  // publishes checkpoints as `custos serve` does, so a receipt is there within a second.
  const origin = t.clock.now().getTime();
  const started = Date.now();
  t.clock.now = () => new Date(origin + (Date.now() - started));
  t.log.start();
  const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const dir = mkdtempSync(join(tmpdir(), 'custos-cli-'));
  return {
    t,
    url,
    dir,
    remote: (login) => ['--url', url, '--token', login === 'admin' ? t.adminToken : t.token(login)],
    async close() {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface NodeDir {
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  /** The environment a command run on this node needs (CUSTOS_DATA_DIR, CUSTOS_DATABASE_URL). */
  readonly env: Record<string, string>;
  dispose(): Promise<void>;
}

/**
 * An empty node for the commands that open storage themselves (init, demo, audit, backup,
 * restore, serve): a temporary data directory and, on PostgreSQL, an empty database of its own.
 */
export async function emptyNode(dialect: TestDialect): Promise<NodeDir> {
  const dataDir = mkdtempSync(join(tmpdir(), 'custos-cli-node-'));
  const database = dialect === 'postgres' ? await createPgDatabase('custos_cli') : undefined;
  const databaseUrl = database?.url;
  return {
    dataDir,
    databaseUrl,
    env: { CUSTOS_DATA_DIR: dataDir, ...(databaseUrl ? { CUSTOS_DATABASE_URL: databaseUrl } : {}) },
    async dispose() {
      rmSync(dataDir, { recursive: true, force: true });
      await database?.drop();
    },
  };
}

export interface Serving {
  /** Resolves with the base URL once `custos serve` prints that it is running. */
  readonly url: Promise<string>;
  /** SIGTERM (a graceful stop) and the exit status. */
  stop(): Promise<number | null>;
  output(): string;
}

/** `custos serve` on a free port as a child process of this test (stopped by stop()). */
export function serve(env: Record<string, string>): Serving {
  const node = startServing([...cliEntry(), 'serve'], {
    cwd: ROOT,
    env: childEnv({ CUSTOS_LOG_LEVEL: 'error', CUSTOS_PORT: '0', CUSTOS_HOST: '127.0.0.1', ...env }),
  });
  return { url: node.ready, output: node.output, stop: () => node.kill('SIGTERM') };
}
