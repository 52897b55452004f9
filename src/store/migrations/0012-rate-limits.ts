import type { Kysely } from 'kysely';

/**
 * Rate limits that must hold across servers and restarts (issue 15 item 4).
 * - `auth_throttle` (decision 0022): login failures by (login, address), by address and by login,
 *   and the addresses a login succeeded from. Keys are SHA-256 digests, never a login or an
 *   address in clear; every row expires and is deleted, so the table stays bounded by the rate of
 *   attempts within one window.
 * - `refusal_counts` (decision 0023): refusals per principal and UTC hour. The first ones are
 *   logged one by one; past the quota they are counted here (with a hash chain of their bodies'
 *   SHA-256) and the count is logged as one refusal record once the hour is over (summary_id).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  await s
    .createTable('auth_throttle')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('since', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('auth_throttle_expires').on('auth_throttle').column('expires_at').execute();
  await s
    .createTable('refusal_counts')
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('state', 'text')
    .addColumn('organisation_id', 'text', (c) => c.notNull())
    .addColumn('seen', 'integer', (c) => c.notNull())
    .addColumn('counted', 'integer', (c) => c.notNull())
    .addColumn('codes_json', 'text', (c) => c.notNull())
    .addColumn('first_at', 'text')
    .addColumn('last_at', 'text')
    .addColumn('bodies_chain', 'text', (c) => c.notNull())
    .addColumn('summary_id', 'text')
    .addPrimaryKeyConstraint('refusal_counts_pk', ['principal', 'period'])
    .execute();
  await s.createIndex('refusal_counts_period').on('refusal_counts').column('period').execute();
  // A summary is logged as a refusal like the others, with how many it counts and since when
  // (absent on single refusals, so their committed content is unchanged).
  await s.alterTable('report_rejections').addColumn('summary_count', 'integer').execute();
  await s.alterTable('report_rejections').addColumn('summary_from', 'text').execute();
}
