import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Gate monitoring's declared lines counted at intake (issue 14 item 6, docs/decisions/0084).
 *
 * A gate check compares what a device counted through a KMP on a day with the ICR lines in force
 * at that KMP and date, per inventory change code. It was answered from `report_lines_kmp`, an
 * index on every ICR line (kmp, date): 38 B a stored line on SQLite (each entry carries the text
 * report key), 10 B on PostgreSQL, and one more B-tree for every stored line to pass through.
 * Now `eval_kmp_days` holds the count per (MBA, KMP, day, code), kept by intake in the storing
 * transaction with the cell sums (services/evaluation/derive.ts, the same lines in force), and
 * the index goes.
 *
 * Counted here once from the lines in force (store/lines-in-force.ts's rule: a line that revises
 * nothing and that nothing revised, or a revised original's current line unless deleted), in one
 * statement, in the migration's one transaction: an interrupted start leaves the database as it
 * was. A derived state still to be built (eval_status) replaces each MBA's counts as it builds it.
 */
export const up =
  (dialect: Dialect) =>
  async (db: Kysely<unknown>): Promise<void> => {
    await sql`create table eval_kmp_days (
      mba text not null,
      kmp text not null,
      day text not null,
      code text not null,
      n bigint not null,
      constraint eval_kmp_days_key primary key (mba, kmp, day, code)
    ) ${sql.raw(dialect === 'sqlite' ? 'without rowid' : '')}`.execute(db);
    await sql`insert into eval_kmp_days (mba, kmp, day, code, n)
      select mba, kmp, day, code, count(*) from (
        select r.mba as mba, l.kmp as kmp, l.date as day, l.code as code
        from report_lines l
        join reports r on r.id = l.report_id
        where r.type = 'ICR' and l.kmp is not null and l.date is not null and l.code is not null
          and l.corrects_report is null and l.deletes_report is null
          and not exists (select 1 from icr_revisions v
            where v.mba = r.mba and v.origin_report = r.report_number and v.origin_line = l.line)
        union all
        select v.mba, l.kmp, l.date, l.code
        from icr_revisions v
        join reports r on r.mba = v.mba and r.type = 'ICR' and r.report_number = v.current_report
        join report_lines l on l.report_id = r.id and l.line = v.current_line
        where v.deleted = 0 and l.kmp is not null and l.date is not null and l.code is not null
      ) x
      group by mba, kmp, day, code`.execute(db);
    // PostgreSQL's index is on report_lines_data (report_lines is a view there, migration 0040).
    await sql`drop index if exists report_lines_kmp`.execute(db);
  };
