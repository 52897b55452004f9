/**
 * Migration 0040 (docs/decisions/0062) stores report lines on PostgreSQL under a small integer
 * report key, with `report_lines` a view of the same columns. A database of the previous schema
 * is upgraded with every line kept and in the same order; lines stored afterwards read back by
 * report id; the view takes an edit and a removal by (report id, line) as the table did (the
 * audit's tamper tests make them); on both dialects.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { IcrReport } from '../../src/domain/reports/index.js';
import { dumpPostgres, loadPostgres } from '../../src/store/backup.js';
import { migrateTo, migrateToLatest, migrateToSet } from '../../src/store/migrate.js';
import { createReportsRepo } from '../../src/store/reports.repo.js';
import { createTestDb, type TestDb, testDialects } from '../fixtures/db.js';
import { allLines, storeIcrRows } from '../fixtures/report-rows.js';

function icr(mba: string, n: number, lines: number): IcrReport {
  return {
    type: 'ICR',
    mba,
    reportNumber: n,
    reportDate: '2026-02-28',
    period: { from: '2026-02-01', to: '2026-02-28' },
    reportingPerson: 'T',
    lineCount: lines,
    lines: Array.from({ length: lines }, (_, i) => ({
      line: i + 1,
      date: `2026-02-${String((i % 27) + 1).padStart(2, '0')}`,
      code: i % 2 === 0 ? 'RD' : 'SD',
      batch: `${mba}-B${n}-${i}`,
      kmp: 'A',
      element: 'E' as const,
      weightMg: 1000 * n + i,
      counterpart: { state: 'XB', mba: 'XB-M1' },
      ...(i === 1 ? { corrects: { reportNumber: 1, line: 1 } } : {}),
    })),
  } as IcrReport;
}

let logIndex = 0;

const store = (t: TestDb, mba: string, n: number, lines: number, old = false) =>
  storeIcrRows(t, icr(mba, n, lines), ++logIndex, old);

describe.each(testDialects())('report lines under report keys on %s', (dialect) => {
  let t: TestDb | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('upgrades with every line kept, stores and reads by report id, and takes edits by (report, line)', async () => {
    t = await createTestDb(dialect);
    await migrateTo(t.db, '0033-third-logs');
    // Reports of two MBAs interleaved, as they arrive.
    await store(t, 'XA-M2', 1, 5, true);
    await store(t, 'XA-M1', 1, 3, true);
    await store(t, 'XA-M2', 2, 4, true);
    const before = await allLines(t);
    expect(before).toHaveLength(12);
    await migrateToLatest(t.db);
    expect(await allLines(t)).toEqual(before);

    await store(t, 'XA-M1', 2, 6);
    const repo = createReportsRepo(t.db);
    const lines = await repo.linesOf('XA-M1:ICR:2');
    expect(lines.map((l) => [l.report_id, l.line, l.batch, Number(l.weight_mg), l.report_number])).toEqual(
      Array.from({ length: 6 }, (_, i) => ['XA-M1:ICR:2', i + 1, `XA-M1-B2-${i}`, 2000 + i, 2]),
    );
    expect((await repo.linesOf('XA-M2:ICR:1')).map((l) => l.line)).toEqual([1, 2, 3, 4, 5]);
    expect(await allLines(t)).toHaveLength(18);

    // An edit and a removal by report id and line reach the stored row, and only it.
    await t.db.kysely
      .updateTable('report_lines')
      .set({ weight_mg: 7, batch: 'CHANGED' })
      .where('report_id', '=', 'XA-M2:ICR:1')
      .where('line', '=', 2)
      .execute();
    await t.db.kysely
      .deleteFrom('report_lines')
      .where('report_id', '=', 'XA-M1:ICR:1')
      .where('line', '=', 3)
      .execute();
    const edited = await allLines(t);
    expect(edited).toHaveLength(17);
    expect(edited.find((l) => l.report_id === 'XA-M2:ICR:1' && l.line === 2)).toMatchObject({
      weight_mg: expect.anything(),
      batch: 'CHANGED',
    });
    expect(Number(edited.find((l) => l.report_id === 'XA-M2:ICR:1' && l.line === 2)?.weight_mg)).toBe(7);
    expect(edited.some((l) => l.report_id === 'XA-M1:ICR:1' && l.line === 3)).toBe(false);
    expect(edited.filter((l) => l.batch === 'CHANGED')).toHaveLength(1);

    if (dialect === 'postgres') {
      const { rows } = await sql<{ indexdef: string }>`select indexdef from pg_indexes
        where indexname = 'report_lines_key'`.execute(t.db.kysely);
      expect(rows[0]?.indexdef).toContain('report_lines_data USING btree (report_seq, line)');
      // Keys follow the order the reports were stored in (the log's), later ones after them.
      const keys = await sql<{
        id: string;
        seq: number;
      }>`select id, seq from report_keys order by seq`.execute(t.db.kysely);
      expect(keys.rows.map((k) => k.id)).toEqual([
        'XA-M2:ICR:1',
        'XA-M1:ICR:1',
        'XA-M2:ICR:2',
        'XA-M1:ICR:2',
      ]);
    }
  });
});
// PostgreSQL only: SQLite's backup is the database file itself, which its migrations upgrade at start.
describe.each(testDialects().filter((d) => d === 'postgres'))('an older backup on %s', (dialect) => {
  let t: TestDb | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('a PostgreSQL backup taken before 0040 restores under that schema, then is upgraded with every line', async () => {
    t = await createTestDb(dialect);
    await migrateTo(t.db, '0033-third-logs');
    await store(t, 'XA-M2', 1, 5, true);
    await store(t, 'XA-M1', 1, 3, true);
    const before = await allLines(t);
    const dir = join(mkdtempSync(join(tmpdir(), 'custos-old-backup-')), 'tables');
    const target = await createTestDb(dialect);
    try {
      // What `custos restore` does with a manifest's migrations and tables (services/backup.ts).
      const copy = await dumpPostgres(t.db.pool as pg.Pool, dir);
      expect(copy.migrations).not.toContain('0040-pg-report-keys');
      expect(copy.tables.find((x) => x.name === 'report_lines')?.rows).toBe(8);
      await migrateToSet(target.db, copy.migrations);
      await loadPostgres(
        target.db.pool as pg.Pool,
        dir,
        copy.tables.map((x) => x.name),
      );
      await migrateToLatest(target.db);
      expect(await allLines(target)).toEqual(before);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from report_lines_data`.execute(
        target.db.kysely,
      );
      expect(rows[0]?.n).toBe(8);
    } finally {
      await target.dispose();
      rmSync(join(dir, '..'), { recursive: true, force: true });
    }
  });
});
