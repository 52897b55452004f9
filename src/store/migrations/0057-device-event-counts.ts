import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * A device's event list costs what a page shows (decision 0105). Forward-only.
 * - `devices.event_count`: the device's stored events, kept by the batch commit that stores them
 *   (the transaction already writes the device's row), so the list's unfiltered total is read,
 *   not counted over the device's whole history on every page. Built here from the events an
 *   existing database holds: one grouped read.
 * - `device_events_order (device, at, seq, idx)`: the list's own order, so a page — oldest or
 *   newest first, resumed after a row value — is a walk of one index range with no sort. With
 *   `(device, at)` alone SQLite sorted every event of the device in a temporary B-tree (the
 *   primary key served `device = ?`). It covers what `device_events_time` (0015) answered, so
 *   that index goes. (Tables and indexes share one namespace: no table or index had this name.)
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('devices')
    .addColumn('event_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update devices set event_count = c.n
    from (select device, count(*) as n from device_events group by device) as c
    where c.device = devices.id`.execute(db);
  await db.schema
    .createIndex('device_events_order')
    .on('device_events')
    .columns(['device', 'at', 'seq', 'idx'])
    .execute();
  await db.schema.dropIndex('device_events_time').execute();
}
