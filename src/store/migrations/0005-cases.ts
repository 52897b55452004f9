import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Cases and notifications (cases issue). Forward-only: never edit once landed.
 * - cases: one row per case; `case_key` (the alarm's cause) is unique so re-evaluation, also
 *   concurrent, never opens a second case; `event_count` numbers the thread and is the
 *   optimistic lock of a transition or message.
 * - case_shares: partner inspectorates that read a case under a joint arrangement.
 * - case_transitions / case_messages: the attributed history, each row committed to the log.
 * - case_attachments: content addressed by SHA-256 (names are never used as paths).
 * - events: the durable event stream; its id is the SSE event id (Last-Event-ID resumes).
 * - inbox: one row per user and event. notification_keys: sent reminders and overdue notices,
 *   inserted in the event's transaction so two schedulers never send one twice.
 * - webhooks / webhook_deliveries: per-organisation endpoints and their delivery log.
 */
export function up(dialect: Dialect) {
  const bin = dialect === 'postgres' ? 'bytea' : 'blob';
  const pg = dialect === 'postgres';
  return async (db: Kysely<unknown>): Promise<void> => {
    const s = db.schema;
    await s
      .createTable('cases')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('case_key', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('mba', 'text')
      .addColumn('inspectorate', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('about', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('due_date', 'text')
      .addColumn('event_count', 'integer', (c) => c.notNull())
      .addColumn('opened_at', 'text', (c) => c.notNull())
      .addColumn('opened_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('cases_key').unique().on('cases').column('case_key').execute();
    await s.createIndex('cases_state').on('cases').columns(['state', 'updated_at']).execute();
    await s.createIndex('cases_inspectorate').on('cases').columns(['inspectorate', 'updated_at']).execute();
    await s.createIndex('cases_status').on('cases').columns(['status', 'due_date']).execute();
    await s
      .createTable('case_shares')
      .addColumn('case_id', 'text', (c) => c.notNull())
      .addColumn('inspectorate', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('case_shares_pk', ['case_id', 'inspectorate'])
      .execute();
    await s
      .createIndex('case_shares_inspectorate')
      .on('case_shares')
      .columns(['inspectorate', 'case_id'])
      .execute();
    await s
      .createTable('case_transitions')
      .addColumn('case_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('from_status', 'text')
      .addColumn('to_status', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('by', 'text', (c) => c.notNull())
      .addColumn('actor_kind', 'text', (c) => c.notNull())
      .addColumn('actor_org', 'text')
      .addColumn('note', 'text')
      .addColumn('note_internal', 'integer', (c) => c.notNull())
      .addColumn('due_date', 'text')
      .addColumn('linked_report', 'text')
      .addColumn('signature', 'text')
      .addPrimaryKeyConstraint('case_transitions_pk', ['case_id', 'seq'])
      .execute();
    await s
      .createTable('case_messages')
      .addColumn('case_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('by', 'text', (c) => c.notNull())
      .addColumn('actor_kind', 'text', (c) => c.notNull())
      .addColumn('actor_org', 'text')
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('internal', 'integer', (c) => c.notNull())
      .addColumn('attachments', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('case_messages_pk', ['case_id', 'seq'])
      .execute();
    await s
      .createTable('case_attachments')
      .addColumn('hash', 'text', (c) => c.primaryKey())
      .addColumn('content_type', 'text', (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('bytes', bin, (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute();
    await s
      .createTable('events')
      .addColumn('id', pg ? 'bigserial' : 'integer', (c) =>
        pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('state', 'text')
      .addColumn('organisation', 'text')
      .addColumn('audience', 'text')
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .execute();
    await s
      .createTable('inbox')
      .addColumn('id', pg ? 'bigserial' : 'integer', (c) =>
        pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('event_id', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('read_at', 'text')
      .execute();
    await s.createIndex('inbox_user').unique().on('inbox').columns(['user_id', 'event_id']).execute();
    await s
      .createTable('notification_keys')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('event_id', 'bigint')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await s
      .createTable('webhooks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organisation_id', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('events', 'text', (c) => c.notNull())
      .addColumn('headers', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('verified_at', 'text')
      .execute();
    await s.createIndex('webhooks_org').on('webhooks').column('organisation_id').execute();
    await s
      .createTable('webhook_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('webhook_id', 'text', (c) => c.notNull())
      .addColumn('event_id', 'bigint', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'text')
      .addColumn('lease_until', 'text')
      .addColumn('last_status', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('delivered_at', 'text')
      .execute();
    await s
      .createIndex('webhook_deliveries_once')
      .unique()
      .on('webhook_deliveries')
      .columns(['webhook_id', 'event_id'])
      .execute();
    await s
      .createIndex('webhook_deliveries_due')
      .on('webhook_deliveries')
      .columns(['status', 'next_attempt_at'])
      .execute();
  };
}
