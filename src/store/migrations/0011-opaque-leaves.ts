import { type Kysely, sql } from 'kysely';

/** The kv key holding the index of the first leaf of form v2 (decision 0021). */
export const LEAF_V2_FROM_KEY = 'log.leaf_v2_from';

/**
 * Opaque log leaves (issue 15 item 2, decision 0021). Each record keeps beside it the id its leaf
 * carries: leaves written from now on carry 32 random hex digits, leaves already in the log carry
 * the record id (they are never rewritten), so existing rows take their own id. The index of the
 * first leaf of the new form is the sequencer's next index at this moment: the audit checks that
 * every leaf before it is of form v1 and every leaf from it of form v2.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('records').addColumn('leaf_id', 'text').execute();
  await sql`UPDATE records SET leaf_id = id`.execute(db);
  await db.schema.createIndex('records_leaf_id').on('records').column('leaf_id').unique().execute();
  const next = await sql<{
    next_index: number | bigint | string;
  }>`SELECT next_index FROM log_sequence WHERE id = 1`.execute(db);
  const from = String(next.rows[0]?.next_index ?? 0);
  await sql`INSERT INTO kv (key, value) VALUES (${LEAF_V2_FROM_KEY}, ${from})`.execute(db);
}
