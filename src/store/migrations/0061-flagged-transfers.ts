import { type Kysely, sql } from 'kysely';

/**
 * The transfer rows that alarm whatever the day — discrepant, or with a notice finding — by MBA
 * and origin (decision 0110). An MBA none of whose lone lines is past its deadline (the counts
 * tell) has its alarms read from this index alone; the alarmed index also holds every lone row,
 * and a month's lone rows within their grace period are most of it. Such rows are few, so the index
 * is small and intake rarely writes to it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index eval_transfers_flagged on eval_transfers (mba, origin_report, origin_line)
    where status = 1 or notice is not null`.execute(db);
}
