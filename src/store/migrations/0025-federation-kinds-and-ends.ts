import type { Kysely } from 'kysely';

/**
 * Federation, more record kinds and arrangements that end (issue 17, decision 0044). Forward-only:
 * never edit once landed.
 * - `fed_inbox.content`: the committed content of a forwarded record this node keeps nowhere else
 *   (an inspection statement, a case transition: the origin's, never merged into this node's own
 *   inspections or cases), as canonical JSON, so it is read and re-proven under its original id.
 * - `fed_arrangements.to_date` / `ended_at` / `ended_by` and `fed_arrangement_scope.to_date`: the
 *   end of an arrangement (exclusive: records logged before it flow, none after), null while open.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  await s.alterTable('fed_inbox').addColumn('content', 'text').execute();
  await s.alterTable('fed_arrangements').addColumn('to_date', 'text').execute();
  await s.alterTable('fed_arrangements').addColumn('ended_at', 'text').execute();
  await s.alterTable('fed_arrangements').addColumn('ended_by', 'text').execute();
  await s.alterTable('fed_arrangement_scope').addColumn('to_date', 'text').execute();
}
