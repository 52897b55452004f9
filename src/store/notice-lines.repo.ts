import type Database from 'better-sqlite3';
import { type SqlBool, sql } from 'kysely';
import { insertRowsSqlite, preparedOnce } from './bulk.js';
import { type DbOrTx, isPostgres } from './db.js';
import { type HeldRow, readRowsWithLines, toHeld } from './transfers.repo.js';
import { readRowsOfEntriesPg } from './transfers-pg.js';

/**
 * The rows of notice flows by the date of their line in force (`eval_notice_lines`, migration
 * 0043, docs/decisions/0086): part of the derived transfer state, kept by intake wherever a row of
 * an export or import flow is stored, moved or removed (services/evaluation/derive-transfers.ts
 * settle); the recheck of a flow walks it by date, the audit compares it with the rows.
 */

/** One entry: a row of eval_transfers in a notice flow, and the date of its line in force. */
export interface NoticeLine {
  readonly flow: string;
  readonly day: string;
  readonly mba: string;
  readonly report: number;
  readonly line: number;
  /** The advance notice its line in force names (also held in eval_notice_refs, migration 0047). */
  readonly notice?: string | null | undefined;
}

const COLUMNS = ['flow', 'day', 'mba', 'origin_report', 'origin_line'] as const;
const REF_COLUMNS = ['notice', ...COLUMNS] as const;

const valuesOf = (e: NoticeLine): unknown[] => [e.flow, e.day, e.mba, e.report, e.line];
const refValuesOf = (e: NoticeLine): unknown[] => [e.notice, ...valuesOf(e)];
const namesNotice = (e: NoticeLine): boolean => e.notice !== undefined && e.notice !== null;

/**
 * Removes `removed` and adds `added` (in that order: an entry may leave and come back), and the
 * same of the entries that name a notice in eval_notice_refs.
 */
export async function applyNoticeLineChanges(
  q: DbOrTx,
  sqlite: Database.Database | undefined,
  removed: readonly NoticeLine[],
  added: readonly NoticeLine[],
): Promise<void> {
  await swapRows(
    q,
    sqlite,
    'eval_notice_refs',
    REF_COLUMNS,
    removed.filter(namesNotice).map(refValuesOf),
    added.filter(namesNotice).map(refValuesOf),
  );
  await swapRows(q, sqlite, 'eval_notice_lines', COLUMNS, removed.map(valuesOf), added.map(valuesOf));
}

/**
 * Deletes the rows `removed` and inserts the rows `added` of a table whose every column is its
 * key (each row its values in `columns` order): on SQLite a delete prepared once and bulk
 * inserts, on PostgreSQL multi-row statements.
 */
async function swapRows(
  q: DbOrTx,
  sqlite: Database.Database | undefined,
  table: 'eval_notice_lines' | 'eval_notice_refs',
  columns: readonly string[],
  removed: readonly unknown[][],
  added: readonly unknown[][],
): Promise<void> {
  if (sqlite) {
    const del = preparedOnce(
      sqlite,
      `delete from ${table} where ${columns.map((c) => `${c} = ?`).join(' and ')}`,
    );
    for (const r of removed) del.run(...r);
    if (added.length > 0) insertRowsSqlite(sqlite, table, [...columns], added.flat(), true);
    return;
  }
  const tuple = (r: readonly unknown[]) => sql`(${sql.join(r)})`;
  const names = sql.join(columns.map((c) => sql.ref(c)));
  for (let i = 0; i < removed.length; i += 500)
    await sql`delete from ${sql.table(table)} where (${names}) in (${sql.join(removed.slice(i, i + 500).map(tuple))})`.execute(
      q,
    );
  for (let i = 0; i < added.length; i += 1000)
    await sql`insert into ${sql.table(table)} (${names}) values ${sql.join(added.slice(i, i + 1000).map(tuple))}`.execute(
      q,
    );
}

/**
 * The flows and dates of the lines in force that name the notice `reference` (any state's: the
 * caller keeps its own state's flows), on eval_notice_refs' key.
 */
export async function readNoticeRefs(q: DbOrTx, reference: string): Promise<{ flow: string; day: string }[]> {
  return q.selectFrom('eval_notice_refs').select(['flow', 'day']).where('notice', '=', reference).execute();
}

/**
 * Removes an MBA's entries (its derived state is built again). The table is keyed by flow and
 * date, so this reads every entry: export and import lines only, on a rare operation (an upgrade,
 * or periods that moved).
 */
export async function clearNoticeLinesOfMba(q: DbOrTx, mba: string): Promise<void> {
  await q.deleteFrom('eval_notice_lines').where('mba', '=', mba).execute();
  await q.deleteFrom('eval_notice_refs').where('mba', '=', mba).execute();
}

/** Every entry of an MBA that names a notice (the audit's; a scan, as clearNoticeLinesOfMba). */
export async function readNoticeRefsOfMba(
  q: DbOrTx,
  mba: string,
): Promise<(NoticeLine & { notice: string })[]> {
  const rows = await q.selectFrom('eval_notice_refs').selectAll().where('mba', '=', mba).execute();
  return rows.map((r) => ({
    notice: r.notice,
    flow: r.flow,
    day: r.day,
    mba: r.mba,
    report: r.origin_report,
    line: r.origin_line,
  }));
}

/** Every entry of an MBA (the audit compares them with its rows; a scan, as clearNoticeLinesOfMba). */
export async function readNoticeLinesOfMba(q: DbOrTx, mba: string): Promise<NoticeLine[]> {
  const rows = await q.selectFrom('eval_notice_lines').selectAll().where('mba', '=', mba).execute();
  return rows.map((r) => ({
    flow: r.flow,
    day: r.day,
    mba: r.mba,
    report: r.origin_report,
    line: r.origin_line,
  }));
}

/** Where a page of a flow's rows by date ends: the date and origin of its last row. */
export interface NoticePageEnd {
  readonly day: string;
  readonly mba: string;
  readonly report: number;
  readonly line: number;
}

/**
 * The next `limit` rows of a notice flow after `after` (dated from `span.from` and before
 * `span.before`; without a span, all of them), in (date, origin) order, with their lines: one range of eval_notice_lines' primary key, each row
 * found by the index of its flow and origin (migration 0030).
 */
export async function readNoticeFlowPage(
  q: DbOrTx,
  flow: string,
  span: { readonly from: string; readonly before: string } | undefined,
  after: NoticePageEnd | undefined,
  limit: number,
): Promise<{ rows: HeldRow[]; end: NoticePageEnd | undefined; more: boolean }> {
  const keys = await q
    .selectFrom('eval_notice_lines as n')
    .select(['n.day', 'n.mba', 'n.origin_report', 'n.origin_line'])
    .where('n.flow', '=', flow)
    .$if(after === undefined && span !== undefined, (w) => w.where('n.day', '>=', span?.from ?? ''))
    .$if(after !== undefined, (w) =>
      w.where(
        sql<SqlBool>`(n.day, n.mba, n.origin_report, n.origin_line) > (${after?.day}, ${after?.mba}, ${after?.report}, ${after?.line})`,
      ),
    )
    .$if(span !== undefined, (w) => w.where('n.day', '<', span?.before ?? ''))
    .orderBy('n.day')
    .orderBy('n.mba')
    .orderBy('n.origin_report')
    .orderBy('n.origin_line')
    .limit(limit)
    .execute();
  const last = keys.at(-1);
  if (last === undefined) return { rows: [], end: undefined, more: false };
  const end = { day: last.day, mba: last.mba, report: last.origin_report, line: last.origin_line };
  // The page's rows: the same range of the key, each row found by its flow and origin. (A list
  // of the page's keys as VALUES let SQLite's planner put the flow's rows outside the list.)
  const first = keys[0] as (typeof keys)[number];
  const range = sql`n.flow = ${flow}
    and (n.day, n.mba, n.origin_report, n.origin_line) >= (${first.day}, ${first.mba}, ${first.origin_report}, ${first.origin_line})
    and (n.day, n.mba, n.origin_report, n.origin_line) <= (${end.day}, ${end.mba}, ${end.report}, ${end.line})`;
  const rows = isPostgres(q)
    ? (
        await readRowsOfEntriesPg(
          q,
          flow,
          sql`select n.mba, n.origin_report, n.origin_line from eval_notice_lines n where ${range}`,
        )
      ).map(toHeld)
    : await readRowsWithLines(
        q,
        sql`eval_notice_lines n join eval_transfers t indexed by eval_transfers_flow_origin
          on t.flow = n.flow and t.mba = n.mba and t.origin_report = n.origin_report
          and t.origin_line = n.origin_line`,
        range,
        sql``,
      );
  return { rows, end, more: keys.length === limit };
}
