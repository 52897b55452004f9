import type { Kysely } from 'kysely';

/**
 * Cross-witnessing and split views between nodes (issue 17 item 5, decision 0043). Forward-only.
 * - `fed_checkpoints`: every distinct signed checkpoint of a log this node has seen and found
 *   consistent with the others of that log (from the log itself, from a bundle, or from a peer's
 *   exchange), with this node's cosignature; `retired_at` is set when an administrator resumes
 *   forwarding from a log after a split view, so the next checkpoint starts a new history.
 * - `fed_split_views`: two validly signed inconsistent checkpoints of one log, with the evidence
 *   file; while one is `open`, nothing is forwarded from or to that log.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  await s
    .createTable('fed_checkpoints')
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('root', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('cosignature', 'text')
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .addColumn('retired_at', 'text')
    .addPrimaryKeyConstraint('fed_checkpoints_pk', ['origin', 'size', 'root'])
    .execute();
  await s.createIndex('fed_checkpoints_head').on('fed_checkpoints').columns(['origin', 'size']).execute();
  await s
    .createTable('fed_split_views')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('peer_id', 'text')
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('proven', 'integer', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('detected_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('note', 'text')
    .execute();
  await s.createIndex('fed_split_views_origin').on('fed_split_views').columns(['origin', 'status']).execute();
}
