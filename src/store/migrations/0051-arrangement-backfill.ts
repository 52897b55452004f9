import { type Kysely, sql } from 'kysely';

/**
 * The records a new arrangement to send owes from before it (decision 0094): one row per such
 * arrangement while its backlog is queued a chunk of log indexes at a time, by the delivery loop,
 * each chunk in a transaction of its own. `next_index` is the first index not yet looked at,
 * `until_index` the arrangement's own record (everything from it on is queued as it is logged).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table fed_backfills (
    arrangement_id text primary key,
    next_index bigint not null,
    until_index bigint not null,
    created_at text not null
  )`.execute(db);
}
