/**
 * Work that must not grow with the stored history (issue 14; decisions 0089–0092):
 * `node --import tsx bench/history.bench.ts [--quick]`. In one process with a demo world on SQLite
 * (tests/fixtures/app.ts), each figure is measured beside its reference point, in the same run:
 * - an advance notice stored while its state's export flow holds N lines (a notice rechecks the
 *   lines naming it; the reference is the whole flow checked again, what every notice did before
 *   decision 0091);
 * - a state's obligations with M report headers stored (judged one MBA at a time from first
 *   acceptances; the reference reads every header of the state at once and judges them, as before
 *   decision 0089), and the heap each holds;
 * - a page of the inspection list with K inspections stored (the reference reads every row, the
 *   floor of what the list did before decision 0090);
 * - a record appended with a send arrangement in place over a long log (the reference is the
 *   forwarding statement before decision 0094), and the arrangement's backlog queued in chunks;
 * - the deadline scheduler's pass after one MBA's report, with hundreds of MBAs of 20 years'
 *   obligations (the reference is the full pass, what every pass was before decision 0093);
 * - the case-opening pass after one MBA's report, with those MBAs and an MBA of lone shipments
 *   still in their grace period (the reference is the whole pass, what every pass after any new
 *   record was before decision 0108).
 * No target is set by an issue for these: they show that each stays flat as the history grows.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createEvaluationService } from '../src/services/evaluation/index.js';
import { FlowChanges, recheckFlows } from '../src/services/evaluation/notice-flows.js';
import { runBackfills } from '../src/services/federation/backfill.js';
import {
  type DurableEventSink,
  runSchedulerOnce,
  type SchedulerMemo,
  storedObligations,
} from '../src/services/notifications/index.js';
import { pageStateObligations } from '../src/services/reports/obligations.js';
import { createFederationRepo } from '../src/store/federation.repo.js';
import { enqueueForwarding } from '../src/store/forwarding.repo.js';
import { pageInspections } from '../src/store/inspection-lists.repo.js';
import { up as obligationFacts } from '../src/store/migrations/0046-obligation-facts.js';
import { createRegistryRepo } from '../src/store/registry.repo.js';
import type { InspectionRow } from '../src/store/schema.types.js';
import { bearer, createTestApp, type TestApp } from '../tests/fixtures/app.js';
import { withLongestStall } from '../tests/fixtures/event-loop.js';
import { insertUnreachablePeer } from '../tests/fixtures/federation.js';
import { judgeWholeRecord } from '../tests/fixtures/obligations.js';
import { exportNoticeReport, icr, initialReport, submit, transferLine } from '../tests/fixtures/reports.js';
import { emit, type Figure, log, median } from './lib.js';

const quick = process.argv.includes('--quick');
const FLOW_LINES = quick ? 20_000 : 120_000;
const HEADERS = quick ? 100_000 : 1_000_000;
const INSPECTIONS = quick ? 2_000 : 20_000;
const SCHED_MBAS = quick ? 50 : 500;
const FORWARD_RECORDS = quick ? 30_000 : 300_000;
const LONE_LINES = quick ? 20_000 : 200_000;
const figures: Figure[] = [];
const figure = (name: string, value: number, unit: string, note: string) =>
  figures.push({ section: 'history', name, value, unit, note });

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value };
}

// A collection before each heap figure, without a command-line flag (the bench runs children plainly).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The heap a computation holds at its largest, sampled between its awaits (collected first). */
async function heapOf<T>(f: () => Promise<T>): Promise<{ mb: number; value: T }> {
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 1);
  const value = await f();
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  clearInterval(sampler);
  return { mb: (peak - base) / 2 ** 20, value };
}

async function notices(t: TestApp): Promise<void> {
  const lines = Array.from({ length: FLOW_LINES }, (_, i) => ({
    line: i + 1,
    date: `2026-01-${String(1 + (i % 28)).padStart(2, '0')}`,
    code: 'SF',
    batch: `PU-${i}`,
    kmp: 'B',
    element: 'P',
    weight: 300,
    basis: 'M',
    form: 'PH',
    counterpart: { state: 'XB', mba: 'XB-F1' },
  }));
  const stored = await submit(t, 'xa-ssac.submitter', icr(1, '2026-01', lines));
  if (stored.statusCode !== 201) throw new Error(`the flow's ICR was refused: ${stored.body.slice(0, 300)}`);
  const ms: number[] = [];
  for (let k = 1; k <= 3; k++) {
    const body = exportNoticeReport({
      mba: 'XA-F1',
      reportNumber: k,
      reference: `N-${k}`,
      otherState: 'XB',
      reportDate: '2026-12-05',
      preparationDate: '2026-12-20',
    });
    const r = await timed(() => submit(t, 'xa-ssac.submitter', body));
    if (r.value.statusCode !== 201) throw new Error(`a notice was refused: ${r.value.body.slice(0, 300)}`);
    ms.push(r.ms);
  }
  const whole = new FlowChanges();
  whole.whole('EXPORT\u0001XA\u0001XB');
  const reference = await timed(() =>
    t.ports.db.kysely.transaction().execute((tx) => recheckFlows(tx, t.ports.db.sqlite, whole)),
  );
  const n = FLOW_LINES.toLocaleString('en-US');
  figure(
    `An advance notice stored, its state's export flow holding ${n} lines (median of 3)`,
    median(ms),
    'ms',
    `${ms.map((x) => x.toFixed(0)).join(', ')} ms; the notice rechecks the lines naming it (decision 0091). Reference, the same run: the whole flow checked again, what each notice did before, ${reference.ms.toFixed(0)} ms`,
  );
}

async function obligations(t: TestApp): Promise<void> {
  const mbas = (await createRegistryRepo(t.ports.db).listMbas({ state: 'XA' })).map((m) => m.code);
  const sqlite = t.ports.db.sqlite;
  if (sqlite === undefined) throw new Error('SQLite expected');
  const insert = sqlite.prepare(`insert into reports (id, state, organisation_id, mba, type, report_number,
      report_date, period_from, period_to, pit, reporting_person, line_count, note, notice_json, body_sha256,
      body_format, key_id, signature, warnings_json, submitted_at, submitted_by, log_index)
    values (?, 'XA', 'org', ?, 'ICR', ?, ?, ?, ?, null, 'p', 1, null, null, 'x', 'json', 'k', 's', '[]', ?, 'u', ?)`);
  const months = ['2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07'];
  sqlite.transaction(() => {
    for (let i = 0; i < HEADERS; i++) {
      const m = months[Math.floor(i / mbas.length) % months.length] as string;
      const at = new Date(Date.parse(`${m}-28T00:00:00Z`) + 5 * 86_400_000 + i).toISOString();
      insert.run(`H-${i}`, mbas[i % mbas.length], 10_000 + i, at.slice(0, 10), `${m}-01`, `${m}-28`, at, i);
    }
  })();
  // The headers went in beside intake: their first acceptances are built as migration 0046 does.
  sqlite.exec('drop table obligation_firsts; drop index rejections_mba;');
  await obligationFacts('sqlite')(t.ports.db.kysely as never);
  const today = '2026-12-05';
  const now = await heapOf(() =>
    timed(() => pageStateObligations(t.ports, 'XA', today, { limit: 100, offset: 0 })),
  );
  // The computation before decision 0089: every header of the state read at once and judged.
  const before = await heapOf(() => timed(() => judgeWholeRecord(t.ports, 'XA', today)));

  if (now.value.value.total !== before.value.value.length)
    throw new Error(
      `the two computations disagree: ${now.value.value.total} and ${before.value.value.length}`,
    );
  const n = HEADERS.toLocaleString('en-US');
  figure(
    `A state's obligations judged, ${n} report headers stored (${now.value.value.total} obligations)`,
    now.value.ms,
    'ms',
    `heap held at most ${now.mb.toFixed(0)} MB (decision 0089). Reference, the same run: every header read at once and judged, as before, ${before.value.ms.toFixed(0)} ms and ${before.mb.toFixed(0)} MB`,
  );
}

async function inspections(t: TestApp): Promise<void> {
  const q = t.ports.db.kysely;
  const rows: InspectionRow[] = Array.from({ length: INSPECTIONS }, (_, i) => {
    const start = new Date(Date.UTC(2000, 0, 1) + i * 43_200_000).toISOString();
    return {
      id: `ins-${String(i).padStart(6, '0')}`,
      type: 'routine',
      facility: 'XA-FAB',
      state: 'XA',
      facility_kind: 'other',
      mbas: '[]',
      participants: JSON.stringify(['agency']),
      starts_at: start,
      notice_given_at: start,
      arrived_at: null,
      notice_terms: '{}',
      required_notice_hours: 24,
      planned_man_days: 2,
      inventory_ekg: null,
      throughput_ekg: null,
      status: 'scheduled',
      created_at: start,
      created_by: 'bench',
    };
  });
  for (let i = 0; i < rows.length; i += 500)
    await q
      .insertInto('inspections')
      .values(rows.slice(i, i + 500))
      .execute();
  const token = bearer(t.token('agency.inspector'));
  const pages: number[] = [];
  for (const offset of [0, INSPECTIONS - 100, 0]) {
    const r = await timed(() =>
      t.app.inject({ method: 'GET', url: `/api/inspections?limit=100&offset=${offset}`, headers: token }),
    );
    if (r.value.statusCode !== 200) throw new Error(`the list answered ${r.value.statusCode}`);
    pages.push(r.ms);
  }
  const all = await timed(() => pageInspections(q, { states: 'all' }, { limit: INSPECTIONS + 1, offset: 0 }));
  const n = INSPECTIONS.toLocaleString('en-US');
  figure(
    `A page of 100 inspections, ${n} stored, as an agency inspector (median of first, last, first)`,
    median(pages),
    'ms',
    `${pages.map((x) => x.toFixed(0)).join(', ')} ms (decision 0090). Reference, the same run: every row read, the floor of the list before (which then made each reply with more statements), ${all.ms.toFixed(0)} ms`,
  );
}

/** `n` more MBAs of Arcadia's fabrication plant, registered in one transaction; answers their codes. */
function registerMbas(t: TestApp, n: number): string[] {
  const sqlite = t.ports.db.sqlite;
  if (sqlite === undefined) throw new Error('SQLite expected');
  const mba = sqlite.prepare(`insert into mbas (code, facility, description, item_mba, created_at, created_by)
    values (?, 'XA-FAB', 'bench', 0, '2006-01-01T00:00:00.000Z', 'bench')`);
  const codes = Array.from({ length: n }, (_, i) => `XA-H${String(i).padStart(4, '0')}`);
  sqlite.transaction(() => {
    for (const code of codes) mba.run(code);
  })();
  return codes;
}

/**
 * A deadline scheduler pass with SCHED_MBAS more MBAs of 20 years' monthly reports (decision 0093):
 * the minute's pass after one MBA's report, beside the full pass it was before (the same run).
 */
async function scheduler(t: TestApp): Promise<void> {
  const sqlite = t.ports.db.sqlite;
  if (sqlite === undefined) throw new Error('SQLite expected');
  sqlite.exec("update agreements set entry_into_force = '2006-01-01' where id = 'CSA-XA'");
  const first = sqlite.prepare(`insert into obligation_firsts
      (mba, state, type, subject, period_from, period_to, pit, first_at)
    values (?, 'XA', 'ICR', ?, ?, ?, null, ?)`);
  const codes = registerMbas(t, SCHED_MBAS);
  sqlite.transaction(() => {
    for (const code of codes) {
      for (let m = 0; m < 20 * 12; m++) {
        const from = new Date(Date.UTC(2006, m, 1)).toISOString().slice(0, 10);
        const to = new Date(Date.UTC(2006, m + 1, 0)).toISOString().slice(0, 10);
        first.run(code, `${from}|${to}|`, from, to, `${to}T12:00:00.000Z`);
      }
    }
  })();
  const sink = t.ports.events as DurableEventSink;
  // The first pass opens the cases of what the demo world still owes; not timed.
  await runSchedulerOnce(t.ports, sink, storedObligations);
  const full = await withLongestStall(() => runSchedulerOnce(t.ports, sink, storedObligations));
  const memo: SchedulerMemo = {};
  await runSchedulerOnce(t.ports, sink, storedObligations, memo);
  const quiet = await timed(() => runSchedulerOnce(t.ports, sink, storedObligations, memo));
  const r = await submit(t, 'xa-ssac.submitter', icr(1, '2026-11', []));
  if (r.statusCode !== 201 && r.statusCode !== 422) throw new Error(`the report answered ${r.statusCode}`);
  const changed = await timed(() => runSchedulerOnce(t.ports, sink, storedObligations, memo));
  if (changed.value.judged === 0 || changed.value.judged >= full.value.judged)
    throw new Error(`the pass after a report judged ${changed.value.judged} of ${full.value.judged}`);
  figure(
    `A deadline scheduler pass on the same day, ${SCHED_MBAS} MBAs of 20 years stored, after one MBA's report (${changed.value.judged} of ${full.value.judged} obligations judged)`,
    changed.ms,
    'ms',
    `with no change ${quiet.ms.toFixed(0)} ms (decision 0093). Reference, the same run: the full pass every minute's pass was before, ${full.ms.toFixed(0)} ms`,
  );
  figure(
    `The longest wait for the event loop during the day's full scheduler pass (${SCHED_MBAS} MBAs of 20 years, ${full.ms.toFixed(0)} ms)`,
    full.stallMs,
    'ms',
    `paused between MBAs every ~8 ms (decision 0098); before, on SQLite, the whole pass: ${full.ms.toFixed(0)} ms`,
  );
}

/**
 * The case-opening pass (decision 0108) after one MBA's one-line ICR, in a demo world of its own
 * (the other sections' standing alarms would first open a case each) with SCHED_MBAS more MBAs
 * registered and XB-E1 holding LONE_LINES shipments still within their grace period: each whole
 * pass evaluated every MBA and walked those rows, and every new record made the next pass whole.
 */
async function casePass(t: TestApp): Promise<void> {
  registerMbas(t, SCHED_MBAS);
  const ok = async (login: string, body: object) => {
    const r = await submit(t, login, body);
    if (r.statusCode !== 201) throw new Error(r.body.slice(0, 400));
  };
  await ok('xb-ssac.submitter', initialReport('XB-E1'));
  await ok('xb-ssac.submitter', initialReport('XB-F1'));
  const lines = Array.from({ length: LONE_LINES }, (_, i) =>
    transferLine(
      i + 1,
      `2026-11-${String(1 + (i % 30)).padStart(2, '0')}`,
      'SD',
      `XB-E1-L${i}`,
      'B',
      'XB-F1',
    ),
  );
  await ok('xb-ssac.submitter', icr(1, '2026-11', lines, { mba: 'XB-E1' }));
  const service = createEvaluationService(t.ports);
  await service.openCases();
  const quiet = await timed(() => service.openCases());
  const one = { ...transferLine(1, '2026-11-03', 'RN', 'XB-F1-N1', 'A', 'XB-F1'), counterpart: undefined };
  await ok('xb-ssac.submitter', icr(1, '2026-11', [one], { mba: 'XB-F1' }));
  const changed = await timed(() => service.openCases());
  const whole = await timed(() => createEvaluationService(t.ports).openCases());
  const mbas = (await createRegistryRepo(t.ports.db).listMbas()).length;
  if (changed.value !== 0 || whole.value !== 0)
    throw new Error(`the passes opened ${changed.value} and ${whole.value} cases, not none`);
  figure(
    `The case-opening pass on the same day after one MBA's one-line ICR, ${mbas} MBAs, one of them with ${LONE_LINES.toLocaleString('en-US')} lone shipments in their grace period`,
    changed.ms,
    'ms',
    `with no change ${quiet.ms.toFixed(1)} ms (decision 0108). Reference, the same run: the whole pass (the first of a process and of each day), what the pass after any new record was before, ${whole.ms.toFixed(0)} ms`,
  );
}

/**
 * What forwarding did before decision 0094: the same join driven from the arrangements, which
 * read every record of their kinds since their day (the reference point, run and rolled back).
 */
const OLD_FORWARDING = `insert into fed_outbox (peer_id, log_index, record_id, kind, state, status, attempts,
    next_attempt_at, created_at)
  select s.peer_id, r.log_index, r.id, r.kind, r.subject_state, 'pending', 0, 'x', 'x'
  from records r join fed_arrangement_scope s on s.state = r.subject_state
    and (s.kind = r.kind or (s.kind = 'transfer-notice' and r.kind = 'report'
      and (r.id like '%:EXPORT_NOTICE:%' or r.id like '%:IMPORT_NOTICE:%'))
      or (s.kind = 'case-transition' and r.kind = 'case-message'))
    and s.direction = 'send' and r.created_at >= s.from_date
    and (s.to_date is null or r.created_at < s.to_date)
  join fed_peers p on p.id = s.peer_id and p.status = 'active'
  where r.log_index >= ? and r.log_index <= ?
  on conflict (peer_id, log_index) do nothing`;

/**
 * A send arrangement over a log of FORWARD_RECORDS earlier records (decision 0094): one append's
 * forwarding beside the statement before (same run), and the backlog queued in chunks.
 */
async function forwarding(t: TestApp): Promise<void> {
  const sqlite = t.ports.db.sqlite;
  if (sqlite === undefined) throw new Error('SQLite expected');
  // Right after the log's own records: a log's indexes are dense.
  const base = Number(
    (sqlite.prepare('select next_index from log_sequence where id = 1').get() as { next_index: number })
      .next_index,
  );
  const record = sqlite.prepare(`insert into records (id, kind, log_index, salt, leaf_id, subject_state,
      subject_org, created_at, created_by) values (?, 'report', ?, zeroblob(16), ?, ?, null, ?, 'bench')`);
  sqlite.transaction(() => {
    for (let k = 0; k < FORWARD_RECORDS; k++)
      record.run(
        `F-${k}`,
        base + k,
        `F-${k}`,
        k % 2 ? 'XA' : 'XB',
        new Date(Date.UTC(2020, 0, 1) + k * 60_000).toISOString(),
      );
  })();
  sqlite.prepare('update log_sequence set next_index = ? where id = 1').run(base + FORWARD_RECORDS);
  await insertUnreachablePeer(t.ports.db.kysely, 'bench-peer');
  const created = await timed(() =>
    t.app.inject({
      method: 'POST',
      url: '/api/arrangements',
      headers: bearer(t.adminToken),
      payload: {
        peer: 'bench-peer',
        direction: 'send',
        states: ['XA'],
        kinds: ['report'],
        from: '2020-01-01',
      },
    }),
  );
  if (created.value.statusCode !== 201) throw new Error(`the arrangement answered ${created.value.body}`);
  let chunks = 0;
  let longest = 0;
  const drained = await timed(async () => {
    for (;;) {
      const c = await timed(() => runBackfills(t.ports, { budgetMs: 0 }));
      chunks += c.value.chunks;
      longest = Math.max(longest, c.ms);
      if (!c.value.pending) return;
    }
  });
  const last = base + FORWARD_RECORDS - 1;
  const now: number[] = [];
  const before: number[] = [];
  for (let k = 0; k < 3; k++) {
    now.push((await timed(() => enqueueForwarding(t.ports.db.kysely, { first: last, last }, 'x'))).ms);
    const old = sqlite.prepare(OLD_FORWARDING);
    const r = await timed(async () => {
      sqlite.exec('savepoint bench');
      old.run(last, last);
      sqlite.exec('rollback to bench; release bench');
    });
    before.push(r.ms);
  }
  const n = FORWARD_RECORDS.toLocaleString('en-US');
  figure(
    `A record appended with a send arrangement in place, ${n} earlier records logged (its outbox rows queued; median of 3)`,
    median(now),
    'ms',
    `${now.map((x) => x.toFixed(2)).join(', ')} ms (decision 0094). Reference, the same run: the statement before, which read every record of the arrangement's kinds since its day, ${before.map((x) => x.toFixed(0)).join(', ')} ms`,
  );
  figure(
    `A new arrangement to send over ${n} earlier records: its backlog queued in chunks after it is created`,
    drained.ms,
    'ms',
    `created in ${created.ms.toFixed(0)} ms, then ${chunks} chunks of 10,000 log indexes, each its own transaction, the longest ${longest.toFixed(0)} ms (decision 0094; before, the whole backlog was one statement in the creating transaction, holding every writer)`,
  );
  await peerFigures(t);
}

/** What GET /api/peers read per peer before decision 0096 (the reference point). */
const OLD_DELIVERY = [
  "select status, count(*) as n from fed_outbox where peer_id = 'bench-peer' group by status",
  "select max(delivered_at) as at from fed_outbox where peer_id = 'bench-peer' and status = 'delivered'",
];

/**
 * The peer's queued backlog settled as the delivery loop settles it (500 rows a transaction), then
 * GET /api/peers beside the two statements it ran before decision 0096 (same run).
 */
async function peerFigures(t: TestApp): Promise<void> {
  const sqlite = t.ports.db.sqlite;
  if (sqlite === undefined) throw new Error('SQLite expected');
  const repo = createFederationRepo(t.ports.db);
  let settled = 0;
  for (;;) {
    const page = await repo.pendingPage('bench-peer', 500);
    if (page.length === 0) break;
    await t.ports.db.kysely.transaction().execute((tx) =>
      repo.markDelivered(
        tx,
        'bench-peer',
        page.map((r) => ({ logIndex: r.log_index, ack: '{}' })),
        '2026-12-05T10:00:00.000Z',
      ),
    );
    settled += page.length;
  }
  const now: number[] = [];
  const before: number[] = [];
  for (let k = 0; k < 3; k++) {
    const r = await timed(() =>
      t.app.inject({ method: 'GET', url: '/api/peers', headers: bearer(t.adminToken) }),
    );
    if (r.value.statusCode !== 200) throw new Error(`GET /api/peers answered ${r.value.body}`);
    const delivered = (r.value.json() as { delivery: { delivered: number } }[])[0]?.delivery.delivered;
    if (delivered !== settled)
      throw new Error(`the peer's figures say ${delivered} delivered, not ${settled}`);
    now.push(r.ms);
    before.push((await timed(async () => OLD_DELIVERY.map((q) => sqlite.prepare(q).all()))).ms);
  }
  figure(
    `GET /api/peers, its peer acknowledged ${settled.toLocaleString('en-US')} records (median of 3)`,
    median(now),
    'ms',
    `${now.map((x) => x.toFixed(1)).join(', ')} ms, the whole request (decision 0096). Reference, the same run: the two statements it ran per peer before, counting and reading every delivered row, ${before.map((x) => x.toFixed(0)).join(', ')} ms`,
  );
}

const t = await createTestApp('sqlite', { demo: true });
try {
  t.clock.current = new Date('2026-12-05T10:00:00Z');
  const init = await submit(t, 'xa-ssac.submitter', initialReport('XA-F1'));
  if (init.statusCode !== 201) throw new Error(init.body);
  log(`history: a ${FLOW_LINES}-line export flow and three notices`);
  await notices(t);
  log(`history: ${HEADERS} report headers and the state's obligations`);
  await obligations(t);
  log(`history: ${INSPECTIONS} inspections and a page of the list`);
  await inspections(t);
  log(`history: ${FORWARD_RECORDS} records and a send arrangement`);
  await forwarding(t);
  log(`history: ${SCHED_MBAS} MBAs of 20 years and the deadline scheduler's passes`);
  await scheduler(t);
} finally {
  await t.close();
}
const own = await createTestApp('sqlite', { demo: true });
try {
  own.clock.current = new Date('2026-12-05T10:00:00Z');
  log(`history: the case-opening pass, ${SCHED_MBAS} MBAs and ${LONE_LINES} lone shipments`);
  await casePass(own);
} finally {
  await own.close();
}
emit(figures);
process.exit(0);
