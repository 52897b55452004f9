/**
 * Migration 0042 (docs/decisions/0065) keeps on PostgreSQL the transfer rows, only ever inserted
 * and deleted, apart from the status and notice of those not plainly matched (their marks), with
 * `eval_transfers` a view of the table's former columns. A database of the previous schema is
 * upgraded with every row and status kept (directly and through a backup taken before 0042);
 * the store's writes answer the same rows on both dialects; pairing a row writes no update of
 * the rows (the dead versions and non-HOT updates of decision 0062); an edit through the view
 * reaches both tables; and a server whose autovacuum is off vacuums the marks itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { dumpPostgres, loadPostgres } from '../../src/store/backup.js';
import type { DbOrTx } from '../../src/store/db.js';
import { migrateTo, migrateToLatest, migrateToSet } from '../../src/store/migrate.js';
import { startMarksSweeper } from '../../src/store/pg-sweeper.js';
import { deleteRows, insertRows, type TransferRow, updateRows } from '../../src/store/transfers.repo.js';
import { createTestDb, type TestDb, testDialects } from '../fixtures/db.js';

const row = (
  mkey: number,
  line: number,
  status: number,
  notice: number | null,
  ship = true,
): TransferRow => ({
  mkey,
  mba: 'XA-M1',
  report: 1,
  line,
  ship,
  status,
  notice,
  flow: line % 2 === 0 ? `X\u0001XA\u0001XB` : null,
});

/** Rows of every kind: matched, discrepant, lone, matched with a finding, lone with one. */
const ROWS = [
  row(7, 1, 0, null),
  row(7, 2, 1, null, false),
  row(9, 3, 2, null),
  row(11, 4, 0, 1),
  row(13, 5, 2, 2),
];

const all = (q: DbOrTx) =>
  q
    .selectFrom('eval_transfers')
    .selectAll()
    .orderBy('mkey')
    .orderBy('mba')
    .orderBy('origin_report')
    .orderBy('origin_line')
    .execute()
    .then((rs) => rs.map((r) => ({ ...r, mkey: Number(r.mkey) })));

const asStored = (r: TransferRow) => ({
  mkey: r.mkey,
  mba: r.mba,
  origin_report: r.report,
  origin_line: r.line,
  ship: r.ship ? 1 : 0,
  status: r.status,
  notice: r.notice,
  flow: r.flow,
});

async function marks(t: TestDb): Promise<{ line: number; status: number; notice: number | null }[]> {
  const { rows } = await sql<{ line: number; status: number; notice: number | null }>`
    select origin_line as line, status, notice from eval_transfer_marks order by origin_line`.execute(
    t.db.kysely,
  );
  return rows;
}

describe.each(testDialects())('transfer rows and their marks on %s', (dialect) => {
  let t: TestDb | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('upgrades with every row and status kept, and the store writes read back the same', async () => {
    t = await createTestDb(dialect);
    await migrateTo(t.db, '0040-pg-report-keys');
    await t.db.kysely.insertInto('eval_transfers').values(ROWS.map(asStored)).execute();
    const before = await all(t.db.kysely);
    expect(before).toEqual(ROWS.map(asStored));
    await migrateToLatest(t.db);
    expect(await all(t.db.kysely)).toEqual(before);
    if (dialect === 'postgres')
      expect(await marks(t)).toEqual([
        { line: 2, status: 1, notice: null },
        { line: 3, status: 2, notice: null },
        { line: 4, status: 0, notice: 1 },
        { line: 5, status: 2, notice: 2 },
      ]);

    // The store's own writes: a lone row paired, a matched one given a finding, one removed, one added.
    const q = t.db.kysely;
    const changed = [row(9, 3, 0, null), row(7, 1, 0, 2)];
    await q.transaction().execute(async (tx) => {
      await updateRows(tx, t?.db.sqlite, changed);
      await deleteRows(tx, t?.db.sqlite, [row(13, 5, 2, 2)]);
      await insertRows(tx, t?.db.sqlite, [row(15, 6, 2, null)]);
    });
    const expected = [row(7, 1, 0, 2), ROWS[1]!, row(9, 3, 0, null), ROWS[3]!, row(15, 6, 2, null)].map(
      asStored,
    );
    expect(await all(q)).toEqual(expected);
    if (dialect === 'postgres')
      expect(await marks(t)).toEqual([
        { line: 1, status: 0, notice: 2 },
        { line: 2, status: 1, notice: null },
        { line: 4, status: 0, notice: 1 },
        { line: 6, status: 2, notice: null },
      ]);
  });
});

describe.each(testDialects().filter((d) => d === 'postgres'))('transfer marks on %s', (dialect) => {
  let t: TestDb | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('pairing a lone row deletes its mark and updates no row', async () => {
    t = await createTestDb(dialect);
    await migrateToLatest(t.db);
    await insertRows(t.db.kysely, undefined, ROWS);
    const writes = await t.db.kysely.transaction().execute(async (tx) => {
      await updateRows(tx, undefined, [row(9, 3, 0, null), row(13, 5, 0, null)]);
      const { rows } = await sql<{ relname: string; upd: number; del: number }>`
        select relname, n_tup_upd::int as upd, n_tup_del::int as del from pg_stat_xact_user_tables
        where relname in ('eval_transfer_rows', 'eval_transfer_marks') order by relname`.execute(tx);
      return rows;
    });
    expect(writes).toEqual([
      { relname: 'eval_transfer_marks', upd: 0, del: 2 },
      { relname: 'eval_transfer_rows', upd: 0, del: 0 },
    ]);
    expect((await all(t.db.kysely)).map((r) => [r.origin_line, r.status, r.notice])).toEqual([
      [1, 0, null],
      [2, 1, null],
      [3, 0, null],
      [4, 0, 1],
      [5, 0, null],
    ]);
  });

  it('takes an edit and a removal through the view by primary key, as the table did', async () => {
    t = await createTestDb(dialect);
    await migrateToLatest(t.db);
    const q = t.db.kysely;
    await insertRows(q, undefined, ROWS);
    await q.updateTable('eval_transfers').set({ notice: null }).where('origin_line', 'in', [4, 5]).execute();
    await q.updateTable('eval_transfers').set({ status: 1 }).where('origin_line', '=', 1).execute();
    await q.deleteFrom('eval_transfers').where('mkey', '=', 7).where('origin_line', '=', 2).execute();
    expect((await all(q)).map((r) => [r.origin_line, r.status, r.notice, r.flow])).toEqual([
      [1, 1, null, null],
      [3, 2, null, null],
      [4, 0, null, `X\u0001XA\u0001XB`],
      [5, 2, null, null],
    ]);
    expect(await marks(t)).toEqual([
      { line: 1, status: 1, notice: null },
      { line: 3, status: 2, notice: null },
      { line: 5, status: 2, notice: null },
    ]);
  });

  it('a backup taken before 0042 restores under that schema, then is upgraded with every row', async () => {
    t = await createTestDb(dialect);
    await migrateTo(t.db, '0040-pg-report-keys');
    await t.db.kysely.insertInto('eval_transfers').values(ROWS.map(asStored)).execute();
    const dir = join(mkdtempSync(join(tmpdir(), 'custos-old-backup-')), 'tables');
    const target = await createTestDb(dialect);
    try {
      const copy = await dumpPostgres(t.db.pool as pg.Pool, dir);
      expect(copy.migrations).not.toContain('0042-pg-transfer-marks');
      await migrateToSet(target.db, copy.migrations);
      await loadPostgres(
        target.db.pool as pg.Pool,
        dir,
        copy.tables.map((x) => x.name),
      );
      await migrateToLatest(target.db);
      expect(await all(target.db.kysely)).toEqual(ROWS.map(asStored));
    } finally {
      await target.dispose();
      rmSync(join(dir, '..'), { recursive: true, force: true });
    }
  }, 120_000);

  it('vacuums the marks once enough of them are dead, where autovacuum is off', async () => {
    t = await createTestDb(dialect);
    await migrateToLatest(t.db);
    const pool = t.db.pool as pg.Pool;
    const auto = await pool.query<{ a: string }>(`select current_setting('autovacuum') as a`);
    const many = Array.from({ length: 200 }, (_, i) => row(100 + i, 10 + i, 2, null));
    await t.db.kysely.transaction().execute(async (tx) => {
      await insertRows(tx, undefined, many);
      await updateRows(
        tx,
        undefined,
        many.map((r) => ({ ...r, status: 0 })),
      );
      // The connection's counts reach the shared statistics as soon as it goes idle (PostgreSQL
      // 15 would otherwise wait up to 10 s), where the sweeper reads them.
      await sql`select pg_stat_force_next_flush()`.execute(tx);
    });
    const vacuumed = async () =>
      (
        await pool.query<{ n: string }>(
          `select vacuum_count as n from pg_stat_user_tables where relname = 'eval_transfer_marks'`,
        )
      ).rows[0]?.n ?? '0';
    const sweeper = startMarksSweeper(pool, 50);
    try {
      // Statistics reach the shared counters within about a second of the writes.
      let n = '0';
      for (let i = 0; i < 300 && n === '0'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        n = await vacuumed();
      }
      // Where autovacuum is on, the sweeper leaves the table to it (and may see it vacuumed).
      if (auto.rows[0]?.a !== 'on') expect(Number(n)).toBeGreaterThanOrEqual(1);
      expect(await marks(t)).toEqual([]);
    } finally {
      await sweeper.stop();
    }
  }, 120_000);
});
