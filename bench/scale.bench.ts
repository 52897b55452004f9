/**
 * Scale issue (14) benchmark: `npm run bench -- scale [--sizes 100000,1000000,10000000]
 * [--dialects sqlite,postgres] [--out FILE]`. A real server (`custos serve`, its own process) is
 * loaded through the real submission path — signed 100 000-line monthly ICRs over HTTP, over 100
 * MBAs (bench/scale-world.ts) — and at each size the figures of the issue's table are measured:
 * server RSS after loading (sampled every 50 ms and the kernel's peak mark, while every MBA is
 * evaluated, a state's annual evaluation runs, ICRs arrive and the server restarts), first
 * balance after a restart, warm balance, a one-line ICR reflected in its MBA's balance, a state's
 * annual evaluation, a 100 000-line ICR's intake, and disk bytes per stored line. The result is
 * written as the "Scale" block of BENCHMARKS.md (other sections are left as they are).
 * `CUSTOS_BENCH_KEEP_DATA=1` keeps the data directory and the PostgreSQL database afterwards (to
 * inspect where the bytes go, or to try an upgrade on them); the log names them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { commitOf, log, median, ROOT, sleep } from './lib.js';
import {
  api,
  BENCH_STATES,
  type BenchState,
  credentials,
  icrBody,
  initialBody,
  MBAS_PER_STATE,
  mbaCode,
  oneLineBody,
  pilBody,
  postReport,
  resetPeak,
  rssOf,
  type Server,
  signer,
  startServer,
} from './scale-world.js';

const ICR_LINES = 100_000;
/** 2026-11 (bench/scale-world.ts benchMonth). */
const FIRST_MONTH = 10;
const GiB = 1024 ** 3;

export interface SizeFigures {
  lines: number;
  loadSeconds: number;
  diskBytesPerLine: number | undefined;
  diskNote: string;
  rssMaxAfterLoading: number | undefined;
  rssNote: string;
  firstBalanceAfterLoadingMs: number | undefined;
  everyMbaMs: number | undefined;
  warmBalanceMs: number | undefined;
  oneLineIcrMs: number | undefined;
  oneLineNote: string;
  stateEvaluationMs: number | undefined;
  stateEvaluationWarmMs: number | undefined;
  bigIntakeMs: number | undefined;
  startupMs: number | undefined;
  firstBalanceAfterRestartMs: number | undefined;
  /** GET /api/transfers?limit=50 (issue 14 item 4; the issue sets no figure for it). */
  transferListMs: number | undefined;
  transferListNote: string;
  alarmListNote: string;
}

export interface DialectRun {
  dialect: 'sqlite' | 'postgres';
  sizes: SizeFigures[];
  died: string | undefined;
  seconds: number;
}

class ServerDied extends Error {}

/** The bench's traffic state: which MBA gets the next big ICR, report numbers per MBA. */
class Traffic {
  next = 0;
  lines = 0;
  readonly reportNumber = new Map<string, number>();
  constructor(
    readonly url: string,
    readonly tokens: Record<BenchState, string>,
    readonly sign: Record<BenchState, (b: Uint8Array) => string>,
  ) {}
  number(mba: string): number {
    const n = (this.reportNumber.get(mba) ?? 0) + 1;
    this.reportNumber.set(mba, n);
    return n;
  }
  /**
   * The next big ICR of the round robin, signed: states alternate, and round r reports month
   * 2026-11 minus r. Up to 10 M lines (100 ICRs) every ICR is of 2026-11, whose transfers are
   * still within their grace period at the bench's date (December 2026), so a ring that is not
   * complete yet raises no TRANSFER_UNMATCHED alarms (each would open a case: see the report).
   */
  nextBig(): { state: BenchState; body: Uint8Array; signature: string; lines: number } {
    const idx = this.next++;
    const state = BENCH_STATES[idx % 2] as BenchState;
    const i = Math.floor(idx / 2) % MBAS_PER_STATE;
    const round = Math.floor(idx / (2 * MBAS_PER_STATE));
    const body = icrBody(state, i, FIRST_MONTH - round, this.number(mbaCode(state, i)), ICR_LINES);
    return { state, body, signature: this.sign[state](body), lines: ICR_LINES };
  }
}

/** After a failed request: did the server die? Its exit event may trail the broken connection. */
async function check(server: Server): Promise<void> {
  for (let i = 0; i < 20 && !server.exited(); i++) await sleep(100);
  const e = server.exited();
  if (e) throw new ServerDied(`the server process died (exit ${e.code}, signal ${e.signal})`);
}

async function submitOrDie(
  server: Server,
  t: Traffic,
  r: { state: BenchState; body: Uint8Array; signature: string; lines: number },
): Promise<number> {
  let res: Awaited<ReturnType<typeof postReport>>;
  try {
    res = await postReport(server.url, t.tokens[r.state], r.body, r.signature);
  } catch (err) {
    await check(server);
    throw err;
  }
  if (res.status !== 201) throw new Error(`ICR refused (${res.status}): ${res.text.slice(0, 400)}`);
  t.lines += r.lines;
  return res.ms;
}

/** Load big ICRs until `target` bench lines are stored: the next body is built while one is in flight. */
async function loadTo(server: Server, t: Traffic, target: number): Promise<void> {
  let pending = t.lines < target ? t.nextBig() : undefined;
  while (pending) {
    const inflight = submitOrDie(server, t, pending);
    const willHave = t.lines + pending.lines;
    pending = willHave < target ? t.nextBig() : undefined;
    const ms = await inflight;
    if (t.next % 10 === 0) log(`  … ${t.lines.toLocaleString('en')} lines (last ICR ${ms.toFixed(0)} ms)`);
  }
}

async function disk(dialect: 'sqlite' | 'postgres', dataDir: string, dbUrl: string | undefined) {
  if (dialect === 'sqlite') {
    const db = new Database(join(dataDir, 'custos.db'), { readonly: true });
    try {
      const pragma = (p: string) => Number(db.pragma(p, { simple: true }));
      const bytes = (pragma('page_count') - pragma('freelist_count')) * pragma('page_size');
      const lines = Number((db.prepare('select count(*) as n from report_lines').get() as { n: number }).n);
      let note = '';
      try {
        const rows = db
          .prepare('select name, sum(pgsize) as bytes from dbstat group by name order by bytes desc limit 5')
          .all() as { name: string; bytes: number }[];
        note = rows.map((r) => `${r.name} ${(r.bytes / lines).toFixed(0)}`).join(', ');
      } catch {}
      return {
        lines,
        perLine: bytes / lines,
        note: `${(bytes / 1e6).toFixed(0)} MB; B/line by object: ${note}`,
      };
    } finally {
      db.close();
    }
  }
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    const size = Number((await c.query('select pg_database_size(current_database()) as n')).rows[0].n);
    const lines = Number((await c.query('select count(*) as n from report_lines')).rows[0].n);
    const rows = (
      await c.query(
        `select relname as name, pg_total_relation_size(c.oid) as bytes from pg_class c
         join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = current_schema() and c.relkind = 'r' order by bytes desc limit 5`,
      )
    ).rows as { name: string; bytes: string }[];
    const note = rows.map((r) => `${r.name} ${(Number(r.bytes) / lines).toFixed(0)}`).join(', ');
    return {
      lines,
      perLine: size / lines,
      note: `${(size / 1e6).toFixed(0)} MB (database size); B/line by table with its indexes and TOAST: ${note}`,
    };
  } finally {
    await c.end();
  }
}

/** Peak RSS while `during` runs: samples every 50 ms plus the kernel's peak mark. */
async function watchRss<T>(
  pids: () => number[],
  during: () => Promise<T>,
): Promise<{ value: T; max: number }> {
  let max = 0;
  const sample = () => {
    for (const pid of pids()) {
      try {
        // A process that has exited (a restart) has no memory lines: NaN, skipped.
        const r = rssOf(pid);
        for (const v of [r.rss, r.hwm]) if (Number.isFinite(v)) max = Math.max(max, v);
      } catch {}
    }
  };
  const timer = setInterval(sample, 50);
  try {
    const value = await during();
    sample();
    return { value, max };
  } finally {
    clearInterval(timer);
  }
}

async function measure(
  dialect: 'sqlite' | 'postgres',
  serverRef: { s: Server },
  env: Record<string, string>,
  t: Traffic,
  reader: string,
  stateReader: string,
  dataDir: string,
  dbUrl: string | undefined,
  loadSeconds: number,
): Promise<SizeFigures> {
  const f: SizeFigures = {
    lines: 0,
    loadSeconds,
    diskBytesPerLine: undefined,
    diskNote: '',
    rssMaxAfterLoading: undefined,
    rssNote: '',
    firstBalanceAfterLoadingMs: undefined,
    everyMbaMs: undefined,
    warmBalanceMs: undefined,
    oneLineIcrMs: undefined,
    oneLineNote: '',
    stateEvaluationMs: undefined,
    stateEvaluationWarmMs: undefined,
    bigIntakeMs: undefined,
    startupMs: undefined,
    firstBalanceAfterRestartMs: undefined,
    transferListMs: undefined,
    transferListNote: '',
    alarmListNote: '',
  };
  const s = () => serverRef.s;
  const get = async (path: string) => {
    let r: Awaited<ReturnType<typeof api>>;
    try {
      r = await api(s().url, reader, 'GET', path);
    } catch (err) {
      await check(s());
      throw err;
    }
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(r.json).slice(0, 300)}`);
    return r;
  };
  const focus = mbaCode('XA', 0);
  const balance = `/api/mbas/${focus}/balances?element=E`;
  resetPeak(s().pid);
  const { max } = await watchRss(
    () => [s().pid],
    async () => {
      // The size's last 100 000-line ICR, timed alone (built and signed before the clock starts).
      const big = t.nextBig();
      f.bigIntakeMs = await submitOrDie(s(), t, big);
      // Every MBA's balance (the first one also brings in whatever the server loads first).
      const t0 = performance.now();
      let first = true;
      for (const state of BENCH_STATES) {
        for (let i = 0; i < MBAS_PER_STATE; i++) {
          const r = await get(`/api/mbas/${mbaCode(state, i)}/balances?element=E`);
          if (first) f.firstBalanceAfterLoadingMs = r.ms;
          first = false;
        }
      }
      f.everyMbaMs = performance.now() - t0;
      const warm: number[] = [];
      for (let k = 0; k < 5; k++) warm.push((await get(balance)).ms);
      f.warmBalanceMs = median(warm);
      f.stateEvaluationMs = (await get('/api/states/XA/evaluation?year=2026')).ms;
      f.stateEvaluationWarmMs = (await get('/api/states/XA/evaluation?year=2026')).ms;
      // The transfer list's first page, as an inspectorate opens it, and the slowest /healthz
      // answer meanwhile (on SQLite a long statement holds the event loop).
      let probing = true;
      let worst = 0;
      const probe = (async () => {
        while (probing) {
          const h0 = performance.now();
          await fetch(`${s().url}/healthz`).catch(() => undefined);
          worst = Math.max(worst, performance.now() - h0);
          await sleep(100);
        }
      })();
      const listed = await get('/api/transfers?limit=50');
      // The rest of what the web app's transfers page asks: each status's total (limit=1), and a
      // state's own first page (its view holds other states' shipments into it, decision 0083).
      const statuses: number[] = [];
      for (const status of ['matched', 'discrepant', 'unmatched', 'pending'])
        statuses.push((await get(`/api/transfers?limit=1&status=${status}`)).ms);
      const own = await api(s().url, stateReader, 'GET', '/api/transfers?limit=50');
      if (own.status !== 200) throw new Error(`GET /api/transfers as XA: ${own.status}`);
      // The alarm list as its page opens (by segments, decision 0085) and sorted by date (every
      // alarm of the view in one statement).
      const alarms = await get('/api/alarms?limit=50');
      const alarmsByDate = await get('/api/alarms?limit=50&sort=date');
      probing = false;
      await probe;
      f.transferListMs = listed.ms;
      f.transferListNote = `${fmt((listed.json as { total?: number }).total)} listed; each status's total ${fmt(Math.min(...statuses))}–${fmt(Math.max(...statuses))} ms; XA's reviewer's first page ${fmt(own.ms)} ms (${fmt((own.json as { total?: number }).total)} listed); /healthz at worst ${fmt(worst)} ms meanwhile`;
      f.alarmListNote = `first page ${fmt(alarms.ms)} ms (${fmt((alarms.json as { total?: number }).total)} alarms), sorted by date ${fmt(alarmsByDate.ms)} ms`;
      // One-line ICRs on the focus MBA (same month as its big ICR), each followed by its balance.
      const reflected: number[] = [];
      let changed = 0;
      let before = JSON.stringify((await get(balance)).json);
      for (let k = 0; k < 3; k++) {
        const body = oneLineBody('XA', 0, FIRST_MONTH, t.number(focus), `${t.lines}-${k}`);
        const t0 = performance.now();
        const res = await postReport(s().url, t.tokens.XA, body, t.sign.XA(body));
        if (res.status !== 201) throw new Error(`one-line ICR refused: ${res.text.slice(0, 300)}`);
        const after = JSON.stringify((await get(balance)).json);
        reflected.push(performance.now() - t0);
        if (after !== before) changed++;
        before = after;
        t.lines += 1;
      }
      f.oneLineIcrMs = median(reflected);
      f.oneLineNote = `POST + GET balances, median of ${reflected.map((x) => x.toFixed(0)).join(', ')} ms; the balance changed after ${changed} of 3`;
      // Restart: the first balance of a fresh process.
      await s().stop();
      serverRef.s = await startServer(env, join(dataDir, 'server.log'));
      f.startupMs = s().startupMs;
      f.firstBalanceAfterRestartMs = (await get(balance)).ms;
      await get(balance);
      // And the whole evaluation again in the fresh process (its memory counts too).
      await get('/api/states/XA/evaluation?year=2026');
    },
  );
  f.rssMaxAfterLoading = max;
  const d = await disk(dialect, dataDir, dbUrl);
  f.lines = d.lines;
  f.diskBytesPerLine = d.perLine;
  f.diskNote = d.note;
  f.rssNote = `peak of 50 ms samples and VmHWM (reset after loading) over every MBA's balance, the annual evaluation, ICR intake, restart and re-evaluation; RSS now ${(rssOf(s().pid).rss / 2 ** 20).toFixed(0)} MiB`;
  return f;
}

async function createPgDatabase(base: string): Promise<string> {
  const name = `custos_scale_${Date.now()}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

async function dropPgDatabase(base: string, url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${new URL(url).pathname.slice(1)} WITH (FORCE)`);
  await admin.end();
}

export async function runDialect(
  dialect: 'sqlite' | 'postgres',
  sizes: readonly number[],
  pgBase: string,
): Promise<DialectRun> {
  const t0 = performance.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'custos-scale-'));
  const dbUrl = dialect === 'postgres' ? await createPgDatabase(pgBase) : undefined;
  const env: Record<string, string> = {
    CUSTOS_DATA_DIR: dataDir,
    CUSTOS_PORT: String(20000 + Math.floor(Math.random() * 20000)),
    CUSTOS_DEMO: '1',
    CUSTOS_LOG_LEVEL: 'warn',
    CUSTOS_BODY_LIMIT_MB: '64',
    ...(dbUrl ? { CUSTOS_DATABASE_URL: dbUrl } : {}),
  };
  const run: DialectRun = { dialect, sizes: [], died: undefined, seconds: 0 };
  const serverRef = { s: await startServer(env, join(dataDir, 'server.log')) };
  /** A failed run keeps its data (and PostgreSQL database) for inspection. */
  let failed = true;
  try {
    log(`scale (${dialect}): server up in ${serverRef.s.startupMs.toFixed(0)} ms; registering 100 MBAs`);
    const creds = credentials(dataDir);
    const { registerWorld } = await import('./scale-world.js');
    await registerWorld(serverRef.s.url, creds);
    const tokens = {
      XA: creds.token('xa-ssac.submitter'),
      XB: creds.token('xb-ssac.submitter'),
    };
    const sign = { XA: signer(dataDir, 'xa-ssac'), XB: signer(dataDir, 'xb-ssac') };
    const t = new Traffic(serverRef.s.url, tokens, sign);
    // Each MBA's initial inventory and a physical inventory at the end of November, so that its
    // balance has a period that the month's ICRs (and a late one-line ICR) change.
    for (const state of BENCH_STATES) {
      for (let i = 0; i < MBAS_PER_STATE; i++) {
        for (const body of [initialBody(mbaCode(state, i)), pilBody(mbaCode(state, i))]) {
          const r = await postReport(serverRef.s.url, tokens[state], body, sign[state](body));
          if (r.status !== 201) throw new Error(`inventory report refused: ${r.text.slice(0, 300)}`);
        }
      }
    }
    const reader = creds.token('agency.reviewer');
    const stateReader = creds.token('xa-ssac.reviewer');
    for (const size of sizes) {
      const l0 = performance.now();
      try {
        // The last ICR of the size is the measured 100 000-line intake (measure).
        await loadTo(serverRef.s, t, size - ICR_LINES);
        const loadSeconds = (performance.now() - l0) / 1000;
        log(
          `scale (${dialect}): ${t.lines.toLocaleString('en')} lines loaded in ${loadSeconds.toFixed(0)} s; measuring`,
        );
        const f = await measure(dialect, serverRef, env, t, reader, stateReader, dataDir, dbUrl, loadSeconds);
        log(`scale (${dialect}) at ${size.toLocaleString('en')}: ${JSON.stringify(f)}`);
        run.sizes.push(f);
      } catch (err) {
        if (err instanceof ServerDied || serverRef.s.exited()) {
          const tail = readFileSync(join(dataDir, 'server.log'), 'utf8')
            .trim()
            .split('\n')
            .slice(-3)
            .join(' / ');
          run.died = `at ~${t.lines.toLocaleString('en')} lines stored, loading towards ${size.toLocaleString('en')}: ${String(err)}; server log: ${tail.slice(0, 400)}`;
          log(`scale (${dialect}): ${run.died}`);
          break;
        }
        throw err;
      }
    }
    failed = run.died !== undefined;
  } finally {
    await serverRef.s.stop();
    if (failed || process.env.CUSTOS_BENCH_KEEP_DATA === '1') {
      log(`scale (${dialect}): kept for inspection: ${dataDir}${dbUrl ? ` and ${dbUrl}` : ''} (server.log)`);
    } else {
      if (dbUrl) await dropPgDatabase(pgBase, dbUrl);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  run.seconds = (performance.now() - t0) / 1000;
  return run;
}

const fmt = (v: number | undefined, digits = 0) =>
  v === undefined || Number.isNaN(v)
    ? '—'
    : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ok = (v: number | undefined, limit: number) => (v === undefined ? '' : v <= limit ? ' ✓' : ' ✗');

/** The BENCHMARKS.md block of one scale run. */
export function scaleMarkdown(runs: readonly DialectRun[], started: Date, label: string): string {
  const out: string[] = [];
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {}
  const commit = commitOf();
  out.push(`### ${label}`, '');
  out.push(
    `_${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, commit ${commit}; ${cpu}, ${cpus().length} cores, ${(totalmem() / GiB).toFixed(1)} GiB RAM, Node ${process.version}; load average ${loadavg()[0]?.toFixed(2)} at the end. ✓/✗: the issue's target._`,
    '',
  );
  for (const r of runs) {
    out.push(
      `**${r.dialect === 'sqlite' ? 'SQLite (WAL, synchronous=FULL)' : 'PostgreSQL'}** — ${fmt(r.seconds / 60, 1)} min in all`,
      '',
    );
    out.push(
      "| lines stored | loaded in | disk / line (≤ 250 B) | server RSS max after loading (≤ 1 GiB) | first balance after restart (≤ 200 ms) | warm balance (≤ 20 ms) | 1-line ICR → balance (≤ 200 ms) | state annual evaluation (≤ 1 s) | 100 000-line ICR intake (≤ 1 s) | every MBA's balance, 100 MBAs | server start | transfer list, first page (no target) |",
      '|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    );
    for (const f of r.sizes) {
      out.push(
        `| ${fmt(f.lines)} | ${fmt(f.loadSeconds)} s | ${fmt(f.diskBytesPerLine)} B${ok(f.diskBytesPerLine, 250)} | ${fmt((f.rssMaxAfterLoading ?? Number.NaN) / GiB, 2)} GiB${ok(f.rssMaxAfterLoading, GiB)} | ${fmt(f.firstBalanceAfterRestartMs)} ms${ok(f.firstBalanceAfterRestartMs, 200)} | ${fmt(f.warmBalanceMs, 1)} ms${ok(f.warmBalanceMs, 20)} | ${fmt(f.oneLineIcrMs)} ms${ok(f.oneLineIcrMs, 200)} | ${fmt(f.stateEvaluationMs)} ms${ok(f.stateEvaluationMs, 1000)} (again ${fmt(f.stateEvaluationWarmMs)} ms) | ${fmt(f.bigIntakeMs)} ms${ok(f.bigIntakeMs, 1000)} | ${fmt((f.everyMbaMs ?? Number.NaN) / 1000, 1)} s (first ${fmt(f.firstBalanceAfterLoadingMs)} ms) | ${fmt(f.startupMs)} ms | ${fmt(f.transferListMs)} ms |`,
      );
    }
    if (r.died) out.push(`| **died** ${r.died.replace(/\|/g, '\\|')} | | | | | | | | | | | |`);
    out.push('');
    for (const f of r.sizes)
      out.push(
        `- ${fmt(f.lines)} lines: disk ${f.diskNote}; 1-line ICR: ${f.oneLineNote}; transfer list: ${f.transferListNote}; alarm list: ${f.alarmListNote}.`,
      );
    out.push('');
  }
  return out.join('\n');
}

const BEGIN = '<!-- scale:begin -->';
const END = '<!-- scale:end -->';

const INTRO = [
  '## Scale (issue 14)',
  '',
  'Written by `npm run bench -- scale` (bench/scale.bench.ts; options `--sizes 100000,1000000,10000000`,',
  '`--dialects sqlite,postgres`, `--label TEXT`, `--keep` to keep earlier runs below). A real server',
  '(`custos serve`) in its own process, loaded over HTTP with signed 100 000-line monthly ICRs over 100',
  'MBAs of two states (each MBA ships half its lines to the next MBA of its ring and receives the other',
  'half from the previous one), then measured at each size. "RSS max after loading" covers every MBA\'s',
  'balance, the annual evaluation, a one-line and a 100 000-line ICR, a restart and the evaluation again.',
  '',
].join('\n');

function readFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The scale block of BENCHMARKS.md as it stands (markers included), or ''. */
export function existingScaleBlock(file: string): string {
  const text = readFile(file);
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  return start >= 0 && end > start ? text.slice(start, end + END.length) : '';
}

/** Put a scale run's block into BENCHMARKS.md, above `older` runs if given; the rest of the file stays. */
export function writeScaleBlock(file: string, block: string, older: string): void {
  const text = readFile(file);
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  const section = `${BEGIN}\n${INTRO}\n${block}\n${older ? `\n${older}\n` : ''}${END}`;
  const next =
    start >= 0 && end > start
      ? `${text.slice(0, start)}${section}${text.slice(end + END.length)}`
      : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}

export async function benchScale(argv: readonly string[]): Promise<void> {
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sizes = (opt('--sizes') ?? '100000,1000000,10000000').split(',').map(Number);
  const dialects = (opt('--dialects') ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];
  const pgBase = process.env.CUSTOS_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const out = opt('--out') ?? join(ROOT, 'BENCHMARKS.md');
  const label = opt('--label') ?? `Run of ${new Date().toISOString().slice(0, 10)}`;
  const started = new Date();
  const previous = existingScaleBlock(out);
  const older = argv.includes('--keep')
    ? previous
        .slice(BEGIN.length, previous.length - END.length)
        .replace(INTRO, '')
        .trim()
    : '';
  const runs: DialectRun[] = [];
  for (const d of dialects) {
    runs.push(await runDialect(d, sizes, pgBase));
    writeScaleBlock(out, scaleMarkdown(runs, started, label), older);
  }
  log(`wrote the scale block of ${out}`);
}
