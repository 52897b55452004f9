import { type Kysely, sql } from 'kysely';

/**
 * Disabling a webhook gives up its pending deliveries (decision 0092). They were found through
 * the index of all its deliveries ever, or of every pending delivery of the node; this partial
 * index holds only the pending ones, by webhook.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index webhook_deliveries_pending on webhook_deliveries (webhook_id)
    where status = 'pending'`.execute(db);
}
