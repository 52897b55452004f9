import { type Kysely, sql } from 'kysely';

/**
 * A user's inbox in its own order (decision 0092). An inbox gets a row for each event its user may
 * see: an inspector of an agency can gain hundreds of thousands a year. Only (user, event) was
 * indexed, so a page of the inbox (newest first, by id) sorted every row the user ever had, and
 * its unread count and "mark all read" read them all to find the few unread. `inbox_user_order`
 * walks a user's rows newest first; `inbox_unread` holds only the rows not yet read, so the count
 * and the marking read those.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('inbox_user_order').on('inbox').columns(['user_id', 'id']).execute();
  await sql`create index inbox_unread on inbox (user_id, id) where read_at is null`.execute(db);
}
