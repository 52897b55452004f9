import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkNotices } from '../../src/domain/transfers/index.js';
import { flowPages, recheckFlows } from '../../src/services/evaluation/derive-transfers.js';
import { factsReader } from '../../src/services/evaluation/transfer-lines.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { createTestApp, type TestApp } from '../fixtures/app.js';
import { createTestDb, type TestDb, testDialects } from '../fixtures/db.js';
import { icr, initialReport, submit } from '../fixtures/reports.js';

/** A plutonium export to XB without a notice. */
function exportLine(n: number, day: number, grams: number) {
  return {
    line: n,
    date: `2026-01-${String(day).padStart(2, '0')}`,
    code: 'SF',
    batch: `PU-${n}`,
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
 * Issue 15 item 9, decision 0051: the notice findings of a flow are checked again page by page —
 * each read a range of the index on (flow, mba, origin), never the whole flow — and give what
 * checkNotices gives over the whole flow at once.
 */
describe.each(testDialects())('flow recheck in pages on %s', (dialect) => {
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

  it('reads a flow in pages of at most the page size, each row once, in origin order', async () => {
    const all = await stored();
    expect(all).toHaveLength(LINES);
    const pages: number[][] = [];
    for await (const recs of flowPages(t.ports.db.kysely, FLOW, factsReader(t.ports.db.kysely), 3)) {
      pages.push(recs.map((r) => r.line));
    }
    expect(pages.map((p) => p.length)).toEqual([3, 3, 3, 2]);
    expect(pages.flat()).toEqual(all.map((r) => r.origin_line));
  });

  it('finds in pages what checkNotices finds over the whole flow, and writes only what changed', async () => {
    const fx = factsReader(t.ports.db.kysely);
    const whole = [];
    for await (const recs of flowPages(t.ports.db.kysely, FLOW, fx, 1_000)) whole.push(...recs);
    const expected = new Map(
      checkNotices(
        whole.map((r) => r.t),
        [],
      ).map((f) => [f.transfer.id, f.code === 'NOTICE_MISSING' ? 1 : 2]),
    );
    expect(expected.size).toBe(LINES);
    const before = await stored();
    expect(before.map((r) => r.notice)).toEqual(
      before.map((r) => expected.get(`XA-F1/${r.origin_report}/${r.origin_line}`) ?? null),
    );
    // Findings taken away, then found again in pages of two lines: only the whole flow's windows
    // reach the threshold, so every page must have been read before any finding is written.
    await t.ports.db.kysely
      .updateTable('eval_transfers')
      .set({ notice: null })
      .where('flow', '=', FLOW)
      .execute();
    await t.ports.db.kysely.transaction().execute((tx) => recheckFlows(tx, t.ports.db.sqlite, [FLOW], 2));
    expect(await stored()).toEqual(before);
    // Findings that hold are not written again: the counts stay as they are.
    const counted = await counts();
    await t.ports.db.kysely.transaction().execute((tx) => recheckFlows(tx, t.ports.db.sqlite, [FLOW], 2));
    expect(await stored()).toEqual(before);
    expect(await counts()).toEqual(counted);
  });

  it('reads each page as one range of the index on (flow, mba, origin), with no sort', async () => {
    const sqlite = t.ports.db.sqlite;
    if (sqlite !== undefined) {
      const plan = sqlite
        .prepare(
          `explain query plan select t.mba from eval_transfers t where t.flow = ?
             and (t.mba, t.origin_report, t.origin_line) > (?, ?, ?)
             order by t.mba, t.origin_report, t.origin_line limit 2`,
        )
        .all(FLOW, 'XA-F1', 1, 2) as { detail: string }[];
      const text = plan.map((p) => p.detail).join('\n');
      expect(text).toContain('eval_transfers_flow_origin');
      expect(text).not.toContain('TEMP B-TREE');
      return;
    }
    // PostgreSQL picks a sequential scan for a table this small; without one, the plan shows the
    // index answers the page in order (no Sort node).
    const text = await t.ports.db.kysely.transaction().execute(async (tx) => {
      await sql`set local enable_seqscan = off`.execute(tx);
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain select t.mba from eval_transfers t
        where t.flow = ${FLOW} and (t.mba, t.origin_report, t.origin_line) > (${'XA-F1'}, ${1}, ${2})
        order by t.mba, t.origin_report, t.origin_line limit 2`.execute(tx);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(text).toContain('eval_transfers_flow_origin');
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
