import { type Kysely, sql } from 'kysely';

/**
 * The case list's parts walk an index in the list's order (decision 0106): every case newest
 * change first (the node administrator's list), and an inspectorate's cases of one state of its
 * scope (a regional inspectorate's list: one part per state). The other parts walk
 * `(state, updated_at)` and `(inspectorate, updated_at)` (migration 0005) and the status
 * indexes (0052).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index cases_newest on cases (updated_at desc, id)`.execute(db);
  await sql`create index cases_inspectorate_state on cases (inspectorate, state, updated_at)`.execute(db);
}
