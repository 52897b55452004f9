import type Database from 'better-sqlite3';
import { type RawBuilder, sql } from 'kysely';
import type { AdvanceNotice } from '../domain/transfers/index.js';
import { insertRowsSqlite, Pacer, preparedOnce, sortNumbersInSlices } from './bulk.js';
import { type DbOrTx, isPostgres } from './db.js';
import { bumpMarks, mbasOf } from './eval-marks.repo.js';
import type { NoticeRow } from './schema.types.js';
import { deleteRowsPg, insertRowsPg, readRowsByKeysPg, updateRowsPg } from './transfers-pg.js';

/**
 * Transfer lines in force with their match (migration 0010, docs/decisions/0016). A row holds
 * only what its report line does not: the match key's hash (leading the primary key, so a key's
 * lines are one index range), shipment or receipt, the match status and the notice finding; the
 * line is read from report_lines (the version in force: eval_entries names it for a corrected
 * line). `eval_transfer_counts` keeps how many lines per MBA, day and element are lone,
 * discrepant, carry a notice finding or count for the state's summary.
 */

export const STATUS = { matched: 0, discrepant: 1, lone: 2 } as const;
export const NOTICE_CODES = ['NOTICE_MISSING', 'NOTICE_LATE'] as const;

/** A stored row's key and match. */
export interface TransferRow {
  readonly mkey: number;
  readonly mba: string;
  readonly report: number;
  readonly line: number;
  readonly ship: boolean;
  readonly status: number;
  readonly notice: number | null;
  readonly flow: string | null;
}

/** The report line in force of a row, as stored (report_lines' columns). */
export interface HeldLine {
  readonly reportNumber: number;
  readonly line: number;
  readonly date: string;
  readonly code: string;
  readonly batch: string;
  readonly kmp: string;
  readonly element: string;
  readonly weightMg: number;
  readonly fissileMg: number | null;
  readonly basis: string | null;
  readonly counterpartState: string | null;
  readonly counterpartMba: string | null;
  readonly notice: string | null;
  readonly corrects: boolean;
  /** eval_entries' anchor of a corrected line (bookedReceiptOf), or null. */
  readonly anchor: { report: number; line: number } | null;
}

export interface HeldRow extends TransferRow {
  readonly held: HeldLine;
}

export interface JoinedRow {
  mkey: number | string;
  mba: string;
  origin_report: number;
  origin_line: number;
  ship: number;
  status: number;
  notice: number | null;
  flow: string | null;
  cur_report: number;
  cur_line: number;
  anchor_report: number | null;
  anchor_line: number | null;
  date: string;
  code: string;
  batch: string;
  kmp: string;
  element: string;
  weight_mg: number | string;
  fissile_mg: number | string | null;
  basis: string | null;
  counterpart_state: string | null;
  counterpart_mba: string | null;
  line_notice: string | null;
  corrects_report: number | null;
}

/** A joined row (withLines' columns) as a held row. */
export function toHeld(r: JoinedRow): HeldRow {
  return {
    mkey: Number(r.mkey),
    mba: r.mba,
    report: r.origin_report,
    line: r.origin_line,
    ship: r.ship === 1,
    status: r.status,
    notice: r.notice,
    flow: r.flow,
    held: {
      reportNumber: r.cur_report,
      line: r.cur_line,
      date: r.date,
      code: r.code,
      batch: r.batch,
      kmp: r.kmp,
      element: r.element,
      weightMg: Number(r.weight_mg),
      fissileMg: r.fissile_mg === null ? null : Number(r.fissile_mg),
      basis: r.basis,
      counterpartState: r.counterpart_state,
      counterpartMba: r.counterpart_mba,
      notice: r.line_notice,
      corrects: r.corrects_report !== null,
      anchor:
        r.anchor_report === null || r.anchor_line === null
          ? null
          : { report: r.anchor_report, line: r.anchor_line },
    },
  };
}

/**
 * Rows of eval_transfers (`from` names them as `t`, `where` filters, `order` orders) with the
 * report line in force: the original line, or the last version eval_entries names.
 */
function withLines(from: RawBuilder<unknown>, where: RawBuilder<unknown>, order: RawBuilder<unknown>) {
  return sql<JoinedRow>`select t.mkey, t.mba, t.origin_report, t.origin_line, t.ship, t.status,
      t.notice, t.flow, coalesce(e.last_report, t.origin_report) as cur_report,
      coalesce(e.last_line, t.origin_line) as cur_line, e.anchor_report, e.anchor_line,
      l.date, l.code, l.batch, l.kmp, l.element, l.weight_mg, l.fissile_mg, l.basis,
      l.counterpart_state, l.counterpart_mba, l.notice as line_notice, l.corrects_report
    from ${from}
    left join eval_entries e
      on e.mba = t.mba and e.origin_report = t.origin_report and e.origin_line = t.origin_line
    join report_lines l
      on l.report_id = t.mba || ':ICR:' || coalesce(e.last_report, t.origin_report)
      and l.line = coalesce(e.last_line, t.origin_line)
    where ${where} ${order}`;
}

/** toHeld of a raw row (withLines' columns in order), without closures: tsx names each one (0076). */
function toHeldRaw(r: unknown[]): HeldRow {
  return {
    mkey: Number(r[0]),
    mba: r[1] as string,
    report: r[2] as number,
    line: r[3] as number,
    ship: r[4] === 1,
    status: r[5] as number,
    notice: r[6] as number | null,
    flow: r[7] as string | null,
    held: {
      reportNumber: r[8] as number,
      line: r[9] as number,
      date: r[12] as string,
      code: r[13] as string,
      batch: r[14] as string,
      kmp: r[15] as string,
      element: r[16] as string,
      weightMg: Number(r[17]),
      fissileMg: r[18] === null ? null : Number(r[18]),
      basis: r[19] as string | null,
      counterpartState: r[20] as string | null,
      counterpartMba: r[21] as string | null,
      notice: r[22] as string | null,
      corrects: r[23] !== null,
      anchor: r[10] === null || r[11] === null ? null : { report: r[10] as number, line: r[11] as number },
    },
  };
}

/** Match keys per read of readRowsByKeys on SQLite: a few milliseconds of lookups. */
const KEYS_PER_READ = 2_000;

/*
 * The writer's statements of this file are prepared once per connection (bulk.ts preparedOnce):
 * each ICR's evaluation runs them, and preparing them afresh cost more than running them for a
 * report of a few lines (a peer catching up stores hundreds a second, decision 0057).
 */

/** The SQLite text of readRowsByKeys' statement (the same on every connection). */
let rowsByKeysSql: string | undefined;

const ascending = (xs: Float64Array): boolean => xs.every((x, i) => i === 0 || x >= (xs[i - 1] as number));

/** Every row of the (distinct) match keys given, with its line, looked up in key order (0049). */
export async function readRowsByKeys(
  q: DbOrTx,
  sqlite: Database.Database | undefined,
  unordered: ArrayLike<number>,
): Promise<HeldRow[]> {
  if (unordered.length === 0) return [];
  // Sorted in slices: 900 000 keys of a big ICR sorted in one call held the loop (decision 0067).
  // Intake hands them over sorted already (distinctKeys): then they are not sorted again.
  const keys = Float64Array.from(unordered);
  if (!ascending(keys)) await sortNumbersInSlices(keys);
  if (sqlite) {
    rowsByKeysSql ??= withLines(
      sql`json_each(?) k join eval_transfers t on t.mkey = k.value`,
      sql`1 = 1`,
      sql``,
    ).compile(q).sql;
    const stmt = preparedOnce(sqlite, rowsByKeysSql, (s) => s.raw(true));
    // Rows as arrays (raw): tens of thousands of them per large ICR, one object fewer each. The
    // keys go in slices with a turn of the event loop between them (decision 0035): a 900 000-line
    // ICR asks for 900 000 keys. Each row has one key, so the slices' rows are the whole answer.
    const out: HeldRow[] = [];
    const pacer = new Pacer();
    for (let at = 0; at < keys.length; at += KEYS_PER_READ) {
      const rows = stmt.all(JSON.stringify(Array.from(keys.subarray(at, at + KEYS_PER_READ)))) as unknown[][];
      for (let i = 0; i < rows.length; i++) out.push(toHeldRaw(rows[i]!));
      if (pacer.due()) await pacer.pause();
    }
    return out;
  }
  if (!isPostgres(q)) {
    // SQLite without the writer's handle (lists, the audit): lists of keys, within bind limits.
    const out: HeldRow[] = [];
    for (let i = 0; i < keys.length; i += 5000) {
      const chunk = Array.from(keys.subarray(i, i + 5000));
      const { rows } = await withLines(
        sql`eval_transfers t`,
        sql`t.mkey in (${sql.join(chunk)})`,
        sql``,
      ).execute(q);
      for (const r of rows) out.push(toHeld(r));
    }
    return out;
  }
  return (await readRowsByKeysPg(q, keys)).map(toHeld);
}

/** Rows of eval_transfers (`from` names them `t`) with their lines, filtered and ordered as given. */
export async function readRowsWithLines(
  q: DbOrTx,
  from: RawBuilder<unknown>,
  where: RawBuilder<unknown>,
  order: RawBuilder<unknown>,
): Promise<HeldRow[]> {
  const { rows } = await withLines(from, where, order).execute(q);
  return rows.map(toHeld);
}

/**
 * The rows of the next match-key groups after `after`, whole groups of about `limit` rows in key
 * order: a walk over every transfer that holds one chunk at a time (the primary key leads with
 * the key, so each chunk is a range scan). Start with `after` = -1; the walk ends on an empty chunk.
 */
export async function readRowsAfterKey(q: DbOrTx, after: number, limit: number): Promise<HeldRow[]> {
  const last = sql`(select max(k.mkey) from (select mkey from eval_transfers where mkey > ${after}
    order by mkey limit ${limit}) k)`;
  const { rows } = await withLines(
    sql`eval_transfers t`,
    sql`t.mkey > ${after} and t.mkey <= ${last}`,
    sql`order by t.mkey, t.mba, t.origin_report, t.origin_line`,
  ).execute(q);
  return rows.map(toHeld);
}

const ROW_COLUMNS = ['mkey', 'mba', 'origin_report', 'origin_line', 'ship', 'status', 'notice', 'flow'];

/** Rows per bulk insert call of insertRows on SQLite: a few milliseconds even on a loaded machine. */
const ROWS_PER_INSERT = 500;

/** New rows: prepared multi-row inserts on SQLite, 1 000-row statements on PostgreSQL. */
export function insertRows(
  q: DbOrTx,
  sqlite: Database.Database | undefined,
  rows: readonly TransferRow[],
): Promise<void> {
  return insertRowsOf(q, sqlite, rows.length, (i) => rows[i] as TransferRow);
}

/**
 * New rows `rowAt(0)` … `rowAt(n - 1)`, made one at a time as they are written: a 900 000-line
 * ICR's rows need not all be held as objects at once (issue 15 item 9).
 */
export async function insertRowsOf(
  q: DbOrTx,
  sqlite: Database.Database | undefined,
  n: number,
  rowAt: (i: number) => TransferRow,
): Promise<void> {
  if (n === 0) return;
  // Their MBAs' derived state changed (decision 0108), noted as the rows are made.
  const seen = new Set<string>();
  await insertRowsNoted(q, sqlite, n, (i) => {
    const r = rowAt(i);
    seen.add(r.mba);
    return r;
  });
  await bumpMarks(q, seen, sqlite);
}

/** insertRowsOf's insert itself: rows `rowAt(0)` … `rowAt(n - 1)`, in slices. */
async function insertRowsNoted(
  q: DbOrTx,
  sqlite: Database.Database | undefined,
  n: number,
  rowAt: (i: number) => TransferRow,
): Promise<void> {
  if (sqlite) {
    // In slices of rows with a turn of the event loop between them (decision 0035): a 900 000-line
    // ICR of receipts stores 900 000 rows here, inside its transaction.
    const pacer = new Pacer();
    for (let at = 0; at < n; at += ROWS_PER_INSERT) {
      const end = Math.min(n, at + ROWS_PER_INSERT);
      const values: unknown[] = new Array((end - at) * ROW_COLUMNS.length);
      let v = 0;
      for (let i = at; i < end; i++) {
        const r = rowAt(i);
        values[v++] = r.mkey;
        values[v++] = r.mba;
        values[v++] = r.report;
        values[v++] = r.line;
        values[v++] = r.ship ? 1 : 0;
        values[v++] = r.status;
        values[v++] = r.notice;
        values[v++] = r.flow;
      }
      insertRowsSqlite(sqlite, 'eval_transfers', ROW_COLUMNS, values, true);
      if (pacer.due()) await pacer.pause();
    }
    return;
  }
  await insertRowsPg(q, n, rowAt);
}

export type RowKey = Pick<TransferRow, 'mkey' | 'mba' | 'report' | 'line'>;

/** Status and notice of existing rows (by primary key). */
export async function updateRows(
  q: DbOrTx,
  sqlite: Database.Database | undefined,
  rows: readonly TransferRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await bumpMarks(q, mbasOf(rows), sqlite);
  if (sqlite) {
    const stmt = preparedOnce(
      sqlite,
      'update eval_transfers set status = ?, notice = ? where mkey = ? and mba = ? and origin_report = ? and origin_line = ?',
    );
    for (const r of rows) stmt.run(r.status, r.notice, r.mkey, r.mba, r.report, r.line);
    return;
  }
  await updateRowsPg(q, rows);
}

/** Deletes rows by primary key; answers the match keys and flows of those that existed. */
export async function deleteRows(
  q: DbOrTx,
  sqlite: Database.Database | undefined,
  rows: readonly RowKey[],
): Promise<{ mkey: number; flow: string | null }[]> {
  const out: { mkey: number; flow: string | null }[] = [];
  if (rows.length === 0) return out;
  await bumpMarks(q, mbasOf(rows), sqlite);
  if (sqlite) {
    const stmt = preparedOnce(
      sqlite,
      'delete from eval_transfers where mkey = ? and mba = ? and origin_report = ? and origin_line = ? returning mkey, flow',
    );
    for (const r of rows) {
      const gone = stmt.get(r.mkey, r.mba, r.report, r.line) as
        | { mkey: number; flow: string | null }
        | undefined;
      if (gone !== undefined) out.push({ mkey: Number(gone.mkey), flow: gone.flow });
    }
    return out;
  }
  out.push(...(await deleteRowsPg(q, rows)));
  return out;
}

/** Rows per MBA (audit: together with the lines found, proves no row is held without a line). */
export async function countRowsPerMba(q: DbOrTx): Promise<Map<string, number>> {
  const rows = await q
    .selectFrom('eval_transfers')
    .select((eb) => ['mba', eb.fn.countAll<number>().as('n')])
    .groupBy('mba')
    .execute();
  return new Map(rows.map((r) => [r.mba, Number(r.n)]));
}

/** The advance notices of a state named by `references` (the notice rule reads only its own state's). */
export async function readNoticesByReference(
  q: DbOrTx,
  state: string,
  references: readonly string[],
): Promise<Map<string, AdvanceNotice>> {
  const out = new Map<string, AdvanceNotice>();
  for (let i = 0; i < references.length; i += 500) {
    const rows = await q
      .selectFrom('notices')
      .selectAll()
      .where('state', '=', state)
      .where('reference', 'in', references.slice(i, i + 500))
      .execute();
    for (const n of rows) out.set(n.reference, toAdvanceNotice(n));
  }
  return out;
}

/** A stored notice as the notice rule takes it (submitted: the UTC day it was received). */
export function toAdvanceNotice(n: NoticeRow): AdvanceNotice {
  return {
    reference: n.reference,
    kind: n.direction === 'export' ? 'EXPORT' : 'IMPORT',
    state: n.state,
    otherState: n.other_state,
    submitted: n.submitted_at.slice(0, 10),
    preparationDate: n.preparation_date,
    dispatchDate: n.dispatch_date,
    arrivalDate: n.arrival_date,
  };
}

/** Removes an MBA's counts (it is built again). */
export async function clearCountsOfMba(q: DbOrTx, mba: string): Promise<void> {
  await q.deleteFrom('eval_transfer_counts').where('mba', '=', mba).execute();
}
