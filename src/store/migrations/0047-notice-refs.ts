import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * The rows of notice flows that name an advance notice, by its reference (docs/decisions/0091).
 *
 * A new notice changes the findings of the lines that name it, and of no other: a line's finding
 * depends on its own notice and on the window sums of its flow, which no notice changes. The
 * recheck after a notice read every transfer row's flow to find the state's flows and walked each
 * whole. `eval_notice_refs` holds, for each entry of eval_notice_lines whose line in force names a
 * notice, that reference with the entry, so a notice rechecks the months around the lines naming
 * it. Kept by intake with eval_notice_lines (store/notice-lines.repo.ts); built here once from the
 * rows and their lines in force, in the migration's one transaction.
 */
export const up =
  (dialect: Dialect) =>
  async (db: Kysely<unknown>): Promise<void> => {
    await sql`create table eval_notice_refs (
      notice text not null,
      flow text not null,
      day text not null,
      mba text not null,
      origin_report integer not null,
      origin_line integer not null,
      constraint eval_notice_refs_key primary key (notice, flow, day, mba, origin_report, origin_line)
    ) ${sql.raw(dialect === 'sqlite' ? 'without rowid' : '')}`.execute(db);
    await fillNoticeRefs(db);
  };

/** Entries for every row of a notice flow whose line in force names a notice (also the tests' replay). */
export async function fillNoticeRefs(db: Kysely<unknown>): Promise<void> {
  await sql`insert into eval_notice_refs (notice, flow, day, mba, origin_report, origin_line)
    select l.notice, t.flow, l.date, t.mba, t.origin_report, t.origin_line
    from eval_transfers t
    left join eval_entries e
      on e.mba = t.mba and e.origin_report = t.origin_report and e.origin_line = t.origin_line
    join report_lines l
      on l.report_id = t.mba || ':ICR:' || coalesce(e.last_report, t.origin_report)
      and l.line = coalesce(e.last_line, t.origin_line)
    where substr(t.flow, 1, 7) in (${'EXPORT\u0001'}, ${'IMPORT\u0001'}) and l.date is not null
      and l.notice is not null`.execute(db);
}
