import { type Kysely, sql } from 'kysely';

/**
 * The report and refusal lists over every state, newest first (decision 0101): an index in the
 * list's own order, so a page walks its rows instead of sorting every header — over a million a
 * year. The per-state lists keep the `(state, submitted_at)` indexes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index reports_newest on reports (submitted_at desc, id)`.execute(db);
  await sql`create index rejections_newest on report_rejections (submitted_at desc, log_index desc)`.execute(
    db,
  );
}
