import type { Kysely } from 'kysely';

/**
 * Continuity of knowledge as time passes (issue 18 §5, decision 0030): when the timer must next
 * look at a device (the end of its heartbeat plus tolerance; null: at once), so a pass reads only
 * the devices due, by index, whatever their number; and whether each device alarm's case is
 * opened (a crash between the alarm's commit and its case is caught up by the next pass).
 * Forward-only: never edit once landed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('devices').addColumn('cok_check_after', 'text').execute();
  await db.schema.createIndex('devices_cok_check').on('devices').column('cok_check_after').execute();
  await db.schema
    .alterTable('device_alarms')
    .addColumn('case_opened', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('device_alarms_pending')
    .on('device_alarms')
    .columns(['case_opened', 'raised_at'])
    .execute();
}
