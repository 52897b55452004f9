import type Database from 'better-sqlite3';
import { sql } from 'kysely';
import type { ReportType } from '../domain/reports/index.js';
import { preparedOnce } from './bulk.js';
import { type DbOrTx, isPostgres } from './db.js';

/**
 * What one MBA's reporting obligations are judged by (services/reports/obligations.ts,
 * docs/decisions/0089): the first acceptance of each subject, its export notices and the
 * refusals naming it. Read per MBA so that a pass holds one MBA's facts, never its state's
 * reports. Each read names the state as well as the MBA: a refusal is filed under the
 * submitter's state, which need not be the MBA's, and a state is judged by its own submissions.
 */

/** The earliest accepted report of one subject (type, period, PIT) of an MBA. */
export interface FirstAcceptance {
  readonly type: ReportType;
  readonly period_from: string | null;
  readonly period_to: string | null;
  readonly pit: string | null;
  /** The earliest submitted_at: every writer stores `Date.toISOString()` (UTC, fixed width), so text order is time order. */
  readonly first: string;
}

/** An export notice an MBA gave (it owes itself: the notice is due before the shipment). */
export interface ExportNoticeRow {
  readonly notice_json: string;
  readonly submitted_at: string;
}

export interface RefusalRow {
  readonly type: string;
  readonly period_from: string | null;
  readonly period_to: string | null;
  readonly pit: string | null;
  readonly submitted_at: string;
}

/** The subject key of obligation_firsts (migration 0046): its three columns, '' when absent. */
export function subjectOf(r: {
  period_from: string | null;
  period_to: string | null;
  pit: string | null;
}): string {
  return `${r.period_from ?? ''}|${r.period_to ?? ''}|${r.pit ?? ''}`;
}

const JUDGED_TYPES: ReadonlySet<string> = new Set(['INITIAL', 'ICR', 'PIL', 'MBR']);

/**
 * Notes an accepted report in obligation_firsts, in its storing transaction (migration 0046):
 * the subject's row keeps the earliest acceptance. INITIAL, ICR, PIL and MBR only (a notice
 * meets only itself: readExportNotices). On SQLite a statement prepared once (a peer catching
 * up stores hundreds of reports a second: decision 0075).
 */
export async function recordAcceptance(
  q: DbOrTx,
  r: {
    mba: string;
    state: string;
    type: string;
    period_from: string | null;
    period_to: string | null;
    pit: string | null;
    submitted_at: string;
  },
  sqlite?: Database.Database,
): Promise<void> {
  if (!JUDGED_TYPES.has(r.type)) return;
  const values = [r.mba, r.state, r.type, subjectOf(r), r.period_from, r.period_to, r.pit, r.submitted_at];
  if (sqlite) {
    preparedOnce(
      sqlite,
      `insert into obligation_firsts (mba, state, type, subject, period_from, period_to, pit, first_at)
        values (?, ?, ?, ?, ?, ?, ?, ?)
        on conflict (mba, state, type, subject) do update set first_at = min(first_at, excluded.first_at)`,
    ).run(values);
    return;
  }
  const earliest = isPostgres(q)
    ? sql`least(obligation_firsts.first_at, excluded.first_at)`
    : sql`min(obligation_firsts.first_at, excluded.first_at)`;
  await q
    .insertInto('obligation_firsts')
    .values({
      mba: r.mba,
      state: r.state,
      type: r.type,
      subject: subjectOf(r),
      period_from: r.period_from,
      period_to: r.period_to,
      pit: r.pit,
      first_at: r.submitted_at,
    })
    .onConflict((oc) =>
      oc.columns(['mba', 'state', 'type', 'subject']).doUpdateSet({ first_at: earliest as never }),
    )
    .execute();
}

/**
 * Per subject, the first accepted INITIAL, ICR, PIL or MBR report of the MBA (obligation_firsts).
 * A judge only ever uses the earliest acceptance of an obligation (deadlines.computeObligations),
 * and an ICR's months are the months of its period, so one row per distinct period stands for
 * every report of that period: the rows grow with the calendar, not with resubmissions.
 */
export async function readFirstAcceptances(
  q: DbOrTx,
  state: string,
  mba: string,
): Promise<FirstAcceptance[]> {
  const rows = await q
    .selectFrom('obligation_firsts')
    .select(['type', 'period_from', 'period_to', 'pit', 'first_at'])
    .where('mba', '=', mba)
    .where('state', '=', state)
    .execute();
  return rows.map((r) => ({ ...r, type: r.type as ReportType, first: r.first_at }));
}

/** The headers an audit folds into first acceptances again: the MBA's accepted reports of the judged types. */
export async function readJudgedReportsOfMba(q: DbOrTx, mba: string) {
  return q
    .selectFrom('reports')
    .select(['state', 'type', 'period_from', 'period_to', 'pit', 'submitted_at'])
    .where('mba', '=', mba)
    .where('type', 'in', ['INITIAL', 'ICR', 'PIL', 'MBR'])
    .execute();
}

/** Every row of obligation_firsts of an MBA, keyed as the audit compares them. */
export async function readObligationFirstsOfMba(q: DbOrTx, mba: string) {
  return q.selectFrom('obligation_firsts').selectAll().where('mba', '=', mba).execute();
}

/**
 * The MBA's export notices (a notice names its own reference and preparation date), on the
 * reports' (mba, type, report_number) key. The state is compared here, not in the statement:
 * given both, SQLite's planner walks the state's index through all its reports.
 */
export async function readExportNotices(q: DbOrTx, state: string, mba: string): Promise<ExportNoticeRow[]> {
  const rows = await q
    .selectFrom('reports')
    .select(['state', 'notice_json', 'submitted_at'])
    .where('mba', '=', mba)
    .where('type', '=', 'EXPORT_NOTICE')
    .execute();
  return rows.flatMap((r) =>
    r.state === state && r.notice_json !== null
      ? [{ notice_json: r.notice_json, submitted_at: r.submitted_at }]
      : [],
  );
}

/** The refusals naming the MBA and a type (a refusal cured in time dates an obligation; migration 0046's index). */
export async function readRefusalsOfMba(q: DbOrTx, state: string, mba: string): Promise<RefusalRow[]> {
  return q
    .selectFrom('report_rejections')
    .select(['type', 'period_from', 'period_to', 'pit', 'submitted_at'])
    .where('mba', '=', mba)
    .where('state', '=', state)
    .where('type', 'is not', null)
    .execute() as Promise<RefusalRow[]>;
}
