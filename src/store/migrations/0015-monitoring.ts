import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Remote monitoring (issue 18, decision 0029). Forward-only: never edit once landed.
 * - `devices`: the registry row (current state) with the device's chain head (seq, hash of the
 *   last accepted batch's bytes, latest event time) and its continuity-of-knowledge state (the
 *   small fold state of decision 0030, JSON), updated in the transaction that accepts a batch.
 * - `device_changes`: each registration and lifecycle step, as logged (one record each).
 * - `device_batches`: each accepted batch byte for byte with its signature and log index (one
 *   record each); (device, seq) is unique, which is what makes a batch apply once whichever
 *   server takes it.
 * - `device_events`: the batches' events, by device and time for range queries.
 * - `device_refusals`: each refused batch of a registered device (what, when, the body's hash).
 * - `device_intervals` and `device_alarms`: CoK intervals (closed ones; open ones live in the
 *   state) and the alarms raised, each alarm once (device, code, at).
 */
export function up(dialect: Dialect) {
  const bin = dialect === 'postgres' ? 'bytea' : 'blob';
  return async (db: Kysely<unknown>): Promise<void> => {
    const s = db.schema;
    await s
      .createTable('devices')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('facility', 'text', (c) => c.notNull().references('facilities.code'))
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('kmp', 'text')
      .addColumn('containment', 'text')
      /** JSON array of the owning inspectorates' organisation ids. */
      .addColumn('owners', 'text', (c) => c.notNull())
      /** JSON array of the organisations granted joint use of the data. */
      .addColumn('joint_use', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('heartbeat_seconds', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('changes', 'integer', (c) => c.notNull())
      .addColumn('head_seq', 'bigint', (c) => c.notNull())
      .addColumn('head_hash', 'text', (c) => c.notNull())
      .addColumn('last_event_at', 'text')
      .addColumn('last_seen_at', 'text')
      .addColumn('cok', 'text', (c) => c.notNull())
      .addColumn('registered_at', 'text', (c) => c.notNull())
      .addColumn('registered_by', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('devices_facility').on('devices').column('facility').execute();
    await s.createIndex('devices_state').on('devices').column('state').execute();
    // The owners and joint users as rows, so a list filters by organisation in SQL.
    await s
      .createTable('device_parties')
      .addColumn('device', 'text', (c) => c.notNull().references('devices.id'))
      .addColumn('organisation', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('device_parties_pk', ['device', 'organisation'])
      .execute();
    await s.createIndex('device_parties_org').on('device_parties').column('organisation').execute();
    await s
      .createTable('device_changes')
      .addColumn('device', 'text', (c) => c.notNull().references('devices.id'))
      .addColumn('n', 'integer', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      /** The device as this change left it (the logged content's fields). */
      .addColumn('snapshot', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('by', 'text', (c) => c.notNull())
      .addColumn('log_index', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('device_changes_pk', ['device', 'n'])
      .execute();
    await s
      .createTable('device_batches')
      .addColumn('device', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('prev', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('signature', 'text', (c) => c.notNull())
      .addColumn('bytes', bin, (c) => c.notNull())
      .addColumn('events', 'integer', (c) => c.notNull())
      .addColumn('first_event_at', 'text', (c) => c.notNull())
      .addColumn('last_event_at', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('log_index', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('device_batches_pk', ['device', 'seq'])
      .execute();
    await s
      .createTable('device_events')
      .addColumn('device', 'text', (c) => c.notNull())
      /** Device time, UTC, as toISOString writes it (fixed width, so text order is time order). */
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('idx', 'integer', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      /** JSON object of the event's other fields (battery, imageSha256, items …), or null. */
      .addColumn('data', 'text')
      .addPrimaryKeyConstraint('device_events_pk', ['device', 'seq', 'idx'])
      .execute();
    await s.createIndex('device_events_time').on('device_events').columns(['device', 'at']).execute();
    await s
      .createTable('device_refusals')
      .addColumn('device', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('code', 'text', (c) => c.notNull())
      /** JSON array of the details (field, code, message). */
      .addColumn('details', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint')
      .addColumn('body_sha256', 'text', (c) => c.notNull())
      .addColumn('transport', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('device_refusals_device').on('device_refusals').columns(['device', 'at']).execute();
    await s
      .createTable('device_intervals')
      .addColumn('device', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('from_at', 'text', (c) => c.notNull())
      .addColumn('to_at', 'text')
      .addColumn('detail', 'text', (c) => c.notNull())
      .addColumn('closed_by', 'text')
      .execute();
    await s
      .createIndex('device_intervals_device')
      .on('device_intervals')
      .columns(['device', 'from_at'])
      .execute();
    await s
      .createTable('device_alarms')
      .addColumn('device', 'text', (c) => c.notNull())
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('detail', 'text', (c) => c.notNull())
      .addColumn('raised_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('device_alarms_pk', ['device', 'code', 'at'])
      .execute();
    await s.createIndex('device_alarms_state').on('device_alarms').columns(['state', 'at']).execute();
  };
}
