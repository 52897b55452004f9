import { type Kysely, sql } from 'kysely';

/**
 * Each user's number of unread inbox items (decision 0103), kept as items arrive and are read, in
 * the same transaction: the inbox's badge asked for it on every live event, and counting a user's
 * unread rows grew with every event the user never opened (each accepted report is one for every
 * inspector). Built here from the inbox an existing database holds.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table inbox_unread_counts (
    user_id text primary key,
    n bigint not null
  )`.execute(db);
  await sql`insert into inbox_unread_counts (user_id, n)
    select user_id, count(*) from inbox where read_at is null group by user_id`.execute(db);
}
