/**
 * Migrations 0036 and 0037 (docs/decisions/0072), PostgreSQL only: eval_transfers is indexed by
 * match key alone (deduplicated) instead of its four-column primary key, the batch index is a
 * B-tree on the batch's hash, and the KMP index carries the report key (gate monitoring's count,
 * until 0042 counts those lines at intake and drops the index).
 * A database that already had 0040 is upgraded in place; each MBA's lines through a shared KMP are
 * counted apart, the batch look-up finds the MBA's lines through the new index (awkward names
 * too), and writes by (key, MBA, origin) reach exactly the named row when two rows share a key.
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { IcrReport } from '../../src/domain/reports/index.js';
import { migrateToLatest, migrateToSet, migrationNames } from '../../src/store/migrate.js';
import { declaredThroughKmp } from '../../src/store/monitoring-rules.repo.js';
import { createReportAccountRepo } from '../../src/store/report-account.repo.js';
import type { TransferRow } from '../../src/store/transfers.repo.js';
import { deleteRowsPg, insertRowsPg, updateRowsPg } from '../../src/store/transfers-pg.js';
import { createTestDb, type TestDb, testDialects } from '../fixtures/db.js';
import { storeIcrRows } from '../fixtures/report-rows.js';

function icr(mba: string, n: number, batches: readonly string[]): IcrReport {
  return {
    type: 'ICR',
    mba,
    reportNumber: n,
    reportDate: '2026-02-28',
    period: { from: '2026-02-01', to: '2026-02-28' },
    reportingPerson: 'T',
    lineCount: batches.length,
    lines: batches.map((batch, i) => ({
      line: i + 1,
      date: '2026-02-03',
      code: 'RD',
      batch,
      kmp: 'A',
      element: 'E' as const,
      weightMg: 1000 + i,
      counterpart: { state: 'XA', mba: 'XA-M9' },
    })),
  } as IcrReport;
}

const row = (mkey: number, mba: string, line: number, status = 2): TransferRow => ({
  mkey,
  mba,
  report: 1,
  line,
  ship: false,
  status,
  notice: null,
  flow: null,
});

describe.each(testDialects().filter((d) => d === 'postgres'))('lean indexes (0036) on %s', (dialect) => {
  let t: TestDb | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('upgrades a database that had 0040, counts each MBA’s lines through a KMP, finds batches by hash and writes rows sharing a key one by one', async () => {
    t = await createTestDb(dialect);
    await migrateToSet(
      t.db,
      // As such a database was: 0040 and 0041 there, neither 0036 and 0037 nor what came after.
      migrationNames(dialect).filter(
        (n) => n !== '0036-pg-lean-indexes' && n !== '0037-pg-kmp-index-by-report' && n < '0042',
      ),
    );
    const k = t.db.kysely;
    const indexdef = async (name: string) =>
      (await sql<{ indexdef: string }>`select indexdef from pg_indexes where indexname = ${name}`.execute(k))
        .rows[0]?.indexdef;
    // 0040 as it ran before 0036 existed (it now builds the new batch index itself).
    await sql`drop index report_lines_batch`.execute(k);
    await sql`create index report_lines_batch on report_lines_data using hash (batch) where batch is not null`.execute(
      k,
    );
    expect(await indexdef('eval_transfers_key')).toContain('(mkey, mba, origin_report, origin_line)');
    // Lines of two MBAs naming the same batches (a shipper's and its receiver's), stored before.
    const names = ['B-1', 'B"2', 'B\\3', 'NULL', ''];
    await storeIcrRows(t, icr('XA-M1', 1, names), 1);
    await storeIcrRows(t, icr('XA-M2', 1, names), 2);
    await storeIcrRows(t, icr('XA-M2', 2, ['C-1', 'C-2']), 3);

    await migrateToLatest(t.db);
    expect(await indexdef('report_lines_batch')).toContain('USING btree (hashtext(batch))');
    expect(await indexdef('eval_transfers_mkey')).toContain('USING btree (mkey)');
    expect(await indexdef('eval_transfers_key')).toBeUndefined();
    // 0037's KMP index gave way to the counts of 0042 (decision 0084), made from the lines.
    expect(await indexdef('report_lines_kmp')).toBeUndefined();
    // Both MBAs' lines go through KMP A on the same day: each counts its own.
    expect(await declaredThroughKmp(k, 'XA-M2', 'A', '2026-02-03')).toEqual([{ code: 'RD', lines: 7 }]);
    expect(await declaredThroughKmp(k, 'XA-M1', 'A', '2026-02-03')).toEqual([{ code: 'RD', lines: 5 }]);
    expect(await declaredThroughKmp(k, 'XA-M1', 'A', '2026-02-04')).toEqual([]);

    const found = await createReportAccountRepo(t.db).batchLines('XA-M2', new Set([...names, 'none']));
    expect(
      found.inForce.map((l) => `${l.batch} ${l.position.reportNumber}:${l.position.line}`).sort(),
    ).toEqual(names.map((b, i) => `${b} 1:${i + 1}`).sort());

    // Two rows share key 7 (a pair), a third has its own.
    await insertRowsPg(
      k,
      3,
      (i) => [row(7, 'XA-M1', 1), row(7, 'XA-M2', 1), row(8, 'XA-M2', 2)][i] as TransferRow,
    );
    await updateRowsPg(k, [row(7, 'XA-M2', 1, 0)]);
    expect(await deleteRowsPg(k, [row(7, 'XA-M1', 1), row(9, 'XA-M1', 1)])).toEqual([
      { mkey: 7, flow: null },
    ]);
    const rows = await sql<{ mkey: string; mba: string; origin_line: number; status: number }>`
      select mkey, mba, origin_line, status from eval_transfers order by mkey, mba`.execute(k);
    expect(rows.rows.map((r) => `${r.mkey} ${r.mba} ${r.origin_line} ${r.status}`)).toEqual([
      '7 XA-M2 1 0',
      '8 XA-M2 2 2',
    ]);
  });
});
