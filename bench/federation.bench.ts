/**
 * Issue 17 targets: a regional node R and an agency node A, each `custos serve` in its own process
 * with its own SQLite database (WAL, synchronous=FULL) and the product's default checkpoint
 * interval, peered with an arrangement (R sends XA's key registrations and reports to A), on the
 * same 2 cores as the load generator.
 *
 * - Propagation: signed ICRs (1–20 lines) offered to R at 50/s open loop (XA's three MBAs, each in
 *   order); for each, the time from its 201 on R until GET /api/reports/:id on A answers 200 (one
 *   poller per MBA asks for its oldest report not yet seen every 20 ms: delivery is in order).
 * - Catch-up: A is stopped, N forwardable reports are accepted on R, A is started again; the rate
 *   is N over the time from A's first received record to its last (R's GET /api/peers figures,
 *   every 250 ms). The wait from A's return to the first delivery (R's retry backoff) is shown beside.
 * - Big ICR: one signed 100 000-line ICR; the time from its 201 on R until A has verified and
 *   stored it (A's provenance of it answers: A checked the state's signature, R's inclusion proof
 *   and checkpoint, and stored the report and its own record in one transaction). Reading the
 *   100 000 lines back (GET /api/reports/:id) is timed apart: serialising them is not forwarding.
 *
 *   node --import tsx bench/federation.bench.ts [--quick] [--catchup N] [--only propagation,big,catchup]
 *   (prints BENCH_RESULT; --only runs the named parts alone, for profiling one of them)
 */
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { openPorts, prepareNode } from '../src/services/runtime.js';
import {
  demoSeedOf,
  icrBody,
  postReport,
  type RunningNode,
  startNode,
  tempDir,
  tokenOf,
} from '../tests/reliability/harness.js';
import { emit, type Figure, log, percentile, ROOT, sleep } from './lib.js';

const S = 'federation';
const quick = process.argv.includes('--quick');
const catchupIx = process.argv.indexOf('--catchup');
/** The target scenario holds 20 000 (fewer with --catchup N or --quick; the block says how many). */
const CATCHUP_N = catchupIx > 0 ? Number(process.argv[catchupIx + 1]) : quick ? 500 : 20_000;
const onlyIx = process.argv.indexOf('--only');
const parts = new Set(
  onlyIx > 0 ? String(process.argv[onlyIx + 1]).split(',') : ['propagation', 'big', 'catchup'],
);
const RATE = 50;
const PROPAGATION_SECONDS = quick ? 10 : 40;
const BIG_LINES = quick ? 10_000 : 100_000;
const XA_MBAS = ['XA-F1', 'XA-S1', 'XA-R1'] as const;

interface Node {
  readonly name: 'regional' | 'agency';
  readonly dataDir: string;
  readonly env: Record<string, string>;
  readonly url: string;
  adminToken: string;
  proc?: RunningNode;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function makeNode(name: Node['name'], root: string): Promise<Node> {
  const port = await freePort();
  const dataDir = join(root, name);
  const env = {
    CUSTOS_LOG_ORIGIN: `${name}.bench.custos/log`,
    CUSTOS_PORT: String(port),
    CUSTOS_SCRYPT_LOG2N: '10',
    CUSTOS_LOG_LEVEL: 'error',
  };
  // The demo world's registry and users; no demo reports (each node has its own registry).
  const ports = await openPorts(loadConfig({ CUSTOS_DATA_DIR: dataDir, CUSTOS_DEMO: '1', ...env }, ROOT));
  try {
    await prepareNode(ports, { demo: true, demoReports: false });
  } finally {
    await ports.db.close();
  }
  return { name, dataDir, env, url: `http://127.0.0.1:${port}`, adminToken: '' };
}

async function start(n: Node): Promise<void> {
  n.proc = startNode({ dataDir: n.dataDir, env: n.env });
  await n.proc.ready;
  n.adminToken = readFileSync(join(n.dataDir, 'admin.token'), 'utf8').trim();
}

async function api<T = Record<string, unknown>>(
  n: Node,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${n.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${n.adminToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

async function peer(r: Node, a: Node): Promise<string> {
  const register = async (at: Node, other: Node) => {
    const id = await api(other, 'GET', '/api/node');
    return String(
      (
        await api(at, 'POST', '/api/peers', {
          name: other.name,
          url: other.url,
          logKey: id.logKey,
          nodeKey: id.nodeKey,
        })
      ).id,
    );
  };
  const aAtR = await register(r, a);
  const rAtA = await register(a, r);
  const scope = {
    states: ['XA'],
    kinds: ['key-registration', 'report'],
    from: new Date().toISOString().slice(0, 10),
  };
  await api(r, 'POST', '/api/arrangements', { peer: aAtR, direction: 'send', ...scope });
  await api(a, 'POST', '/api/arrangements', { peer: rAtA, direction: 'receive', ...scope });
  return aAtR;
}

/** R's delivery figures for A (GET /api/peers). */
async function delivery(
  r: Node,
  peerId: string,
): Promise<{ pending: number; delivered: number; dead: number }> {
  type Listed = { id: string; delivery: { pending: number; delivered: number; dead: number } };
  const p = (await api<Listed[]>(r, 'GET', '/api/peers')).find((x) => x.id === peerId);
  if (!p) throw new Error('R does not list A');
  return p.delivery;
}

async function readable(a: Node, id: string): Promise<boolean> {
  const res = await fetch(`${a.url}/api/reports/${encodeURIComponent(id)}`, {
    headers: { authorization: `Bearer ${a.adminToken}` },
  });
  await res.arrayBuffer();
  return res.status === 200;
}

/** Report numbers per MBA on R (the bench is the only submitter). */
const next = new Map<string, number>(XA_MBAS.map((m) => [m, 1]));

async function submit(r: Node, mba: string, lines: number): Promise<string> {
  const n = next.get(mba) as number;
  const res = await postReport(
    r.url,
    tokenOf(r.dataDir, 'xa-ssac.submitter'),
    demoSeedOf(r.dataDir, 'xa-ssac'),
    icrBody(mba, n, lines),
  );
  if (res.status !== 201 || !res.json.id)
    throw new Error(`${mba} #${n}: ${res.status} ${JSON.stringify(res.json).slice(0, 300)}`);
  next.set(mba, n + 1);
  return res.json.id;
}

/** 50 reports/s offered for the duration; answers each report's propagation time (ms). */
async function propagation(
  r: Node,
  a: Node,
): Promise<{ latencies: number[]; offered: number; achieved: number }> {
  const total = RATE * PROPAGATION_SECONDS;
  const latencies: number[] = [];
  const queues = new Map<string, { id: string; at: number }[]>(XA_MBAS.map((m) => [m, []]));
  let submitting = true;
  const t0 = performance.now();
  // One submitter per MBA, each report at its scheduled time or as soon as the previous one is answered.
  const submitters = XA_MBAS.map(async (mba, k) => {
    for (let i = k; i < total; i += XA_MBAS.length) {
      const due = t0 + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const id = await submit(r, mba, 1 + (i % 20));
      queues.get(mba)?.push({ id, at: performance.now() });
    }
  });
  const pollers = XA_MBAS.map(async (mba) => {
    const q = queues.get(mba) as { id: string; at: number }[];
    while (submitting || q.length > 0) {
      const head = q[0];
      if (head && (await readable(a, head.id))) {
        latencies.push(performance.now() - head.at);
        q.shift();
        continue;
      }
      await sleep(20);
    }
  });
  await Promise.all(submitters);
  const achieved = total / ((performance.now() - t0) / 1000);
  submitting = false;
  await Promise.all(pollers);
  return { latencies, offered: RATE, achieved };
}

/**
 * User+system CPU of a server process so far, in ms (Linux /proc; clock ticks of 10 ms). The
 * machine is shared: CPU per report is what compares between runs, not wall time (decision 0070).
 */
function cpuMs(n: Node): number {
  const pid = n.proc?.proc.pid;
  if (pid === undefined) return Number.NaN;
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

async function catchUp(r: Node, a: Node, peerId: string) {
  await a.proc?.kill('SIGTERM');
  const before = await delivery(r, peerId);
  const t0 = performance.now();
  // Three MBAs in parallel, each in order, as fast as R takes them.
  await Promise.all(
    XA_MBAS.map(async (mba, k) => {
      for (let i = k; i < CATCHUP_N; i += XA_MBAS.length) await submit(r, mba, 1 + (i % 20));
    }),
  );
  const submitSeconds = (performance.now() - t0) / 1000;
  const held = (await delivery(r, peerId)).pending;
  log(
    `catch-up: R holds ${held} pending reports for A (submitted in ${submitSeconds.toFixed(0)} s); starting A`,
  );
  await start(a);
  const up = performance.now();
  const cpu0 = { r: cpuMs(r), a: cpuMs(a) };
  let first: number | undefined;
  let last = before.delivered;
  for (;;) {
    const d = await delivery(r, peerId);
    if (first === undefined && d.delivered > last) first = performance.now();
    last = d.delivered;
    if (d.pending === 0) break;
    await sleep(250);
  }
  const done = performance.now();
  const start_ = first ?? done;
  return {
    held,
    // CPU per report caught up, from A's return (A's start-up itself excluded: ready before).
    rMsPerReport: (cpuMs(r) - cpu0.r) / Math.max(1, held),
    aMsPerReport: (cpuMs(a) - cpu0.a) / Math.max(1, held),
    rate: held / Math.max(0.001, (done - start_) / 1000),
    waitMs: start_ - up,
    totalSeconds: (done - up) / 1000,
    submitSeconds,
  };
}

/** A holds the record as received and verified: its provenance chain (R's log, then A's) answers. */
async function received(a: Node, id: string): Promise<boolean> {
  const res = await fetch(`${a.url}/api/records/${encodeURIComponent(id)}/provenance`, {
    headers: { authorization: `Bearer ${a.adminToken}` },
  });
  const body = (await res.json()) as { chain?: unknown[] };
  return res.status === 200 && body.chain?.length === 2;
}

async function bigIcr(r: Node, a: Node): Promise<{ ms: number; submitMs: number; readMs: number }> {
  const t0 = performance.now();
  const id = await submit(r, 'XA-F1', BIG_LINES);
  const acceptedAt = performance.now();
  while (!(await received(a, id))) await sleep(20);
  const verifiedAt = performance.now();
  if (!(await readable(a, id))) throw new Error(`A verified ${id} but does not serve it`);
  return { ms: verifiedAt - acceptedAt, submitMs: acceptedAt - t0, readMs: performance.now() - verifiedAt };
}

async function main(): Promise<void> {
  const root = tempDir('custos-bench-fed-');
  const nodes: Node[] = [];
  try {
    const r = await makeNode('regional', root);
    const a = await makeNode('agency', root);
    nodes.push(r, a);
    await Promise.all(nodes.map(start));
    const peerId = await peer(r, a);
    // The arrangement's key registrations arrive first.
    while ((await delivery(r, peerId)).pending > 0) await sleep(100);

    const figures: Figure[] = [];
    if (parts.has('propagation')) {
      log(`propagation: ${RATE} reports/s offered for ${PROPAGATION_SECONDS} s`);
      const p = await propagation(r, a);
      figures.push({
        section: S,
        name: `Propagation p99, 201 on R → readable on A, ${RATE} reports/s offered (${p.latencies.length} reports)`,
        value: percentile(p.latencies, 99) / 1000,
        unit: 's',
        target: { op: '<=', value: 2 },
        note: `p50 ${(percentile(p.latencies, 50) / 1000).toFixed(2)} s, max ${(Math.max(...p.latencies) / 1000).toFixed(2)} s; R accepted ${p.achieved.toFixed(1)} reports/s of the ${p.offered} offered; R checkpoints every 1 s (default), A is polled every 20 ms`,
      });
    }
    if (parts.has('big')) {
      log(`big ICR: ${BIG_LINES} lines`);
      const big = await bigIcr(r, a);
      figures.push({
        section: S,
        name: `A ${BIG_LINES.toLocaleString('en-US')}-line ICR forwarded and verified on A, from its 201 on R`,
        value: big.ms / 1000,
        unit: 's',
        target: { op: '<=', value: 3 },
        note: `until A's provenance of it answers; its submission to R took ${(big.submitMs / 1000).toFixed(1)} s before the 201; reading its ${BIG_LINES.toLocaleString('en-US')} lines back on A (GET /api/reports/:id) then took ${(big.readMs / 1000).toFixed(1)} s`,
      });
    }
    if (parts.has('catchup')) {
      log(`catch-up: ${CATCHUP_N} reports held while A is down`);
      const c = await catchUp(r, a, peerId);
      figures.push({
        section: S,
        name: `Catch-up after an outage of A holding ${c.held.toLocaleString('en-US')} forwardable reports on R`,
        value: c.rate,
        unit: 'reports/s',
        target: { op: '>=', value: 1000 },
        note: `${c.held >= 20_000 ? 'the target scenario' : `measured at ${c.held.toLocaleString('en-US')}, not the target's 20 000`}; rate from A's first received record to its last; A back → first delivery ${(c.waitMs / 1000).toFixed(1)} s, ${c.totalSeconds.toFixed(1)} s in all; R took the reports in ${c.submitSeconds.toFixed(0)} s; CPU per report R ${c.rMsPerReport.toFixed(2)} ms, A ${c.aMsPerReport.toFixed(2)} ms`,
      });
    }
    const dead = await delivery(r, peerId);
    figures.push({
      section: S,
      name: 'Dead letters on R after the run',
      value: dead.dead,
      unit: '',
      note: `${dead.delivered} delivered, ${dead.pending} pending`,
    });
    emit(figures);
  } finally {
    await Promise.all(nodes.map((n) => n.proc?.kill('SIGTERM')));
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
