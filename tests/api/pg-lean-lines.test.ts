/**
 * Migration 0029 (docs/decisions/0050) rewrites report_lines on PostgreSQL with its columns in
 * another order and a hash index on batch; intake binds its lines as array literals (pgArray).
 * A database of the previous schema is upgraded with every line kept exactly, lines stored
 * afterwards read back exactly (quotes, backslashes, braces, commas, the text "NULL", empty and
 * non-ASCII text), and validation's batch lookup finds them, on both dialects.
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { IcrReport } from '../../src/domain/reports/index.js';
import { migrateTo, migrateToLatest } from '../../src/store/migrate.js';
import { pgArray } from '../../src/store/pg-arrays.js';
import { createReportAccountRepo } from '../../src/store/report-account.repo.js';
import { createTestDb, type TestDb, testDialects } from '../fixtures/db.js';
import { allLines, storeIcrRows } from '../fixtures/report-rows.js';

const AWKWARD = ['B"1', 'B\\2', 'B{3},4', 'NULL', '', 'B 6 ü 中', 'B\n7\t"\\"'];

function icr(n: number): IcrReport {
  return {
    type: 'ICR',
    mba: 'XA-M1',
    reportNumber: n,
    reportDate: '2026-02-28',
    period: { from: '2026-02-01', to: '2026-02-28' },
    reportingPerson: 'T',
    lineCount: AWKWARD.length + 1,
    lines: [
      ...AWKWARD.map((batch, i) => ({
        line: i + 1,
        date: '2026-02-03',
        code: 'RD',
        batch: `${batch}-${n}`,
        kmp: i % 2 === 0 ? 'A' : 'K"B',
        element: 'E' as const,
        weightMg: 2 ** 40 + i,
        ...(i % 2 === 0 ? { fissileMg: 45_000 + i, isotope: 'G', basis: 'M', form: 'U2' } : {}),
        counterpart: { state: 'XB', mba: 'XB-M\\1' },
        ...(i === 2 ? { notice: 'N,1' } : {}),
      })),
      {
        line: AWKWARD.length + 1,
        date: '2026-02-04',
        code: 'RD',
        batch: `B"1-${n}`,
        kmp: 'A',
        element: 'E' as const,
        weightMg: -5,
        corrects: { reportNumber: n, line: 1 },
      },
    ],
  } as IcrReport;
}

const storeIcrAt = (t: TestDb, n: number, old = false) => storeIcrRows(t, icr(n), n, old);

describe.each(testDialects())('lean report lines on %s', (dialect) => {
  let t: TestDb | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('upgrades a database of the previous schema with every line kept, and stores exactly after', async () => {
    t = await createTestDb(dialect);
    await migrateTo(t.db, '0027-declaration-attachments');
    await storeIcrAt(t, 1, true);
    const before = await allLines(t);
    expect(before).toHaveLength(AWKWARD.length + 1);
    await migrateToLatest(t.db);
    expect(await allLines(t)).toEqual(before);

    await storeIcrAt(t, 2);
    const after = await allLines(t);
    const second = after.filter((r) => r.report_id === 'XA-M1:ICR:2');
    // The same report under another number reads back as the first did, field for field.
    const norm = (rows: Record<string, unknown>[], n: number) =>
      rows.map((r) => ({
        ...r,
        report_id: null,
        batch: String(r.batch).slice(0, -`-${n}`.length),
        corrects_report: r.corrects_report === null ? null : Number(r.corrects_report) - n,
      }));
    expect(norm(second, 2)).toEqual(norm(before, 1));
    expect(second.map((r) => r.batch)).toEqual([...AWKWARD, 'B"1'].map((b) => `${b}-2`));

    const found = await createReportAccountRepo(t.db).batchLines(
      'XA-M1',
      new Set(['B"1-2', 'B\\2-1', 'none']),
    );
    // Line 8 names a batch too but revises line 1, and no revision was recorded for it (that is
    // recordRevisions' part), so it is not in force: the lookup answers as on the old schema.
    expect(found.initial).toEqual([]);
    expect(
      found.inForce.map((l) => `${l.batch} ${l.position.reportNumber}:${l.position.line}`).sort(),
    ).toEqual(['B"1-2 2:1', 'B\\2-1 1:2']);

    if (dialect === 'postgres') {
      const { rows } = await sql<{ indexdef: string }>`select indexdef from pg_indexes
        where tablename in ('report_lines', 'report_lines_data') and indexname = 'report_lines_batch'`.execute(
        t.db.kysely,
      );
      expect(rows[0]?.indexdef).toContain('USING btree (hashtext(batch))');
      const round = await sql<{
        v: string | null;
      }>`select unnest(${pgArray([...AWKWARD, null])}::text[]) as v`.execute(t.db.kysely);
      expect(round.rows.map((r) => r.v)).toEqual([...AWKWARD, null]);
    }
  });
});
