import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signatureHeader } from '../../src/cli/reports.js';
import { type Db, openPostgres, openSqlite } from '../../src/store/db.js';
import { bundledCustos, createPgDatabase, runProcess, startServing } from '../fixtures/processes.js';

export const ROOT = join(import.meta.dirname, '..', '..');

export type Dialect = 'sqlite' | 'postgres';

/**
 * How the `custos` entry point is started. By default the CLI is bundled once per run with esbuild
 * (bundledCustos: the same sources; packages stay external) because `node --import tsx`
 * re-transforms the whole server on every start: 11 s per restart on this loaded 2-core machine
 * against under 4 s, and the crash suite restarts dozens of times. CUSTOS_REL_TSX=1 uses
 * `node --import tsx src/cli/main.ts`.
 */
export function custosEntry(): string[] {
  if (process.env.CUSTOS_REL_TSX === '1') return ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')];
  return [bundledCustos('reliability')];
}

/**
 * The dialects a reliability suite runs on. PostgreSQL needs CUSTOS_TEST_PG_URL; with CI=true its
 * absence fails the suite (never a silent skip).
 */
export function reliabilityDialects(): Dialect[] {
  const url = process.env.CUSTOS_TEST_PG_URL;
  if (!url && process.env.CI === 'true') {
    throw new Error(
      'CI=true but CUSTOS_TEST_PG_URL is not set: the PostgreSQL reliability suites cannot run',
    );
  }
  return url ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** PostgreSQL is required by a suite (scale-out): missing is a failure in CI, a skip reason otherwise. */
export function requirePgUrl(): string | undefined {
  const url = process.env.CUSTOS_TEST_PG_URL;
  if (!url && process.env.CI === 'true') {
    throw new Error(
      'CI=true but CUSTOS_TEST_PG_URL is not set: the PostgreSQL reliability suites cannot run',
    );
  }
  return url;
}

/** A fresh, empty PostgreSQL database; `drop()` removes it (terminating leftover connections). */
export function freshPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  return createPgDatabase('custos_r');
}

export function tempDir(prefix = 'custos-rel-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface NodeSpec {
  readonly dataDir: string;
  readonly databaseUrl?: string | undefined;
  readonly env?: Record<string, string>;
  /** A network namespace to run the server in (the federation partition suite). */
  readonly netns?: string;
  /** How `custos` is started, when not custosEntry() (e.g. the sources through tsx). */
  readonly entry?: readonly string[];
}

export interface RunningNode {
  readonly proc: ChildProcess;
  /** Resolves with the base URL once the server listens; rejects if it exits first. */
  readonly ready: Promise<string>;
  readonly exited: Promise<number | null>;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export function nodeEnv(spec: NodeSpec): Record<string, string> {
  return {
    CUSTOS_DATA_DIR: spec.dataDir,
    CUSTOS_PORT: '0',
    CUSTOS_HOST: '127.0.0.1',
    CUSTOS_LOG_LEVEL: 'error',
    CUSTOS_DEMO: '1',
    // Cheap password hashes for the 20 demo users a fresh node seeds (~2 CPU-s at N = 2^15), as
    // the federation suites and npm test already have: these suites sign nobody in with a
    // password, and each stored hash carries its own parameters (decision 0073).
    CUSTOS_SCRYPT_LOG2N: '10',
    ...(spec.databaseUrl ? { CUSTOS_DATABASE_URL: spec.databaseUrl } : {}),
    ...spec.env,
  };
}

/** Start `custos serve` as a child process (the real entry point, bundled: see custosEntry). */
export function startNode(spec: NodeSpec): RunningNode {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...nodeEnv(spec) };
  if (!spec.databaseUrl) delete env.CUSTOS_DATABASE_URL;
  // CUSTOS_REL_CPU_PROF=<dir>: V8 CPU profile of each server, written when it stops gracefully.
  const prof = process.env.CUSTOS_REL_CPU_PROF;
  const profile = prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [];
  const wrap = spec.netns ? ['ip', 'netns', 'exec', spec.netns] : undefined;
  const node = startServing([...profile, ...(spec.entry ?? custosEntry()), 'serve'], {
    cwd: ROOT,
    env,
    ...(wrap ? { wrap } : {}),
  });
  return { ...node, kill: (signal: NodeJS.Signals = 'SIGKILL') => node.kill(signal) };
}

/** Resident set size of a process in KiB (Linux /proc), or undefined once it is gone. */
export function rssKiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export interface DemoCredential {
  readonly login: string;
  readonly organisation: string;
  readonly state: string | null;
  readonly token: string;
}

export function demoCredentials(dataDir: string): DemoCredential[] {
  return JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as DemoCredential[];
}

export function tokenOf(dataDir: string, login: string): string {
  const c = demoCredentials(dataDir).find((d) => d.login === login);
  if (!c) throw new Error(`no demo user ${login}`);
  return c.token;
}

export function demoSeedOf(dataDir: string, org: string): Uint8Array {
  return new Uint8Array(
    Buffer.from(readFileSync(join(dataDir, 'demo-keys', `${org}.key`), 'utf8').trim(), 'base64'),
  );
}

/** The demo MBAs and the organisation that reports for each. */
export const DEMO_MBAS: readonly { mba: string; org: string }[] = [
  { mba: 'XA-F1', org: 'xa-ssac' },
  { mba: 'XA-S1', org: 'xa-ssac' },
  { mba: 'XA-R1', org: 'xa-ssac' },
  { mba: 'XB-E1', org: 'xb-ssac' },
  { mba: 'XB-F1', org: 'xb-ssac' },
  { mba: 'XC-R1', org: 'xc-ssac' },
];

/** A valid ICR (report number n of its MBA) with `lines` domestic receipts of fresh batches. */
export function icrBody(mba: string, n: number, lines: number): Uint8Array {
  const counterpart = { state: mba.slice(0, 2), mba: mba === 'XA-S1' ? 'XA-F1' : 'XA-S1' };
  // The last whole month before today: inside every demo agreement and never in the future.
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0)).toISOString().slice(0, 10);
  const month = first.slice(0, 7);
  const report = {
    type: 'ICR',
    mba,
    reportNumber: n,
    reportDate: last,
    period: { from: first, to: last },
    reportingPerson: 'Reliability Harness',
    lineCount: lines,
    lines: Array.from({ length: lines }, (_, i) => ({
      line: i + 1,
      date: `${month}-10`,
      code: 'RD',
      batch: `R-${n}-${i + 1}`,
      kmp: 'B',
      element: 'E',
      weight: 1000 + n + i,
      fissileWeight: 40,
      isotope: 'G',
      basis: 'M',
      form: 'U2',
      counterpart,
    })),
  };
  return new Uint8Array(Buffer.from(JSON.stringify(report)));
}

/** POST one signed report; answers the HTTP status and JSON body (throws on a network error). */
export async function postReport(
  base: string,
  token: string,
  seed: Uint8Array,
  body: Uint8Array,
  signal?: AbortSignal,
): Promise<{
  status: number;
  json: { id?: string; error?: { code: string; details?: { code: string }[] } };
}> {
  const res = await fetch(`${base}/api/reports`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'custos-signature': signatureHeader(seed, body),
    },
    body: Buffer.from(body),
    ...(signal ? { signal } : {}),
  });
  return { status: res.status, json: (await res.json()) as never };
}

/**
 * The next free ICR number of an MBA (the demo world may already hold reports). A read cut by the
 * server's death (ECONNRESET, refused while it restarts) is asked again for up to `retryMs`: the
 * kill suites SIGKILL servers while submitters look up their next number, and a look-up is a read
 * that can be repeated. A 5xx is asked again likewise (a server going down), never taken for a
 * free number; a 404 is the free number.
 */
export async function nextIcrNumber(
  base: string,
  token: string,
  mba: string,
  from = 1,
  retryMs = patience(120_000),
): Promise<number> {
  const until = Date.now() + retryMs;
  let n = from;
  for (;;) {
    let status: number;
    try {
      const res = await fetch(`${base}/api/reports/${encodeURIComponent(`${mba}:ICR:${n}`)}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await res.arrayBuffer();
      status = res.status;
    } catch (err) {
      if (Date.now() > until) throw err;
      await sleep(200);
      continue;
    }
    if (status >= 500) {
      if (Date.now() > until) throw new Error(`${mba}:ICR:${n}: HTTP ${status} for ${retryMs} ms`);
      await sleep(200);
      continue;
    }
    if (status !== 200) return n;
    n++;
  }
}

/** Open the node's database directly (for invariant checks and tampering). */
export function openNodeDb(dataDir: string, databaseUrl?: string): Db {
  return databaseUrl ? openPostgres(databaseUrl, 2) : openSqlite(join(dataDir, 'custos.db'));
}

/** Run the `custos` CLI with a node's environment (black box). */
export function runCustos(
  args: string[],
  spec: NodeSpec,
): Promise<{ status: number; stdout: string; stderr: string }> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...nodeEnv(spec) };
  if (!spec.databaseUrl) delete env.CUSTOS_DATABASE_URL;
  return runProcess([...custosEntry(), ...args], { cwd: ROOT, env });
}

export { seededRandom } from '../fixtures/random.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A wait's deadline for how many reliability files run at once (CUSTOS_REL_PARALLEL, set by
 * vitest.reliability.config.ts; decisions 0069, 0079): with n files side by side on the two cores
 * a server restart or a drain takes up to n times as long. Only deadlines scale — how long
 * the suite waits before calling a stall final — never what is asserted about the outcome.
 */
export function patience(ms: number): number {
  return ms * Math.max(1, Number(process.env.CUSTOS_REL_PARALLEL ?? 1) || 1);
}
