/**
 * Intake's per-key probes run as plain index scans on PostgreSQL (docs/decisions/0077), and the
 * setting that makes them so does not outlive them: not in the transaction's later statements, not
 * on the pooled connection afterwards, and a failed probe's transaction rolls it back.
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { DbOrTx } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { withIndexProbes } from '../../src/store/pg-probes.js';
import { createTestDb, type TestDb, testDialects } from '../fixtures/db.js';

/** Both settings the probes change, as `bitmap/seq`. */
const bitmapScans = async (q: DbOrTx) =>
  (
    await sql<{
      v: string;
    }>`select current_setting('enable_bitmapscan') || '/' || current_setting('enable_seqscan') as v`.execute(
      q,
    )
  ).rows[0]?.v;

/** The plan of a fenced per-key probe of eval_transfers' match-key index, as intake writes it. */
const probePlan = async (q: DbOrTx) =>
  (
    await sql<{ 'QUERY PLAN': string }>`explain (costs off) select t.mba
      from unnest(array[1, 2, 3]::bigint[]) k(mkey)
      cross join lateral (select * from eval_transfers x where x.mkey = k.mkey offset 0) t`.execute(q)
  ).rows
    .map((r) => r['QUERY PLAN'])
    .join('\n');

describe.each(testDialects().filter((d) => d === 'postgres'))('index probes on %s', (dialect) => {
  let t: TestDb | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('plans a probe as an index scan inside, and leaves the setting as it was after, in a transaction and outside', async () => {
    t = await createTestDb(dialect);
    await migrateToLatest(t.db);
    const k = t.db.kysely;
    // Without statistics (no ANALYZE has run on the new table) the probe is a bitmap scan, and
    // with bitmap scans alone off this empty table would be scanned whole per key.
    expect(await probePlan(k)).toContain('Bitmap Heap Scan on eval_transfers');
    await k.connection().execute(async (c) => {
      await sql`set enable_bitmapscan = off`.execute(c);
      expect(await probePlan(c)).toContain('Seq Scan on eval_transfers');
      await sql`reset enable_bitmapscan`.execute(c);
    });

    await k.transaction().execute(async (tx) => {
      const inside = await withIndexProbes(tx, async (q) => ({
        plan: await probePlan(q),
        v: await bitmapScans(q),
      }));
      expect(inside.v).toBe('off/off');
      expect(inside.plan).toContain('Index Scan using eval_transfers_mkey on eval_transfers');
      expect(inside.plan).not.toMatch(/Bitmap|Seq Scan/);
      expect(await bitmapScans(tx)).toBe('on/on');
    });

    const outside = await withIndexProbes(k, async (q) => ({
      plan: await probePlan(q),
      v: await bitmapScans(q),
    }));
    expect(outside.v).toBe('off/off');
    expect(outside.plan).toContain('Index Scan using eval_transfers_mkey on eval_transfers');
    // Every connection of the pool is back to the server's setting (the one used is among them).
    const seen = await Promise.all(
      Array.from({ length: 4 }, () => k.connection().execute((c) => bitmapScans(c))),
    );
    expect(seen).toEqual(['on/on', 'on/on', 'on/on', 'on/on']);

    // A probe that fails aborts its transaction; the rollback takes the setting with it.
    await expect(
      k.transaction().execute((tx) =>
        withIndexProbes(tx, async (q) => {
          await sql`select 1 / 0`.execute(q);
        }),
      ),
    ).rejects.toThrow(/division by zero/);
    await k.transaction().execute(async (tx) => expect(await bitmapScans(tx)).toBe('on/on'));
    // Outside a transaction a failed probe's connection is reset before it goes back to the pool.
    await expect(
      withIndexProbes(k, async (q) => {
        await sql`select 1 / 0`.execute(q);
      }),
    ).rejects.toThrow(/division by zero/);
    const after = await Promise.all(
      Array.from({ length: 4 }, () => k.connection().execute((c) => bitmapScans(c))),
    );
    expect(after).toEqual(['on/on', 'on/on', 'on/on', 'on/on']);
  });
});
