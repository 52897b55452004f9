import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../fixtures/app.js';
import type { TestDialect } from '../fixtures/db.js';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run the real `custos` command as a child process: a black box seen only through its exit status,
 * stdout and stderr. By default `node --import tsx src/cli/main.ts` (what bin/custos.mjs runs, one
 * process start less on a loaded machine); `bin: true` goes through bin/custos.mjs as `npx custos`
 * does. The environment is the test's own: no CUSTOS_* of the developer's shell (a CUSTOS_TOKEN or
 * CUSTOS_URL would change what a command talks to).
 */
export function custos(
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; input?: string; bin?: boolean } = {},
): Promise<CliResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('CUSTOS_')) env[k] = v;
  }
  Object.assign(env, { CUSTOS_LOG_LEVEL: 'silent', CUSTOS_SCRYPT_LOG2N: '10' }, opts.env);
  return new Promise((resolve, reject) => {
    const entry = opts.bin
      ? [join(ROOT, 'bin', 'custos.mjs')]
      : ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')];
    const child = spawn(process.execPath, [...entry, ...args], {
      cwd: opts.cwd ?? ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
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
