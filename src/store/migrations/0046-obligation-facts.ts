import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * What a state's reporting obligations are judged by, per MBA (docs/decisions/0089).
 *
 * - `obligation_firsts`: per MBA, state, report type and subject (an ICR's period, a PIT), the
 *   first time such a report was accepted. Judging an obligation only ever uses the earliest
 *   acceptance of its subject (deadlines.computeObligations), so this row stands for every
 *   report and resubmission of it: the scheduler's minute pass reads rows that grow with the
 *   calendar, not with the reports. Intake keeps it in the storing transaction
 *   (store/obligations.repo.ts recordAcceptance); it is built here once from the reports, in the
 *   migration's one transaction. `subject` joins the three subject columns, which may be null and
 *   so cannot be part of a key themselves.
 * - `rejections_mba`: refusals by MBA (they were indexed by state and time only), holding only
 *   those that can date an obligation (an MBA and a type named).
 */
export const up =
  (dialect: Dialect) =>
  async (db: Kysely<unknown>): Promise<void> => {
    await sql`create table obligation_firsts (
      mba text not null,
      state text not null,
      type text not null,
      subject text not null,
      period_from text,
      period_to text,
      pit text,
      first_at text not null,
      constraint obligation_firsts_key primary key (mba, state, type, subject)
    ) ${sql.raw(dialect === 'sqlite' ? 'without rowid' : '')}`.execute(db);
    await sql`insert into obligation_firsts
        (mba, state, type, subject, period_from, period_to, pit, first_at)
      select mba, state, type,
        coalesce(period_from, '') || '|' || coalesce(period_to, '') || '|' || coalesce(pit, ''),
        period_from, period_to, pit, min(submitted_at)
      from reports
      where type in ('INITIAL', 'ICR', 'PIL', 'MBR')
      group by mba, state, type, period_from, period_to, pit`.execute(db);
    await sql`create index rejections_mba on report_rejections (mba, type, submitted_at)
      where mba is not null and type is not null`.execute(db);
  };
