import type { Kysely } from 'kysely';

/**
 * Third logs (issue 17 item 5, decision 0054). Forward-only.
 * - `fed_logs`: the verifier key (and, when given, the base URL) of a log that is neither this
 *   node's nor a registered peer's, as a peer's checkpoint exchange first named it (`via`): pinned
 *   on first sight, so a later peer cannot swap it. Its checkpoints go to `fed_checkpoints` like
 *   any log's, and two inconsistent ones to `fed_split_views` with no peer.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('fed_logs')
    .addColumn('origin', 'text', (c) => c.primaryKey())
    .addColumn('log_key', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('learned_at', 'text', (c) => c.notNull())
    .execute();
}
