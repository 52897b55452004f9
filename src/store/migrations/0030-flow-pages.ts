import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * The rows of one notice flow in origin order, a page at a time (issue 15 item 9, decision 0051):
 * rechecking a flow's notice findings read all its rows in one statement, which for a
 * 900 000-line export ICR is 900 000 rows with their lines at once. This index answers each
 * keyset page — `flow = ? and (mba, origin_report, origin_line) > (?, ?, ?)` in that order — as
 * one range, with no sort. It covers what `eval_transfers_flow` (flow alone, 0010) answered, so
 * that index goes. Both are partial: only international rows carry a flow. Forward-only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('eval_transfers_flow_origin')
    .on('eval_transfers')
    .columns(['flow', 'mba', 'origin_report', 'origin_line'])
    .where(sql.ref('flow'), 'is not', null)
    .execute();
  await db.schema.dropIndex('eval_transfers_flow').execute();
}
