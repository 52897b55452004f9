import { type Kysely, sql } from 'kysely';

/**
 * Per-MBA change marks of the derived state (decision 0108): a counter bumped in the transaction
 * that writes the MBA's cells, inventories, transfer rows or counts. An MBA without a row has
 * mark 0; marks are compared with what a process saw before, never with each other, so an
 * existing database starts with none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table eval_marks (
    mba text primary key,
    version bigint not null
  )`.execute(db);
}
