import type { Kysely } from 'kysely';

/**
 * Each user's chosen language for the web app (issue 16 item 11, decision 0025), kept on the
 * server so it follows the user from device to device. A row exists only once a user chose;
 * without one the browser's language applies. Forward-only: never edit once landed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('user_preferences')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
