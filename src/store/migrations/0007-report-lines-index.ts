import type { Kysely } from 'kysely';

/**
 * No query looks report lines up by batch (validation and evaluation read an MBA's lines by
 * `report_lines_mba`), yet every accepted line paid for maintaining `report_lines_batch`: on a
 * 100 000-line ICR the inserts dominate acceptance time (BENCHMARKS.md). Drop it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('report_lines_batch').ifExists().execute();
}
