/**
 * Shared helpers of the benchmarks: the result shape every section reports, timing and
 * percentiles, a fresh node (temp data dir, SQLite WAL, synchronous=FULL) and child processes
 * whose peak RSS we can read.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { loadConfig } from '../src/config/config.js';
import { createLocalEventSink } from '../src/services/events.js';
import type { Ports } from '../src/services/ports.js';
import { systemClock, systemRandom } from '../src/services/ports.js';
import { prepareNode } from '../src/services/runtime.js';
import { openSqlite } from '../src/store/db.js';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

export interface Target {
  readonly op: '>=' | '<=';
  readonly value: number;
}

/** One measured figure. `target` absent: a reference point or a supporting figure. */
export interface Figure {
  readonly section: string;
  readonly name: string;
  /** undefined: not measured (see note). */
  readonly value: number | undefined;
  readonly unit: string;
  readonly target?: Target;
  readonly note?: string;
}

export function verdict(f: Figure): 'PASS' | 'FAIL' | 'n/a' | 'not measured' {
  if (f.value === undefined || Number.isNaN(f.value)) return 'not measured';
  if (!f.target) return 'n/a';
  return (f.target.op === '>=' ? f.value >= f.target.value : f.value <= f.target.value) ? 'PASS' : 'FAIL';
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i] as number;
}

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface BenchNode {
  readonly ports: Ports;
  readonly dataDir: string;
  dispose(): Promise<void>;
}

/**
 * A fresh node as the product runs it: its own temp data dir, SQLite in WAL with
 * synchronous=FULL (openSqlite), schema and log key created by the same first-start code.
 */
export async function createBenchNode(env: Record<string, string> = {}): Promise<BenchNode> {
  const dataDir = mkdtempSync(join(tmpdir(), 'custos-bench-'));
  const db = openSqlite(join(dataDir, 'custos.db'));
  const sync = db.sqlite?.pragma('synchronous', { simple: true });
  const mode = db.sqlite?.pragma('journal_mode', { simple: true });
  // 2 = FULL. The figures are only meaningful with the product's durability settings.
  if (sync !== 2 || mode !== 'wal') throw new Error(`bench database is not WAL+FULL (${mode}, ${sync})`);
  const config = loadConfig({ CUSTOS_DATA_DIR: dataDir, CUSTOS_LOG_LEVEL: 'silent', ...env }, ROOT);
  const ports: Ports = {
    db,
    clock: systemClock,
    random: systemRandom,
    logger: pino({ level: 'silent' }),
    config,
    events: createLocalEventSink(),
  };
  await prepareNode(ports, { demo: false });
  return {
    ports,
    dataDir,
    async dispose() {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const RESULT_MARK = 'BENCH_RESULT ';

/** Print a section's figures for the parent (one line, after any chatter). */
export function emit(figures: readonly Figure[]): void {
  process.stdout.write(`\n${RESULT_MARK}${JSON.stringify(figures)}\n`);
}

export interface ChildOutcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Run `node --import tsx <script> args…` from the project root; streams stderr through. */
export function runChild(
  script: string,
  args: readonly string[],
  opts: { env?: Record<string, string>; echo?: boolean; timeoutMs?: number; preload?: string[] } = {},
): Promise<ChildOutcome> {
  const t0 = performance.now();
  const preload = (opts.preload ?? []).flatMap((p) => ['--import', p]);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...preload, script, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (opts.echo) process.stderr.write(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      process.stderr.write(d);
    });
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

/** The figures a child section printed, or one "not measured" figure saying why. */
export function parseFigures(section: string, out: ChildOutcome): Figure[] {
  const line = out.stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(RESULT_MARK));
  if (line) return JSON.parse(line.slice(RESULT_MARK.length)) as Figure[];
  const why = (out.stderr.trim().split('\n').slice(-3).join(' ') || `exit ${out.code}`).slice(0, 300);
  return [{ section, name: `${section} benchmarks`, value: undefined, unit: '', note: `failed: ${why}` }];
}

export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** The short commit the bench runs on, for the figures' provenance ('?' outside a checkout). */
export function commitOf(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  } catch {
    return '?';
  }
}
