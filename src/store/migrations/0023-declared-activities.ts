import type { Kysely } from 'kysely';

/**
 * Activities a state declared at a containment (issue 18 §5): a camera trigger while the
 * containment's seal is open is explained when a declaration covers it. Read by facility,
 * containment and time, as a camera's batch is judged. Forward-only: never edit once landed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('device_declared_activities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('facility', 'text', (c) => c.notNull())
    .addColumn('containment', 'text', (c) => c.notNull())
    .addColumn('from_at', 'text', (c) => c.notNull())
    .addColumn('to_at', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('declared_at', 'text', (c) => c.notNull())
    .addColumn('declared_by', 'text', (c) => c.notNull())
    .addColumn('log_index', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('device_declared_activities_containment')
    .on('device_declared_activities')
    .columns(['facility', 'containment', 'from_at'])
    .execute();
}
