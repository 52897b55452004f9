import { type Kysely, sql } from 'kysely';

/**
 * Cases by status within a state or an inspectorate (decision 0095). Without statistics the
 * planner answered `state = ? and status = ?` (a case list filtered by status, the state's
 * evaluation) from `cases_status` — every case of that status of every state — and then sorted;
 * these lead with the viewer's column, then the status, in the list's order. The count of a
 * state's unresolved cases reads the ranges of its unresolved statuses, not its resolved cases,
 * which accumulate for ever.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index cases_state_status on cases (state, status, updated_at)`.execute(db);
  await sql`create index cases_inspectorate_status on cases (inspectorate, status, updated_at)`.execute(db);
}
