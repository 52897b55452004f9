import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * A notice flow's transfer lines by date (docs/decisions/0086).
 *
 * The notice rule sums each flow (exports or imports between two states) over windows of three
 * months, so a line's finding depends on the lines dated up to three months either side of it.
 * The recheck of a flow read all its rows in origin order and held every line until the whole
 * flow was summed: a flow of decades, inside the writer's transaction. `eval_notice_lines` names
 * each row of `eval_transfers` in a notice flow by (flow, day of its line in force, origin), so a
 * flow is walked in date order a page at a time and the check holds only the lines of its window
 * (domain/transfers/notices.ts NoticeFlowCheck). Only export and import lines have an entry.
 *
 * Filled here once from the rows and their lines in force, in one statement, in the migration's
 * one transaction. A derived state still to be built (eval_status) replaces each MBA's entries as
 * it builds it.
 */
export const up =
  (dialect: Dialect) =>
  async (db: Kysely<unknown>): Promise<void> => {
    await sql`create table eval_notice_lines (
      flow text not null,
      day text not null,
      mba text not null,
      origin_report integer not null,
      origin_line integer not null,
      constraint eval_notice_lines_key primary key (flow, day, mba, origin_report, origin_line)
    ) ${sql.raw(dialect === 'sqlite' ? 'without rowid' : '')}`.execute(db);
    await fillNoticeLines(db);
  };

/** Entries for every row of a notice flow, dated as its line in force (also the audit's replay). */
export async function fillNoticeLines(db: Kysely<unknown>): Promise<void> {
  await sql`insert into eval_notice_lines (flow, day, mba, origin_report, origin_line)
    select t.flow, l.date, t.mba, t.origin_report, t.origin_line
    from eval_transfers t
    left join eval_entries e
      on e.mba = t.mba and e.origin_report = t.origin_report and e.origin_line = t.origin_line
    join report_lines l
      on l.report_id = t.mba || ':ICR:' || coalesce(e.last_report, t.origin_report)
      and l.line = coalesce(e.last_line, t.origin_line)
    where substr(t.flow, 1, 7) in (${'EXPORT\u0001'}, ${'IMPORT\u0001'}) and l.date is not null`.execute(db);
}
