import type { Kysely } from 'kysely';

/**
 * The particulars of a device's CoK intervals and alarms as values (issue 16 item 11, decision
 * 0052), beside the English `detail` kept for API and CLI readers. Forward-only; rows written
 * before have none and are worded from their reason or code alone.
 * - `device_intervals.particulars`: JSON `{ code, values }` of what broke the chain (SEQ_GAP
 *   `{ expected, found, missing }`, SEQ_FORK, PREV_MISMATCH), for a `chain-broken` interval;
 * - `device_alarms.particulars`: JSON values of the alarm (GATE_MISMATCH: the KMP, the day and
 *   the gate's and the state's counts in and out).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('device_intervals').addColumn('particulars', 'text').execute();
  await db.schema.alterTable('device_alarms').addColumn('particulars', 'text').execute();
}
