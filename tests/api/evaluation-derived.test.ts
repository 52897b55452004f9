import { afterEach, describe, expect, it } from 'vitest';
import {
  bookedReceiptOf,
  computeEffectiveLines,
  type DatedAlarm,
  DEFAULT_CODE_SIGNS,
  DEFAULT_PAGE,
  evaluateMba,
  type InventoryListing,
  type MbaEvaluation,
  type SourcedIcrLine,
} from '../../src/domain/accounting/index.js';
import type { ElementCode } from '../../src/domain/reports/index.js';
import {
  type AdvanceNotice,
  checkNotices,
  collectTransferAlarms,
  matchTransfers,
  type TransferLine,
  type TransferMatch,
  transferLineOf,
} from '../../src/domain/transfers/index.js';
import { auditDerivedState } from '../../src/services/audit-derived.js';
import { buildDerivedState, createEvaluationService } from '../../src/services/evaluation/index.js';
import { countListed, keptTotal, type LinesQuery } from '../../src/store/account-lines.repo.js';
import { readMbaFacts } from '../../src/store/accounting.repo.js';
import { up as transferListMigration } from '../../src/store/migrations/0041-transfer-list.js';
import { up as kmpDaysMigration } from '../../src/store/migrations/0042-kmp-days.js';
import { up as noticeDaysMigration } from '../../src/store/migrations/0043-notice-days.js';
import { toIcrLine, toInventoryLine } from '../../src/store/reports.repo.js';
import { COUNT_KIND } from '../../src/store/transfer-counts.repo.js';
import { toAdvanceNotice } from '../../src/store/transfers.repo.js';
import { createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { history, MBAS } from '../fixtures/report-history.js';
import { submit } from '../fixtures/reports.js';

/**
 * The derived state (docs/decisions/0010) against the full-line engine: random report histories
 * — new lines, corrections of any earlier version, deletions, receipts booked at the shipper's
 * value and later measured, late reports into periods already closed by a PIL, transfers across
 * states — go through the real submission path; after every accepted report the service's
 * evaluation (read from the derived tables only) must equal evaluateMba, matchTransfers and
 * checkNotices over every stored line, exactly: MUF, σMUF, SITMUF, Page, alarms, matches.
 */

/** The full-line oracle: every stored line of every MBA through the pure engine. */
async function oracle(t: TestApp, asOf: string) {
  const q = t.ports.db.kysely;
  const facts = await readMbaFacts(q);
  const perMba = new Map<string, { inventories: InventoryListing[]; icrLines: SourcedIcrLine[] }>();
  const transfers: { mba: string; seq: number; line: TransferLine }[] = [];
  for (const m of facts) {
    const reports = await q
      .selectFrom('reports')
      .select(['id', 'type', 'pit', 'report_number'])
      .where('mba', '=', m.code)
      .where('type', 'in', ['INITIAL', 'PIL', 'ICR'])
      .execute();
    const inventories: InventoryListing[] = [];
    const icrLines: SourcedIcrLine[] = [];
    for (const r of reports) {
      const rows = await q
        .selectFrom('report_lines')
        .selectAll()
        .where('report_id', '=', r.id)
        .orderBy('line')
        .execute();
      if (r.type === 'ICR')
        for (const row of rows) icrLines.push({ ...toIcrLine(row), reportNumber: r.report_number });
      else inventories.push({ date: r.pit as string, lines: rows.map(toInventoryLine) });
    }
    perMba.set(m.code, { inventories, icrLines });
    const view = computeEffectiveLines(icrLines);
    view.entries.forEach((entry, seq) => {
      if (entry.current === undefined) return;
      const line = transferLineOf(m, entry.current, bookedReceiptOf(entry, DEFAULT_CODE_SIGNS));
      if (line !== undefined) transfers.push({ mba: m.code, seq, line });
    });
  }
  const lines = transfers.map((x) => x.line);
  const { matches } = matchTransfers(
    lines.filter((l) => l.code === 'SD' || l.code === 'SF'),
    lines.filter((l) => l.code === 'RD' || l.code === 'RF'),
    { asOf },
  );
  const notices: AdvanceNotice[] = (await q.selectFrom('notices').selectAll().execute()).map(toAdvanceNotice);
  const transferAlarm = new Map(collectTransferAlarms(matches).map((a) => [a.alarm.ref, a.alarm]));
  const noticeAlarm = new Map(
    checkNotices(lines, notices).map((f) => [
      f.transfer.id,
      { date: f.transfer.date, code: f.code, element: f.transfer.element, ref: f.transfer.id } as DatedAlarm,
    ]),
  );
  const evaluations = new Map<string, MbaEvaluation>();
  for (const m of facts) {
    const own: DatedAlarm[] = [];
    for (const x of transfers) {
      if (x.mba !== m.code) continue;
      const a = transferAlarm.get(x.line.id);
      if (a !== undefined) own.push(a);
      const n = noticeAlarm.get(x.line.id);
      if (n !== undefined) own.push(n);
    }
    // The balance takes transfer alarms grouped by date, element and code (DatedAlarm.count).
    const groups = new Map<string, DatedAlarm & { count: number }>();
    for (const a of own) {
      const key = `${a.date}\u0001${a.element}\u0001${a.code}`;
      const g = groups.get(key);
      if (g === undefined) groups.set(key, { date: a.date, element: a.element!, code: a.code, count: 1 });
      else g.count++;
    }
    const grouped = [...groups.entries()]
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
      .map(([, g]) => (g.count === 1 ? { date: g.date, element: g.element!, code: g.code } : g));
    const input = perMba.get(m.code)!;
    evaluations.set(
      m.code,
      evaluateMba({
        mba: m.code,
        ...input,
        kmpErrors: m.kmpErrors,
        transferAlarms: grouped,
        page: { ...DEFAULT_PAGE, h: t.ports.config.pageH },
        itemMba: m.itemMba,
      }),
    );
  }
  return { evaluations, matches: matches as TransferMatch[] };
}

/** A transfer's value for each order of GET /api/transfers that the oracle's matches give directly. */
const LIST_VALUE: Record<string, (m: TransferMatch) => string | null> = {
  status: (m) => m.status,
  batch: (m) => (m.shipment ?? m.receipt)!.batch,
  state: (m) => (m.shipment ?? m.receipt)!.state,
  element: (m) => (m.shipment ?? m.receipt)!.element,
  deadline: (m) => m.deadline ?? null,
};

/** The list's comparator for `sort` (nulls last either way; ties 0, for a stable sort to keep). */
function byListValue(sort: string, desc: boolean): (a: TransferMatch, b: TransferMatch) => number {
  const dir = desc ? -1 : 1;
  return (a, b) => {
    const x = LIST_VALUE[sort]!(a);
    const y = LIST_VALUE[sort]!(b);
    if (x === y) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    return (x < y ? -1 : 1) * dir;
  };
}

/**
 * GET /api/transfers pages in SQL (decision 0017) exactly as the in-memory list of the oracle's
 * matches: same rows, order, sides shown and totals, for the inspectorate and for a state.
 */
async function transfersPagedInSqlAsInMemory(t: TestApp, matches: readonly TransferMatch[]) {
  const scopes = { 'agency.inspector': undefined, 'xa-ssac.reviewer': 'XA' } as const;
  for (const [login, state] of Object.entries(scopes)) {
    const seen = (s: string) => state === undefined || s === state;
    const visible = matches.filter(
      (m) => (m.shipment && seen(m.shipment.state)) || (m.receipt && seen(m.receipt.state)),
    );
    for (const sort of [undefined, 'status', 'batch', 'state', 'element', 'deadline']) {
      for (const desc of sort === undefined ? [false] : [false, true]) {
        const want = sort === undefined ? [...visible] : [...visible].sort(byListValue(sort, desc));
        const url = `/api/transfers?limit=1000${sort ? `&sort=${desc ? '-' : ''}${sort}` : ''}`;
        const res = await t.app.inject({
          method: 'GET',
          url,
          headers: { authorization: `Bearer ${t.token(login)}` },
        });
        expect(res.statusCode, url).toBe(200);
        const got = res.json() as {
          total: number;
          items: {
            batch: string;
            status: string;
            srd: number | null;
            shipment: { state: string; id?: string } | null;
            receipt: { state: string; id?: string } | null;
          }[];
        };
        expect(got.total, `${login} ${url}`).toBe(want.length);
        expect(
          got.items.map((v) => [
            v.status,
            v.batch,
            v.shipment?.id ?? v.shipment?.state ?? null,
            v.receipt?.id ?? v.receipt?.state ?? null,
            v.srd,
          ]),
          `${login} ${url}`,
        ).toEqual(
          want.map((m) => {
            const side = (l: TransferLine | undefined) =>
              l === undefined ? null : seen(l.state) ? l.id : l.state;
            const both = (!m.shipment || seen(m.shipment.state)) && (!m.receipt || seen(m.receipt.state));
            return [
              m.status,
              (m.shipment ?? m.receipt)!.batch,
              side(m.shipment),
              side(m.receipt),
              both && m.srdMg !== undefined ? m.srdMg / 1000 : null,
            ];
          }),
        );
      }
    }
  }
}

/**
 * Every status filter, state filter and order the list answers by segments (decision 0083), for
 * the inspectorate and for a state: the whole list is the in-memory list so filtered and ordered,
 * and (every status together) its pages of 4 put together are the whole list, with the same total
 * on every page.
 */
/**
 * GET /api/alarms in its own order (by segments, decision 0085) against the one statement that
 * orders every alarm: sorted by the state filtered on, whose ties keep the list's order. Whole,
 * in pages of 3, and per code.
 */
async function alarmsBySegmentsAsByStatement(t: TestApp) {
  const get = async (url: string) => {
    const res = await t.app.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${t.token('agency.inspector')}` },
    });
    expect(res.statusCode, url).toBe(200);
    return res.json() as { total: number; items: { code: string }[] };
  };
  for (const state of ['XA', 'XB']) {
    const oracle = await get(`/api/alarms?state=${state}&sort=state&limit=1000`);
    expect(await get(`/api/alarms?state=${state}&limit=1000`)).toEqual(oracle);
    for (let offset = 0; offset < oracle.total; offset += 3) {
      expect((await get(`/api/alarms?state=${state}&limit=3&offset=${offset}`)).items).toEqual(
        oracle.items.slice(offset, offset + 3),
      );
    }
    for (const code of new Set(oracle.items.map((a) => a.code))) {
      expect(await get(`/api/alarms?state=${state}&code=${code}&limit=1000`)).toEqual(
        await get(`/api/alarms?state=${state}&code=${code}&sort=code&limit=1000`),
      );
    }
  }
}

async function transfersPagedBySegmentsAsInMemory(t: TestApp, matches: readonly TransferMatch[]) {
  const scopes = { 'agency.inspector': undefined, 'xa-ssac.reviewer': 'XA' } as const;
  const get = async (login: string, url: string) => {
    const res = await t.app.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${t.token(login)}` },
    });
    expect(res.statusCode, url).toBe(200);
    type Side = { state: string; id?: string } | null;
    const page = res.json() as { total: number; items: { shipment: Side; receipt: Side; status: string }[] };
    const side = (x: Side) => x?.id ?? x?.state ?? null;
    return {
      total: page.total,
      keys: page.items.map((v) => [v.status, side(v.shipment), side(v.receipt)].join(' ')),
    };
  };
  let lists = 0;
  for (const [login, scope] of Object.entries(scopes)) {
    const seen = (s: string) => scope === undefined || s === scope;
    for (const state of [undefined, 'XA', 'XB'])
      for (const status of [undefined, 'matched', 'discrepant', 'unmatched', 'pending'])
        for (const sort of [undefined, 'status', 'state', 'deadline'])
          for (const desc of sort === undefined ? [false] : [false, true]) {
            const want = matches.filter(
              (m) =>
                ((m.shipment && seen(m.shipment.state)) || (m.receipt && seen(m.receipt.state))) &&
                (status === undefined || m.status === status) &&
                (state === undefined || m.shipment?.state === state || m.receipt?.state === state),
            );
            if (sort !== undefined) want.sort(byListValue(sort, desc));
            const query = [
              status && `status=${status}`,
              state && `state=${state}`,
              sort && `sort=${desc ? '-' : ''}${sort}`,
            ].filter(Boolean);
            const url = `/api/transfers?${query.join('&')}${query.length ? '&' : ''}`;
            const whole = await get(login, `${url}limit=1000`);
            const label = `${login} ${url}`;
            expect(whole.total, label).toBe(want.length);
            const side = (l: TransferLine | undefined) =>
              l === undefined ? null : seen(l.state) ? l.id : l.state;
            expect(whole.keys, label).toEqual(
              want.map((m) => [m.status, side(m.shipment), side(m.receipt)].join(' ')),
            );
            // Pages of 4 for every status together (they cross the most segments): each status
            // alone is the same walk over fewer of them.
            if (status !== undefined) continue;
            const paged: string[] = [];
            for (let offset = 0; offset < whole.total + 4; offset += 4) {
              const page = await get(login, `${url}limit=4&offset=${offset}`);
              expect(page.total, `${label} offset ${offset}`).toBe(whole.total);
              paged.push(...page.keys);
            }
            expect(paged, label).toEqual(whole.keys);
            lists += want.length > 4 ? 1 : 0;
          }
  }
  // The world is big enough that pages cross segments.
  expect(lists).toBeGreaterThan(5);
}

/** The annual evaluation's counts by the rule of matchTransfers' output: a pair once per state it touches. */
function stateCounts(matches: readonly TransferMatch[], state: string) {
  const out = { matched: 0, discrepant: 0, pending: 0, unmatched: 0 };
  for (const m of matches) {
    const states = new Set([m.shipment?.state, m.receipt?.state]);
    if (states.has(state)) out[m.status]++;
  }
  return out;
}

/**
 * One ICR of `n` lines of MBA `m` in January: shipments to `to` (`ship`), or the receipts of
 * them, line k at the shipper's weight times `factor(k)`.
 */
function bigIcr(
  m: (typeof MBAS)[number],
  to: (typeof MBAS)[number],
  ship: boolean,
  n: number,
  factor: (k: number) => number,
) {
  const lines = Array.from({ length: n }, (_, k) => {
    const weight = 1000 + (k % 97);
    return {
      line: k + 1,
      date: `2026-01-${String(1 + (k % 28)).padStart(2, '0')}`,
      code: ship ? 'SD' : 'RD',
      batch: `BIG-${k}`,
      kmp: 'A',
      element: 'E',
      weight: weight * factor(k),
      fissileWeight: 40,
      isotope: 'G',
      basis: 'M',
      form: 'U2',
      counterpart: { state: to.state, mba: to.code },
    };
  });
  return {
    login: m.login,
    body: {
      type: 'ICR',
      mba: m.code,
      reportNumber: 1,
      reportDate: '2026-01-31',
      period: { from: '2026-01-01', to: '2026-01-31' },
      reportingPerson: 'A. Operator',
      lineCount: n,
      lines,
    },
  };
}

/** keptTotal against the count of the listed lines, for each MBA, view and element it holds. */
async function keptTotalsAsCounted(t: TestApp): Promise<void> {
  const q = t.ports.db.kysely;
  for (const { code } of MBAS) {
    const elements = (
      await q.selectFrom('eval_cells').select('element').distinct().where('mba', '=', code).execute()
    ).map((r) => r.element as ElementCode);
    const views: LinesQuery[] = [
      { effective: true, limit: 1, offset: 0 },
      { effective: false, limit: 1, offset: 0 },
      ...[...elements, 'P' as ElementCode].map((element) => ({
        effective: true,
        limit: 1,
        offset: 0,
        element,
      })),
    ];
    for (const f of views) {
      const kept = await keptTotal(q, code, f);
      expect(kept, `${code} ${JSON.stringify(f)}`).toBe(await countListed(q, code, f));
    }
  }
}

describe.each(testDialects())('derived evaluation state on %s', (dialect) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('pairs a big ICR with hundreds of stored lines at once, as the full-line engine does', async () => {
    // Receipts of 1 300 stored shipments in one ICR: 700 matched, 600 discrepant (half the
    // weight), so one ICR changes the status of hundreds of stored rows each way, and its batch
    // look-up names batches that only the other MBA's lines hold (decision 0066).
    t = await createTestApp(dialect, { demo: true });
    t.clock.current = new Date('2026-02-10T10:00:00Z');
    const [shipper, receiver] = [MBAS[0], MBAS[1]];
    for (const { login, body } of history(1)) {
      if (body.type !== 'INITIAL') break;
      expect((await submit(t, login, body)).statusCode).toBe(201);
    }
    const n = 1300;
    for (const { login, body } of [
      bigIcr(shipper, receiver, true, n, () => 1),
      bigIcr(receiver, shipper, false, n, (k) => (k % 13 < 6 ? 0.5 : 1)),
    ]) {
      const res = await submit(t, login, body);
      expect(res.statusCode, res.body.slice(0, 300)).toBe(201);
    }
    const world = await createEvaluationService(t.ports).world();
    const expected = await oracle(t, '2026-02-10');
    const statuses = expected.matches.map((m) => m.status);
    expect(statuses.filter((s) => s === 'matched').length).toBe(700);
    expect(statuses.filter((s) => s === 'discrepant').length).toBe(600);
    expect(world.evaluations).toEqual(expected.evaluations);
    expect(world.matches).toEqual(expected.matches);
    expect(await auditDerivedState(t.ports.db.kysely)).toEqual([]);
    // The audit a few lines at a time (decision 0111): every chunk boundary inside the reports.
    expect(await auditDerivedState(t.ports.db.kysely, { chunk: 7 })).toEqual([]);
  }, 120_000);

  const seeds = dialect === 'sqlite' ? [1, 2, 3, 4, 5, 6, 7, 8] : [9, 10];
  it.each(seeds)(
    'equals the full-line engine after every report of random history %i',
    async (seed) => {
      t = await createTestApp(dialect, { demo: true });
      t.clock.current = new Date('2026-08-10T10:00:00Z');
      const fresh = () => createEvaluationService(t!.ports);
      // One service kept across the history: its cached evaluations are tagged with each MBA's
      // change mark (decision 0108), so a pairing or a notice that changes another MBA's alarms
      // must have bumped that MBA's mark; and its case pass, narrowed to the MBAs whose marks
      // moved, must leave nothing for a whole pass to open.
      const kept = createEvaluationService(t.ports);
      let accepted = 0;
      // Odd seeds with advance notices named by exports (and their receipts and corrections).
      for (const { login, body } of history(seed, { notices: seed % 2 === 1 })) {
        const res = await submit(t, login, body);
        if (res.statusCode !== 201) throw new Error(`${JSON.stringify(body)}\n${res.body.slice(0, 600)}`);
        accepted++;
        const world = await fresh().world();
        const expected = await oracle(t, '2026-08-10');
        expect(world.evaluations).toEqual(expected.evaluations);
        expect(world.matches).toEqual(expected.matches);
        const keptWorld = await kept.world();
        expect(keptWorld.evaluations).toEqual(world.evaluations);
        expect(keptWorld.alarms).toEqual(world.alarms);
        await kept.openCases();
        expect(await fresh().openCases()).toBe(0);
        // The MBA's book counts from its cells and headers what its listed lines number (0109).
        await keptTotalsAsCounted(t);
        // The annual evaluation's transfer counts come from maintained counts (decision 0016).
        for (const state of ['XA', 'XB']) {
          const res = await t.app.inject({
            method: 'GET',
            url: `/api/states/${state}/evaluation?year=2026`,
            headers: { authorization: `Bearer ${t.token('agency.inspector')}` },
          });
          expect(res.statusCode).toBe(200);
          expect(res.json().transfers).toEqual(stateCounts(expected.matches, state));
          // From a row per MBA and kind, whatever the days its pairs span (decision 0107).
          const perDay = await t.ports.db.kysely
            .selectFrom('eval_transfer_counts')
            .select('mba')
            .where('kind', 'in', [COUNT_KIND.stateMatched, COUNT_KIND.stateDiscrepant])
            .where((eb) => eb.or([eb('day', '<>', ''), eb('element', '<>', '')]))
            .execute();
          expect(perDay).toEqual([]);
        }
      }
      expect(accepted).toBeGreaterThan(5);
      await transfersPagedInSqlAsInMemory(t, (await oracle(t, '2026-08-10')).matches);
      await transfersPagedBySegmentsAsInMemory(t, (await oracle(t, '2026-08-10')).matches);
      await alarmsBySegmentsAsByStatement(t);
      // custos audit finds the derived state equal to its lines, and a changed cell changed.
      const q = t.ports.db.kysely;
      expect(await auditDerivedState(q)).toEqual([]);
      expect(await auditDerivedState(q, { chunk: 3 })).toEqual([]);
      // Migration 0041 on a database from before it: the list's index and counts are made from
      // the rows, to what intake keeps (the audit compares every kind with the rows).
      const listCounts = await q
        .selectFrom('eval_transfer_counts')
        .selectAll()
        .where('kind', 'in', [7, 8, 9])
        .orderBy(['mba', 'kind', 'day'])
        .execute();
      expect(listCounts.length).toBeGreaterThan(0);
      const flows = await q
        .selectFrom('eval_transfers')
        .select(['mkey', 'mba', 'origin_report', 'origin_line', 'flow'])
        .orderBy(['mkey', 'mba', 'origin_report', 'origin_line'])
        .execute();
      expect(flows.filter((r) => r.flow?.startsWith('SHIP\u0001')).length).toBeGreaterThan(0);
      await q.deleteFrom('eval_transfer_counts').where('kind', 'in', [7, 8, 9]).execute();
      await q.schema.dropIndex('eval_transfers_ships').execute();
      await q
        .updateTable('eval_transfers')
        .set({ flow: null })
        .where((eb) => eb.or([eb('flow', 'like', 'SHIP%'), eb('flow', 'like', 'RECEIVE%')]))
        .execute();
      expect((await auditDerivedState(q)).map((f) => f.message)).toContainEqual(
        expect.stringContaining("the row's flow is null"),
      );
      await transferListMigration(dialect)(q as never);
      expect(
        await q
          .selectFrom('eval_transfer_counts')
          .selectAll()
          .where('kind', 'in', [7, 8, 9])
          .orderBy(['mba', 'kind', 'day'])
          .execute(),
      ).toEqual(listCounts);
      expect(
        await q
          .selectFrom('eval_transfers')
          .select(['mkey', 'mba', 'origin_report', 'origin_line', 'flow'])
          .orderBy(['mkey', 'mba', 'origin_report', 'origin_line'])
          .execute(),
      ).toEqual(flows);
      expect(await auditDerivedState(q)).toEqual([]);
      // Migration 0042 on a database from before it: gate monitoring's counts of lines in force
      // per KMP, day and code are counted from the lines (corrections and deletions applied
      // through icr_revisions) to what intake keeps; the audit compares them with the oracle's
      // lines in force.
      const kmpDays = () =>
        q.selectFrom('eval_kmp_days').selectAll().orderBy(['mba', 'kmp', 'day', 'code']).execute();
      const gateCounts = await kmpDays();
      expect(gateCounts.length).toBeGreaterThan(0);
      await q.schema.dropTable('eval_kmp_days').execute();
      await kmpDaysMigration(dialect)(q as never);
      expect(await kmpDays()).toEqual(gateCounts);
      expect(await auditDerivedState(q)).toEqual([]);
      const gate = gateCounts[0]!;
      await q
        .updateTable('eval_kmp_days')
        .set({ n: Number(gate.n) + 1 })
        .where('mba', '=', gate.mba)
        .where('kmp', '=', gate.kmp)
        .where('day', '=', gate.day)
        .where('code', '=', gate.code)
        .execute();
      expect((await auditDerivedState(q)).map((f) => f.where)).toEqual([
        `${gate.mba} KMP day ${gate.kmp} ${gate.day} ${gate.code}`,
      ]);
      await q
        .updateTable('eval_kmp_days')
        .set({ n: Number(gate.n) })
        .where('mba', '=', gate.mba)
        .where('kmp', '=', gate.kmp)
        .where('day', '=', gate.day)
        .where('code', '=', gate.code)
        .execute();
      // Migration 0043 on a database from before it: the rows of export and import flows by the
      // date of their lines in force, to what intake keeps; the audit compares them with the rows.
      const noticeLines = () =>
        q
          .selectFrom('eval_notice_lines')
          .selectAll()
          .orderBy(['flow', 'day', 'mba', 'origin_report', 'origin_line'])
          .execute();
      const byDate = await noticeLines();
      expect(byDate.length).toBeGreaterThan(0);
      await q.schema.dropTable('eval_notice_lines').execute();
      await noticeDaysMigration(dialect)(q as never);
      expect(await noticeLines()).toEqual(byDate);
      expect(await auditDerivedState(q)).toEqual([]);
      const gone = byDate[0]!;
      await q
        .deleteFrom('eval_notice_lines')
        .where('flow', '=', gone.flow)
        .where('day', '=', gone.day)
        .where('mba', '=', gone.mba)
        .where('origin_report', '=', gone.origin_report)
        .where('origin_line', '=', gone.origin_line)
        .execute();
      expect((await auditDerivedState(q)).map((f) => f.message)).toEqual([
        'a row of a notice flow has no entry by date',
      ]);
      await q.insertInto('eval_notice_lines').values(gone).execute();
      // The upgrade's build (migration 0010 asks for it) takes every MBA out and builds it again
      // from its reports, one MBA at a time, to the same state.
      const before = await fresh().world();
      await q.deleteFrom('eval_built').execute();
      await q.updateTable('eval_status').set({ built: 0 }).execute();
      expect(await buildDerivedState(t.ports)).toBe(MBAS.length);
      expect(await fresh().world()).toEqual(before);
      expect(await auditDerivedState(q)).toEqual([]);
      expect(await noticeLines()).toEqual(byDate);
      const cell = await q.selectFrom('eval_cells').selectAll().limit(1).executeTakeFirstOrThrow();
      await q
        .updateTable('eval_cells')
        .set({ w: Number(cell.w) + 1 })
        .where('mba', '=', cell.mba)
        .where('bucket', '=', cell.bucket)
        .where('element', '=', cell.element)
        .where('code', '=', cell.code)
        .where('kmp', '=', cell.kmp)
        .execute();
      expect((await auditDerivedState(q)).map((f) => f.where)).toEqual([
        expect.stringContaining(`${cell.mba} cell ${cell.element}`),
      ]);
      // A transfer count changed, and a transfer row gone, are found too.
      const count = await q.selectFrom('eval_transfer_counts').selectAll().limit(1).executeTakeFirst();
      if (count !== undefined) {
        await q
          .updateTable('eval_transfer_counts')
          .set({ n: Number(count.n) + 1 })
          .where('mba', '=', count.mba)
          .where('kind', '=', count.kind)
          .where('day', '=', count.day)
          .where('element', '=', count.element)
          .execute();
        expect((await auditDerivedState(q)).map((f) => f.where)).toContain(
          `${count.mba} transfer count ${count.kind} ${count.day} ${count.element}`,
        );
      }
      const row = await q.selectFrom('eval_transfers').selectAll().limit(1).executeTakeFirst();
      if (row !== undefined) {
        // A row held twice: SQLite's primary key refuses it; on PostgreSQL the rows are indexed by
        // match key alone since migration 0036 (decision 0072), and the audit is what finds it.
        const twice = q.insertInto('eval_transfers').values(row);
        if (dialect === 'sqlite') await expect(twice.execute()).rejects.toThrow(/UNIQUE/);
        else {
          const differing = async () =>
            (await auditDerivedState(q))
              .filter((f) => f.message === 'the transfer line in force differs from its lines')
              .map((f) => f.where.split(' ')[0]);
          expect(await differing()).toEqual([]);
          await twice.execute();
          expect(await differing()).toEqual([row.mba]);
        }
        await q
          .deleteFrom('eval_transfers')
          .where('mkey', '=', row.mkey)
          .where('mba', '=', row.mba)
          .where('origin_report', '=', row.origin_report)
          .where('origin_line', '=', row.origin_line)
          .execute();
        expect((await auditDerivedState(q)).map((f) => f.message)).toContain(
          'a transfer line in force has no row',
        );
      }
    },
    120_000,
  );
});
