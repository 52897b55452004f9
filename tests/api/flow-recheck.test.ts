import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkNotices } from '../../src/domain/transfers/index.js';
import { FlowChanges, recheckFlows } from '../../src/services/evaluation/notice-flows.js';
import { factsReader, recsOf } from '../../src/services/evaluation/transfer-lines.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { type NoticePageEnd, readNoticeFlowPage } from '../../src/store/notice-lines.repo.js';
import { createTestApp, type TestApp } from '../fixtures/app.js';
import { createTestDb, type TestDb, testDialects } from '../fixtures/db.js';
import { icr, initialReport, submit } from '../fixtures/reports.js';

/** A plutonium export to XB without a notice, dated `date` (a day of January 2026 if a number). */
function exportLine(n: number, date: number | string, grams: number) {
  return {
    line: n,
    date: typeof date === 'number' ? `2026-01-${String(date).padStart(2, '0')}` : date,
    code: 'SF',
    batch: `PU-${n}-${typeof date === 'number' ? 'jan' : date}`,
    kmp: 'B',
    element: 'P',
    weight: grams,
    basis: 'M',
    form: 'PH',
    counterpart: { state: 'XB', mba: 'XB-F1' },
  };
}

const FLOW = 'EXPORT\u0001XA\u0001XB';
const LINES = 11;

/**
 * Decision 0086: the notice findings of a flow are checked again walking it by date — each page a
 * range of eval_notice_lines' key, the check holding three months of lines — and give what
 * checkNotices gives over the whole flow at once; a change rechecks the months around it only.
 */
describe.each(testDialects())('flow recheck by date on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    t.clock.current = new Date('2026-02-05T10:00:00Z');
    expect((await submit(t, 'xa-ssac.submitter', initialReport('XA-F1'))).statusCode).toBe(201);
    // 0.3 ekg each: no line needs a notice alone, four together do (over 1 ekg in three months),
    // so a page of two lines never shows the window. Same-day lines too: windows order by day, then id.
    const lines = Array.from({ length: LINES }, (_, i) => exportLine(i + 1, 2 + Math.floor(i / 2) * 3, 300));
    const res = await submit(t, 'xa-ssac.submitter', icr(1, '2026-01', lines));
    expect(res.statusCode, res.body).toBe(201);
  });
  afterAll(async () => {
    await t.close();
  });

  const stored = () =>
    t.ports.db.kysely
      .selectFrom('eval_transfers')
      .select(['mba', 'origin_report', 'origin_line', 'notice'])
      .where('flow', '=', FLOW)
      .orderBy('mba')
      .orderBy('origin_report')
      .orderBy('origin_line')
      .execute();
  const counts = () =>
    t.ports.db.kysely
      .selectFrom('eval_transfer_counts')
      .select(['kind', 'day', 'element', 'n'])
      .where('mba', '=', 'XA-F1')
      .orderBy('kind')
      .orderBy('day')
      .orderBy('element')
      .execute();
  /** The flow's rows with their lines, read whole, as transfer lines. */
  async function wholeFlow() {
    const q = t.ports.db.kysely;
    const { rows } = await readNoticeFlowPage(q, FLOW, undefined, undefined, 100_000);
    return recsOf(q, rows, factsReader(q));
  }
  /** What checkNotices finds over the whole flow, by the origin of the line (`MBA/report/line`). */
  async function oracle(): Promise<Map<string, number>> {
    const recs = await wholeFlow();
    const origin = new Map(recs.map((r) => [r.t.id, `${r.mba}/${r.report}/${r.line}`]));
    return new Map(
      checkNotices(
        recs.map((r) => r.t),
        [],
      ).map((f) => [origin.get(f.transfer.id) as string, f.code === 'NOTICE_MISSING' ? 1 : 2]),
    );
  }
  const whole = () => {
    const c = new FlowChanges();
    c.whole(FLOW);
    return c;
  };

  it('walks a flow by date in pages of at most the page size, each row once', async () => {
    const q = t.ports.db.kysely;
    const pages: string[][] = [];
    let after: NoticePageEnd | undefined;
    for (;;) {
      const page = await readNoticeFlowPage(q, FLOW, undefined, after, 3);
      if (page.end === undefined) break;
      pages.push(page.rows.map((r) => `${r.held.date}/${r.line}`).sort());
      after = page.end;
      if (!page.more) break;
    }
    expect(pages.map((p) => p.length)).toEqual([3, 3, 3, 2]);
    const walked = pages.flat();
    expect(new Set(walked).size).toBe(LINES);
    const days = walked.map((w) => w.slice(0, 10));
    expect(days).toEqual([...days].sort());
    // A span bounds the walk by date: [from, before).
    const jan8 = await readNoticeFlowPage(
      q,
      FLOW,
      { from: '2026-01-08', before: '2026-01-14' },
      undefined,
      100,
    );
    expect(jan8.rows.map((r) => r.held.date).sort()).toEqual([
      '2026-01-08',
      '2026-01-08',
      '2026-01-11',
      '2026-01-11',
    ]);
  });

  it('finds by date what checkNotices finds over the whole flow, and writes only what changed', async () => {
    const expected = await oracle();
    expect(expected.size).toBe(LINES);
    const before = await stored();
    expect(before.map((r) => r.notice)).toEqual(
      before.map((r) => expected.get(`XA-F1/${r.origin_report}/${r.origin_line}`) ?? null),
    );
    // Findings taken away, then found again in pages of two lines: only windows of four lines
    // reach the threshold, so the check must carry lines from page to page.
    await t.ports.db.kysely
      .updateTable('eval_transfers')
      .set({ notice: null })
      .where('flow', '=', FLOW)
      .execute();
    await t.ports.db.kysely.transaction().execute((tx) => recheckFlows(tx, t.ports.db.sqlite, whole(), 2));
    expect(await stored()).toEqual(before);
    // Findings that hold are not written again: the counts stay as they are.
    const counted = await counts();
    await t.ports.db.kysely.transaction().execute((tx) => recheckFlows(tx, t.ports.db.sqlite, whole(), 2));
    expect(await stored()).toEqual(before);
    expect(await counts()).toEqual(counted);
  });

  it('rechecks the months around a change, as the whole flow would, and leaves the rest unread', async () => {
    const q = t.ports.db.kysely;
    // A January line's finding spoiled: ten months away from what follows, no recheck reaches it.
    await q
      .updateTable('eval_transfers')
      .set({ notice: null })
      .where('flow', '=', FLOW)
      .where('origin_report', '=', 1)
      .where('origin_line', '=', 1)
      .execute();
    t.clock.current = new Date('2026-12-05T10:00:00Z');
    const steps = [
      // One line alone in its window: no finding.
      icr(2, '2026-11', [exportLine(1, '2026-11-10', 300)]),
      // Three more within three months: all four need notices (1.2 ekg).
      icr(3, '2026-11', [
        exportLine(1, '2026-11-12', 300),
        exportLine(2, '2026-11-20', 300),
        exportLine(3, '2026-11-28', 300),
      ]),
      // One deleted: 0.9 ekg, none needs one any more.
      icr(4, '2026-11', [
        { ...exportLine(2, '2026-11-20', 300), line: 1, deletes: { reportNumber: 3, line: 2 } },
      ]),
      // A correction makes one heavier (0.8 ekg) and another line comes: 1.7 ekg, all four need one.
      icr(5, '2026-11', [
        { ...exportLine(3, '2026-11-28', 800), line: 1, corrects: { reportNumber: 3, line: 3 } },
        exportLine(2, '2026-11-29', 300),
      ]),
    ];
    for (const [i, body] of steps.entries()) {
      const res = await submit(t, 'xa-ssac.submitter', body);
      expect(res.statusCode, res.body).toBe(201);
      const expected = await oracle();
      for (const r of await stored()) {
        const id = `XA-F1/${r.origin_report}/${r.origin_line}`;
        if (r.origin_report === 1 && r.origin_line === 1) {
          expect(r.notice, 'the spoiled January finding is never read again').toBeNull();
          continue;
        }
        expect(r.notice, `${id} after step ${i + 1}`).toBe(expected.get(id) ?? null);
      }
    }
    const november = (await stored()).filter((r) => r.origin_report > 1);
    expect(november.map((r) => r.notice)).toEqual([1, 1, 1, 1]);
    // The whole flow's recheck mends the January line.
    await q.transaction().execute((tx) => recheckFlows(tx, t.ports.db.sqlite, whole()));
    const mended = (await stored()).find((r) => r.origin_report === 1 && r.origin_line === 1);
    expect(mended?.notice).toBe(1);
  });

  it('rechecks the months around each changed date, not the months between them', async () => {
    const q = t.ports.db.kysely;
    // A June line (alone in its window: no finding), its finding spoiled by hand.
    expect(
      (await submit(t, 'xa-ssac.submitter', icr(6, '2026-06', [exportLine(1, '2026-06-15', 300)])))
        .statusCode,
    ).toBe(201);
    await q
      .updateTable('eval_transfers')
      .set({ notice: 2 })
      .where('flow', '=', FLOW)
      .where('origin_report', '=', 6)
      .execute();
    // One ICR corrects a January line (heavier) and adds a November line: two spans, far apart.
    const res = await submit(
      t,
      'xa-ssac.submitter',
      icr(7, '2026-11', [
        { ...exportLine(2, 2, 900), line: 1, corrects: { reportNumber: 1, line: 2 } },
        exportLine(2, '2026-11-30', 300),
      ]),
    );
    expect(res.statusCode, res.body).toBe(201);
    const expected = await oracle();
    for (const r of await stored()) {
      const id = `XA-F1/${r.origin_report}/${r.origin_line}`;
      if (r.origin_report === 6) expect(r.notice, 'June is between the two spans: not read').toBe(2);
      else expect(r.notice, id).toBe(expected.get(id) ?? null);
    }
    await q.transaction().execute((tx) => recheckFlows(tx, t.ports.db.sqlite, whole()));
    expect((await stored()).find((r) => r.origin_report === 6)?.notice).toBeNull();
  });

  it('joins the dates whose reads overlap into one span, and keeps the others apart', () => {
    const c = new FlowChanges();
    for (const d of ['2026-11-30', '2016-01-02', '2026-11-01', '2026-05-31', '2016-01-20']) c.add(FLOW, d);
    c.add('DOMESTIC', '2026-01-01');
    // 2026-05-31 writes to 2026-09-03, 2026-11-01 from 2026-07-29: one span, and 2026-11-30
    // joins it. Ten years before, another.
    expect(c.spansOf(FLOW)).toEqual([
      { from: '2016-01-02', to: '2016-01-20' },
      { from: '2026-05-31', to: '2026-11-30' },
    ]);
    const apart = new FlowChanges();
    for (const d of ['2026-01-02', '2026-11-30']) apart.add(FLOW, d);
    // Reads overlap (2026-07-06 and 2026-05-27), writes do not (to 2026-04-05, from 2026-08-27).
    expect(apart.spansOf(FLOW)).toEqual([
      { from: '2026-01-02', to: '2026-01-02' },
      { from: '2026-11-30', to: '2026-11-30' },
    ]);
    expect([...c.spans.keys()]).toEqual([FLOW]);
    c.whole(FLOW);
    c.add(FLOW, '2026-01-01');
    expect(c.spansOf(FLOW)).toEqual([null]);
  });

  it('reads each page of a flow by date as one range of its key, with no sort', async () => {
    const keys = `select n.day, n.mba, n.origin_report, n.origin_line from eval_notice_lines n
      where n.flow = ? and (n.day, n.mba, n.origin_report, n.origin_line) > (?, ?, ?, ?) and n.day < ?
      order by n.day, n.mba, n.origin_report, n.origin_line limit 2`;
    const args = [FLOW, '2026-01-05', 'XA-F1', 1, 3, '2026-06-01'] as const;
    const sqlite = t.ports.db.sqlite;
    if (sqlite !== undefined) {
      const plan = sqlite.prepare(`explain query plan ${keys}`).all(...args) as { detail: string }[];
      const text = plan.map((p) => p.detail).join('\n');
      expect(text).toContain('PRIMARY KEY');
      expect(text).not.toContain('TEMP B-TREE');
      return;
    }
    const text = await t.ports.db.kysely.transaction().execute(async (tx) => {
      await sql`set local enable_seqscan = off`.execute(tx);
      const [flow, day, mba, report, line, before] = args;
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain select n.day from eval_notice_lines n
        where n.flow = ${flow} and (n.day, n.mba, n.origin_report, n.origin_line) > (${day}, ${mba}, ${report}, ${line})
        and n.day < ${before} order by n.day, n.mba, n.origin_report, n.origin_line limit 2`.execute(tx);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(text).toContain('eval_notice_lines_key');
    expect(text).not.toMatch(/\bSort\b/);
  });
});

describe.each(testDialects())('migration 0030 (%s)', (dialect) => {
  it('upgrades a database that already ran a later migration: the flow index replaces the old one', async () => {
    const tdb = await createTestDb(dialect);
    try {
      await migrateToLatest(tdb.db);
      const k = tdb.db.kysely;
      // The database as it was before 0030 landed, with 0033 already applied.
      await k.schema.dropIndex('eval_transfers_flow_origin').execute();
      await k.schema
        .createIndex('eval_transfers_flow')
        .on('eval_transfers')
        .column('flow')
        .where(sql.ref('flow'), 'is not', null)
        .execute();
      await k
        .deleteFrom('kysely_migration' as never)
        .where('name' as never, '=', '0030-flow-pages' as never)
        .execute();
      await migrateToLatest(tdb.db);
      const names = (await indexesOf(tdb)).filter((n) => n.startsWith('eval_transfers_flow'));
      expect(names).toEqual(['eval_transfers_flow_origin']);
    } finally {
      await tdb.dispose();
    }
  });
});

async function indexesOf(tdb: TestDb): Promise<string[]> {
  if (tdb.db.sqlite !== undefined) {
    return (
      tdb.db.sqlite.prepare(`select name from sqlite_master where type = 'index' order by name`).all() as {
        name: string;
      }[]
    ).map((r) => r.name);
  }
  const { rows } = await sql<{
    indexname: string;
  }>`select indexname from pg_indexes order by indexname`.execute(tdb.db.kysely);
  return rows.map((r) => r.indexname);
}
