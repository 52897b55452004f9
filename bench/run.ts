/**
 * `npm run bench` — every performance target of the issues, measured in one run, printed as a
 * table and written to BENCHMARKS.md (figures are measured, never typed in; a miss is a FAIL with
 * its number). Each section runs in its own process with its own temp data dir (SQLite WAL,
 * synchronous=FULL), so that one section's heap and caches do not colour the next, and so that
 * peak memory can be read per process.
 *
 *   npm run bench                  full run (several minutes), rewrites BENCHMARKS.md
 *   npm run bench -- --quick       reduced sizes (< 1 minute), prints the table only
 *   npm run bench -- --out F.md    also/instead write the markdown to F.md
 *   npm run bench -- scale         only the scale section (issue 14; long: see bench/scale.bench.ts),
 *                                  rewrites only its block of BENCHMARKS.md
 *   npm run bench -- monitoring    only the monitoring section (issue 18), rewrites only its block;
 *                                  add --memory [--devices N --minutes M] for the 10 000-device run
 *   npm run bench -- intake        only the intake section (issue 15 item 9: /healthz while a 60 MB
 *                                  CSV is submitted, peak memory), rewrites only its block
 *   npm run bench -- federation    only the federation section (issue 17: propagation, catch-up, a
 *                                  100 000-line ICR; add --catchup N), rewrites only its block
 *   npm run bench -- history       only the history section (issue 14: a notice, a state's
 *                                  obligations, a page of inspections beside a long history),
 *                                  rewrites only its block
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchEngine } from './engine.bench.js';
import { commitOf, type Figure, log, parseFigures, ROOT, runChild, verdict } from './lib.js';
import { benchScale, existingScaleBlock } from './scale.bench.js';
import { benchWeb } from './web.bench.js';

const quick = process.argv.includes('--quick');
const INTAKE_TITLE = 'Intake (issue 15)';
const INTAKE_BEGIN = '<!-- intake:begin -->';
const INTAKE_END = '<!-- intake:end -->';
const MONITORING_BEGIN = '<!-- monitoring:begin -->';
const MONITORING_END = '<!-- monitoring:end -->';
const MEMORY_TITLE = 'Monitoring (issue 18): 10 000 devices';
const MEMORY_BEGIN = '<!-- monitoring-memory:begin -->';
const MEMORY_END = '<!-- monitoring-memory:end -->';
const INTAKE_METHOD =
  "_Method (bench/intake.bench.ts): `custos serve` in its own process on SQLite (a body of 4 MiB or more is examined and stored on its intake thread, decision 0078); one signed ICR of 900 000 lines as CSV (≈ 61 MB) is POSTed while another process asks GET /healthz every 20 ms until the answer arrives; memory is the server's VmHWM minus its idle VmRSS before the upload, divided by the body size. Refresh with `npm run bench -- intake`._";
const MONITORING_TITLE = 'Monitoring (issue 18)';
const MONITORING_METHOD =
  '_Method (bench/monitoring.bench.ts): `custos serve` in its own process on SQLite (WAL, synchronous=FULL) with CUSTOS_MQTT_URL set to the local Mosquitto; the load generator (pre-signed batches, 64 devices at once, each in order) runs in the bench process on the same 2 cores. The 10 000-device memory run is `npm run bench -- monitoring --memory` (its block is kept by the other runs)._';
const FEDERATION_TITLE = 'Federation (issue 17)';
const FEDERATION_BEGIN = '<!-- federation:begin -->';
const FEDERATION_END = '<!-- federation:end -->';
const FEDERATION_METHOD =
  "_Method (bench/federation.bench.ts): a regional node R and an agency node A, each `custos serve` in its own process with its own SQLite database (WAL, synchronous=FULL) and the default 1 s checkpoint interval, peered with an arrangement (R sends XA's key registrations and reports to A); the load generator and A's pollers run in the bench process on the same 2 cores. Propagation: signed ICRs of 1–20 lines offered to R at 50/s open loop (XA's three MBAs, each in order), time from each 201 until GET /api/reports/:id on A answers 200. Catch-up: A stopped, N reports accepted on R, A started; N over the time from A's first received record to its last (R's GET /api/peers). Big ICR: one signed 100 000-line ICR, time from its 201 on R until A has verified and stored it (A's GET /api/records/:id/provenance answers its two-log chain; until decision 0071 the figure ran until GET /api/reports/:id had served all its lines, which is now timed apart in the note). The machine is shared with other engineers' work: read the load average. Refresh with `npm run bench -- federation [--catchup N]`._";
const HISTORY_TITLE = 'History (issue 14): work that must not grow with what is stored';
const HISTORY_BEGIN = '<!-- history:begin -->';
const HISTORY_END = '<!-- history:end -->';
const HISTORY_METHOD =
  "_Method (bench/history.bench.ts): one process, a demo world on SQLite (WAL, synchronous=FULL) through the real submission path where it matters (the export flow's ICR, the notices, the inspection list's GET); the report headers and inspections are inserted directly, and the headers' first acceptances built as migration 0046 does. Each figure's reference point is measured in the same run: what the code did before the decision named. Refresh with `npm run bench -- history`._";
const outIx = process.argv.indexOf('--out');
const outFile = outIx > 0 ? process.argv[outIx + 1] : quick ? undefined : join(ROOT, 'BENCHMARKS.md');
const flag = quick ? ['--quick'] : [];

interface Machine {
  cpu: string;
  cores: number;
  ramGb: number;
  node: string;
  os: string;
}

function machine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    cpu = /^model name\s*:\s*(.*)$/m.exec(info)?.[1]?.trim() ?? cpu;
  } catch {}
  let os = `${process.platform} ${release()}`;
  try {
    const rel = readFileSync('/etc/os-release', 'utf8');
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(rel)?.[1];
    if (pretty) os = `${pretty}, kernel ${release()}`;
  } catch {}
  return { cpu, cores: cpus().length, ramGb: totalmem() / 1024 ** 3, node: process.version, os };
}

interface SectionRun {
  readonly title: string;
  readonly figures: Figure[];
  readonly seconds: number;
  readonly load: [number, number];
  /** A line under the section's heading (a section run on its own says where and when). */
  context?: string;
}

async function section(title: string, run: () => Promise<Figure[]> | Figure[]): Promise<SectionRun> {
  const load0 = loadavg()[0] ?? 0;
  const t0 = performance.now();
  let figures: Figure[];
  try {
    figures = await run();
  } catch (err) {
    figures = [
      {
        section: title,
        name: `${title} benchmarks`,
        value: undefined,
        unit: '',
        note: `failed: ${String(err)}`,
      },
    ];
  }
  return { title, figures, seconds: (performance.now() - t0) / 1000, load: [load0, loadavg()[0] ?? 0] };
}

async function child(name: string, script: string, args: string[]): Promise<Figure[]> {
  return parseFigures(name, await runChild(script, [...args, ...flag]));
}

function fmt(value: number | undefined, unit: string): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return '∞';
  let digits = 0;
  if (unit === '×') digits = value < 0.01 ? 4 : value < 10 ? 2 : 1;
  else if (Math.abs(value) < 10) digits = 2;
  else if (Math.abs(value) < 100) digits = 1;
  return `${value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

/** In --quick the workloads are smaller than the targets assume: a verdict is only indicative. */
function shownVerdict(f: Figure): string {
  const v = verdict(f);
  return quick && (v === 'PASS' || v === 'FAIL') ? `${v} (reduced size)` : v;
}

function targetText(f: Figure): string {
  return f.target
    ? `${f.target.op === '>=' ? '≥' : '≤'} ${f.target.value.toLocaleString('en-US')} ${f.unit}`
    : '';
}

function printTable(runs: readonly SectionRun[]): void {
  const rows = runs.flatMap((r) =>
    r.figures.map((f) => [
      r.title,
      f.name.length > 78 ? `${f.name.slice(0, 77)}…` : f.name,
      `${fmt(f.value, f.unit)} ${f.unit}`,
      targetText(f),
      shownVerdict(f),
    ]),
  );
  const head = ['section', 'figure', 'measured', 'target', 'result'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of rows) console.log(line(r));
}

const esc = (s: string) => s.replace(/\|/g, '\\|');

/** One section's table; the intake section is wrapped in markers so `bench -- intake` can replace it. */
function sectionMarkdown(r: SectionRun): string[] {
  const out: string[] = [];
  if (r.title === INTAKE_TITLE) out.push(INTAKE_BEGIN);
  if (r.title === MONITORING_TITLE) out.push(MONITORING_BEGIN);
  if (r.title === MEMORY_TITLE) out.push(MEMORY_BEGIN);
  if (r.title === FEDERATION_TITLE) out.push(FEDERATION_BEGIN);
  if (r.title === HISTORY_TITLE) out.push(HISTORY_BEGIN);
  out.push(`## ${r.title}`);
  out.push('');
  out.push(
    `_${r.seconds.toFixed(0)} s; load average ${r.load[0].toFixed(2)} → ${r.load[1].toFixed(2)} during this section._`,
  );
  out.push('');
  if (r.context) out.push(r.context, '');
  out.push('| Figure | Measured | Target | Result | Notes |', '|---|--:|--:|:-:|---|');
  for (const f of r.figures) {
    const v = shownVerdict(f);
    const shown = v.startsWith('FAIL') ? `**${v}**` : v === 'n/a' ? '' : v;
    out.push(
      `| ${esc(f.name)} | ${fmt(f.value, f.unit)} ${esc(f.unit)} | ${esc(targetText(f))} | ${shown} | ${esc(f.note ?? '')} |`,
    );
  }
  if (r.title === INTAKE_TITLE) out.push('', INTAKE_METHOD, INTAKE_END);
  if (r.title === MONITORING_TITLE) out.push('', MONITORING_METHOD, MONITORING_END);
  if (r.title === MEMORY_TITLE) out.push(MEMORY_END);
  if (r.title === FEDERATION_TITLE) out.push('', FEDERATION_METHOD, FEDERATION_END);
  if (r.title === HISTORY_TITLE) out.push('', HISTORY_METHOD, HISTORY_END);
  out.push('');
  return out;
}

function markdown(
  m: Machine,
  runs: readonly SectionRun[],
  started: Date,
  seconds: number,
  load: number[],
): string {
  const all = runs.flatMap((r) => r.figures);
  const targets = all.filter((f) => f.target);
  const fails = targets.filter((f) => verdict(f) === 'FAIL');
  const unmeasured = all.filter((f) => verdict(f) === 'not measured');
  const passes = targets.filter((f) => verdict(f) === 'PASS');
  const out: string[] = [];
  out.push('# Benchmarks');
  out.push('');
  out.push(
    'Written by `npm run bench` (bench/run.ts); every figure below was measured in the run described here —',
    'rerun it to refresh this file. Targets come from the issues (log: 3, reports: 4, engine: 5, cases: 6,',
    'web: 8). They are benchmarks, not timed tests: a missed target shows here as FAIL with its number.',
  );
  out.push('');
  out.push('## Machine and run');
  out.push('');
  out.push('| | |', '|---|---|');
  out.push(`| CPU | ${esc(m.cpu)} |`);
  out.push(`| Cores | ${m.cores} |`);
  out.push(`| RAM | ${m.ramGb.toFixed(1)} GiB |`);
  out.push(`| Node | ${m.node} |`);
  out.push(`| OS | ${esc(m.os)} |`);
  out.push(`| Date | ${started.toISOString().slice(0, 19).replace('T', ' ')} UTC |`);
  out.push(`| Mode | ${quick ? 'quick (reduced sizes)' : 'full'}; ${seconds.toFixed(0)} s in all |`);
  out.push(
    `| Load average (1 min) | ${load.map((l) => l.toFixed(2)).join(' at start, ')} at end (other processes on the machine compete for the ${m.cores} cores; see each section) |`,
  );
  const peak = Math.max(...load, ...runs.flatMap((r) => r.load));
  out.push(
    `| CPU share (estimate) | with a load average up to ${peak.toFixed(1)} on ${m.cores} cores, a single-threaded benchmark got roughly ${Math.round((100 * m.cores) / Math.max(m.cores, peak))}% of a core or more; figures on an idle machine would be correspondingly higher |`,
  );
  out.push(
    "| Storage | SQLite, WAL, synchronous=FULL (every commit fsync'd), a fresh temp data dir per section |",
  );
  out.push('');
  out.push(
    `**Summary:** ${passes.length} of ${targets.length} targets met` +
      (fails.length ? `; missed: ${fails.map((f) => `${f.section} — ${shortName(f)}`).join('; ')}` : '') +
      (unmeasured.length
        ? `; not measured: ${unmeasured.map((f) => `${f.section} — ${shortName(f)}`).join('; ')}`
        : '') +
      '.',
  );
  out.push('');
  for (const r of runs) out.push(...sectionMarkdown(r));
  out.push('## Method');
  out.push('');
  out.push(
    '- **Log**: `appendRecords` (src/services/records.ts) in transactions of 1 000 entries from 4 concurrent',
    '  writers (one SQLite writer serialises their commits) while an integrator loop calls',
    '  `createLogNode(ports).flush(false)`; the clock stops when every entry is integrated and a checkpoint',
    '  covers them all. Checkpoint latency: an open-loop writer offers 10 000 entries/s while',
    "  `createLogNode(ports).start()` runs with CUSTOS_CHECKPOINT_MS=1000; each entry's latency is the time",
    "  from its transaction's commit to the first `onCheckpoint` whose size covers it. Inclusion proofs:",
    '  `LogReader.inclusionProof` at pseudo-random indices, 4 concurrent callers. Tiles: the real Fastify app',
    '  listening on 127.0.0.1, autocannon (50 connections) in a separate process cycling over every full',
    "  level-0 tile. References: `crypto.hash('sha256')` calls/s, merkletreejs on the same leaves.",
    '- **Reports**: one process per format; a demo world (tests/fixtures/app.ts), an INITIAL report for XA-F1,',
    '  then a signed one-month ICR (receipts RD, unique batches, KMP A, element E) through `app.inject`',
    "  until its 201; peak memory is that process's `resourceUsage().maxRSS` (demo world included; the body",
    '  is generated by another process and read from a file, so the generator does not count).',
    "- **Engine**: src/domain/accounting/evaluate.bench.ts (the engine author's generators and timings), run",
    '  as a child; its printed figures are read back.',
    "- **Web**: web/dist/index.html's module scripts and modulepreloads, gzip level 9; the chart render in",
    "  headless Debian Chromium (playwright-core) on the app's /bench/balance-chart?periods=120 page, which draws",
    "  the evaluation screen's charts over 120 synthetic monthly periods (bench/chart.bench.ts).",
  );
  out.push('');
  return out.join('\n');
}

function shortName(f: Figure): string {
  const cut = f.name.indexOf(' (');
  return cut > 0 ? f.name.slice(0, cut) : f.name;
}

async function main() {
  const started = new Date();
  const t0 = performance.now();
  const load0 = loadavg()[0] ?? 0;
  const m = machine();
  log(`Custos benchmarks${quick ? ' (quick)' : ''} on ${m.cpu}, ${m.cores} cores, Node ${m.node}`);
  const runs: SectionRun[] = [];
  runs.push(await section('Log (issue 3)', () => child('log', 'bench/log.bench.ts', [])));
  runs.push(
    await section('Reports (issue 4)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'custos-bench-body-'));
      try {
        const figures: Figure[] = [];
        for (const format of ['json', 'csv']) {
          const file = join(dir, `icr.${format}`);
          await runChild('bench/reports.bench.ts', ['build', format, file, ...flag]);
          figures.push(...(await child('reports', 'bench/reports.bench.ts', [format, file])));
        }
        return figures;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }),
  );
  runs.push(
    await section('Engine (issue 5)', async () => {
      // The engine author's script has fixed sizes (1.2 M lines, 1 M transfers): too long for --quick.
      const figures: Figure[] = quick
        ? [
            {
              section: 'engine',
              name: 'Engine benchmarks',
              value: undefined,
              unit: '',
              note: 'skipped in --quick',
            },
          ]
        : await benchEngine();
      return figures;
    }),
  );
  runs.push(
    await section('Cases (issue 6)', async () => {
      if (!existsSync(join(ROOT, 'bench', 'cases.bench.ts')))
        return [
          {
            section: 'cases',
            name: 'Case benchmarks',
            value: undefined,
            unit: '',
            note: 'not measured yet (bench/cases.bench.ts does not exist)',
          },
        ];
      return child('cases', 'bench/cases-child.ts', []);
    }),
  );
  runs.push(
    await section('Web (issue 8)', async () => [
      ...benchWeb(),
      ...(await child('web', 'bench/chart.bench.ts', [])),
    ]),
  );
  runs.push(await section(INTAKE_TITLE, intakeFigures));
  runs.push(await section(MONITORING_TITLE, () => child('monitoring', 'bench/monitoring.bench.ts', [])));
  runs.push(await section(FEDERATION_TITLE, () => child('federation', 'bench/federation.bench.ts', [])));
  runs.push(await section(HISTORY_TITLE, () => child('history', 'bench/history.bench.ts', [])));
  // The service-level engine figures are measured in the reports process (it has the store with
  // the big ICR); show them with the engine.
  const reportsRun = runs[1];
  const engineRun = runs[2];
  if (reportsRun && engineRun) {
    engineRun.figures.push(...reportsRun.figures.filter((f) => f.section === 'engine'));
    reportsRun.figures.splice(
      0,
      reportsRun.figures.length,
      ...reportsRun.figures.filter((f) => f.section !== 'engine'),
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  printTable(runs);
  const load = [load0, loadavg()[0] ?? 0];
  if (outFile) {
    // The scale section runs on its own (`npm run bench -- scale`); its last block is kept.
    const scale = existingScaleBlock(outFile);
    // So does the monitoring memory run (`npm run bench -- monitoring --memory`, 10 minutes).
    const text = existsSync(outFile) ? readFileSync(outFile, 'utf8') : '';
    const a = text.indexOf(MEMORY_BEGIN);
    const b = text.indexOf(MEMORY_END);
    const memory = a >= 0 && b > a ? text.slice(a, b + MEMORY_END.length) : '';
    writeFileSync(
      outFile,
      `${markdown(m, runs, started, seconds, load)}${memory ? `\n${memory}\n` : ''}${scale ? `\n${scale}\n` : ''}`,
    );
    log(`\nwrote ${outFile} (${seconds.toFixed(0)} s)`);
  } else log(`\n${seconds.toFixed(0)} s; --quick does not rewrite BENCHMARKS.md (use --out <file>)`);
  const failed = runs.flatMap((r) => r.figures).filter((f) => verdict(f) === 'FAIL').length;
  log(`${failed} target(s) missed`);
}

/** The intake figures (issue 15 item 9): body built by one process, measured against a real server. */
async function intakeFigures(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'custos-bench-intake-'));
  try {
    const file = join(dir, 'intake.csv');
    await runChild('bench/intake.bench.ts', ['build', file, ...flag]);
    return await child('intake', 'bench/intake.bench.ts', ['run', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `npm run bench -- intake`: only the intake section, written over its block of BENCHMARKS.md. */
async function intakeOnly(): Promise<void> {
  const r = await section(INTAKE_TITLE, intakeFigures);
  printTable([r]);
  if (!outFile || quick) return;
  const text = existsSync(outFile) ? readFileSync(outFile, 'utf8') : '';
  const block = sectionMarkdown(r).join('\n').trimEnd();
  const start = text.indexOf(INTAKE_BEGIN);
  const end = text.indexOf(INTAKE_END);
  const method = text.indexOf('\n## Method');
  const next =
    start >= 0 && end > start
      ? `${text.slice(0, start)}${block}${text.slice(end + INTAKE_END.length)}`
      : method >= 0
        ? `${text.slice(0, method)}\n${block}\n${text.slice(method)}`
        : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(outFile, next);
  log(`wrote the intake block of ${outFile}`);
}

/** Writes a section's block over the one between its markers (or before ## Method). */
function replaceBlock(r: SectionRun, begin: string, end: string, title: string): void {
  if (!outFile || quick) return;
  const text = existsSync(outFile) ? readFileSync(outFile, 'utf8') : '';
  const block = sectionMarkdown(r).join('\n').trimEnd();
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  const method = text.indexOf('\n## Method');
  const next =
    start >= 0 && stop > start
      ? `${text.slice(0, start)}${block}${text.slice(stop + end.length)}`
      : method >= 0
        ? `${text.slice(0, method)}\n${block}\n${text.slice(method)}`
        : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(outFile, next);
  log(`wrote the ${title} block of ${outFile}`);
}

/**
 * A section run on its own, with the machine, the date, the commit and the load average sampled
 * every 5 s during it: the machine may be shared with other work, and the figures depend on it.
 */
async function sampledSection(title: string, run: () => Promise<Figure[]>): Promise<SectionRun> {
  const started = new Date();
  const samples: number[] = [loadavg()[0] ?? 0];
  const sampler = setInterval(() => samples.push(loadavg()[0] ?? 0), 5000);
  const r = await section(title, run);
  clearInterval(sampler);
  const m = machine();
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const load = `1-minute load average ${mean.toFixed(1)} on average (${Math.min(...samples).toFixed(1)}–${Math.max(...samples).toFixed(1)}, sampled every 5 s) on ${m.cores} cores`;
  r.context =
    `_Run on its own: ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, commit ${commitOf()}; ${m.cpu}, ${m.cores} cores, ` +
    `${m.ramGb.toFixed(1)} GiB, Node ${m.node}, ${m.os}. ` +
    (mean > 2
      ? `The machine was shared with other work: ${load}, so the servers and the load generator got a fraction of a core each; on an idle machine the figures would be better._`
      : `The machine was otherwise idle: ${load}._`);
  return r;
}

/**
 * `npm run bench -- monitoring [--memory …]`: only the monitoring section. The memory run (10
 * minutes) writes a block of its own, which the other runs keep.
 */
async function monitoringOnly(): Promise<void> {
  const memory = process.argv.includes('--memory');
  const extra = process.argv.slice(3).filter((a) => a !== '--quick');
  const title = memory ? MEMORY_TITLE : MONITORING_TITLE;
  const r = await sampledSection(title, () => child('monitoring', 'bench/monitoring.bench.ts', extra));
  printTable([r]);
  if (memory) replaceBlock(r, MEMORY_BEGIN, MEMORY_END, 'memory');
  else replaceBlock(r, MONITORING_BEGIN, MONITORING_END, 'monitoring');
}

/** `npm run bench -- federation [--catchup N]`: only the federation section, over its block. */
async function federationOnly(): Promise<void> {
  const extra = process.argv.slice(3).filter((a) => a !== '--quick');
  const r = await sampledSection(FEDERATION_TITLE, () =>
    child('federation', 'bench/federation.bench.ts', extra),
  );
  printTable([r]);
  replaceBlock(r, FEDERATION_BEGIN, FEDERATION_END, 'federation');
}

/** `npm run bench -- history`: only the history section, over its block. */
async function historyOnly(): Promise<void> {
  const r = await sampledSection(HISTORY_TITLE, () => child('history', 'bench/history.bench.ts', []));
  printTable([r]);
  replaceBlock(r, HISTORY_BEGIN, HISTORY_END, 'history');
}

const mode = process.argv[2];
(mode === 'scale'
  ? benchScale(process.argv.slice(3))
  : mode === 'intake'
    ? intakeOnly()
    : mode === 'monitoring'
      ? monitoringOnly()
      : mode === 'federation'
        ? federationOnly()
        : mode === 'history'
          ? historyOnly()
          : main()
).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
