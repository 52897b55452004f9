/**
 * The state summary's pair counts per MBA only (decision 0107): migration 0059 sums an existing
 * database's rows per day and element into one per MBA and kind, and leaves every other count as
 * it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest } from '../../src/store/migrate.js';
import { COUNT_KIND } from '../../src/store/transfer-counts.repo.js';
import { createTestDb, type TestDb, testDialects } from '../fixtures/db.js';
import { seededRandom } from '../fixtures/random.js';

describe.each(testDialects())('state transfer totals (%s)', (dialect) => {
  let tdb: TestDb;
  beforeAll(async () => {
    tdb = await createTestDb(dialect);
  }, 60_000);
  afterAll(async () => {
    await tdb?.dispose();
  });

  it('sums the per-day pair counts into one row per MBA and kind, and keeps the others', async () => {
    const k = tdb.db.kysely;
    await migrateTo(tdb.db, '0058-cases-newest');
    const rnd = seededRandom(107);
    const rows: { mba: string; kind: number; day: string; element: string; n: number }[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < 600; i++) {
      const row = {
        mba: `M${i % 4}`,
        kind: [COUNT_KIND.lone, COUNT_KIND.stateMatched, COUNT_KIND.stateDiscrepant, COUNT_KIND.discrepant][
          Math.floor(rnd() * 4)
        ] as number,
        day: `2026-0${1 + Math.floor(rnd() * 9)}-1${Math.floor(rnd() * 10)}`,
        element: ['E', 'N', 'P'][Math.floor(rnd() * 3)] as string,
        n: 1 + Math.floor(rnd() * 50),
      };
      const key = `${row.mba}|${row.kind}|${row.day}|${row.element}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push(row);
    }
    for (let i = 0; i < rows.length; i += 100)
      await k
        .insertInto('eval_transfer_counts')
        .values(rows.slice(i, i + 100))
        .execute();
    await migrateToLatest(tdb.db);
    const after = await k.selectFrom('eval_transfer_counts').selectAll().execute();
    const summed = new Map<string, number>();
    for (const r of rows)
      if (r.kind === COUNT_KIND.stateMatched || r.kind === COUNT_KIND.stateDiscrepant)
        summed.set(`${r.mba}|${r.kind}`, (summed.get(`${r.mba}|${r.kind}`) ?? 0) + r.n);
    const pairs = after.filter(
      (r) => r.kind === COUNT_KIND.stateMatched || r.kind === COUNT_KIND.stateDiscrepant,
    );
    expect(new Map(pairs.map((r) => [`${r.mba}|${r.kind}`, Number(r.n)]))).toEqual(summed);
    for (const r of pairs) expect([r.day, r.element]).toEqual(['', '']);
    const others = (xs: { mba: string; kind: number; day: string; element: string; n: number }[]) =>
      xs
        .filter((r) => r.kind !== COUNT_KIND.stateMatched && r.kind !== COUNT_KIND.stateDiscrepant)
        .map((r) => `${r.mba}|${r.kind}|${r.day}|${r.element}|${Number(r.n)}`)
        .sort();
    expect(others(after)).toEqual(others(rows));
  });
});
