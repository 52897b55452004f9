import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * PostgreSQL only (docs/decisions/0072): two indexes that ran half empty are replaced.
 *
 * - `eval_transfers`' primary key (mkey, mba, origin_report, origin_line) — 36-byte entries in a
 *   B-tree that each ICR fills with an ascending run in the middle of its key space, where pages
 *   split 50/50 (decision 0065), plus a second entry for every paired row's new version — gives
 *   way to a B-tree on `mkey` alone, deduplicated (the rows of a pair share their key, and a row's
 *   new version joins its key's posting list). Every reader and writer finds rows by mkey first
 *   (store/transfers-pg.ts, transfers.repo.ts); the writes probe it per row and rewrite by ctid.
 *   Uniqueness of (mkey, mba, origin) is no longer enforced by the database: intake derives each
 *   row once, and `custos audit` reports a row held twice (the second reads as a line in force
 *   that differs from its lines, and the MBA's row count differs).
 * - `report_lines_batch`, a hash index (4-byte hash codes with half its pages free from bucket
 *   splits and overflow), becomes a B-tree on `hashtext(batch)` — the same hash function a hash
 *   index on text uses — which validation's batch look-up probes with the name's hash and then
 *   rechecks the name (store/report-account.repo.ts).
 *
 * Both are index builds in the migration's one transaction (no table is copied): an interrupted
 * start leaves the database as it was and the next start does it again. Migrations run in name
 * order, so on a database without report_lines_data yet (a new one, or one from before 0040) this
 * runs first and 0040 builds the batch index as it is here.
 */
export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    if (dialect !== 'postgres') return;
    await sql`create index eval_transfers_mkey on eval_transfers (mkey)`.execute(db);
    await sql`alter table eval_transfers drop constraint eval_transfers_key`.execute(db);
    const { rows } = await sql<{
      t: string | null;
    }>`select to_regclass('report_lines_data')::text as t`.execute(db);
    if (rows[0]?.t === null || rows[0]?.t === undefined) return;
    await sql`drop index report_lines_batch`.execute(db);
    await batchIndex(db);
  };
}

/** The batch index of report_lines_data (also built by 0040 when it runs after this). */
export async function batchIndex(db: Kysely<unknown>): Promise<void> {
  await sql`create index report_lines_batch on report_lines_data (hashtext(batch))
    where batch is not null`.execute(db);
}
