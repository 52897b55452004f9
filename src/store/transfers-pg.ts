import { type RawBuilder, sql } from 'kysely';
import type { DbOrTx } from './db.js';
import { pgArray } from './pg-arrays.js';
import { withIndexProbes } from './pg-probes.js';
import type { JoinedRow, RowKey, TransferRow } from './transfers.repo.js';

/**
 * The PostgreSQL statements of eval_transfers' intake (docs/decisions/0050): keys and rows bound
 * as one array literal per column (pgArray) and read or written with `unnest`, so a statement of
 * 10 000 rows has a handful of parameters instead of tens of thousands. Reads by key go through
 * lateral joins fenced by `offset 0`: the plan is then index probes whatever the planner's
 * statistics say (without them, or misestimating the computed report id, it planned hash joins
 * over both tables: a full scan of report_lines and eval_transfers per chunk of keys, which made
 * intake grow with the table). Writes find their rows the same way — a fenced probe of the
 * primary key per row, answering the row's ctid — and then update or delete by ctid (a TID scan
 * each). A plain join of the arrays on the primary key was planned, without statistics and with
 * 10 000 rows bound, as a hash join over a sequential scan of the whole table per statement (with
 * temporary files): 1.5–2.4 s a statement at 1 M lines stored, five of them for a 100 000-line ICR
 * whose receipts pair stored shipments (decision 0072). Every probe statement runs with bitmap scans
 * off (withIndexProbes): without statistics each probe was planned as a bitmap scan, 2–3× the CPU
 * of a plain index scan for the row or two a key finds (decision 0077).
 */

/** Match keys per read (one array parameter). */
const KEYS_PER_READ = 20_000;
/** Rows per write statement. */
const ROWS_PER_STATEMENT = 10_000;

/** Every row of the match keys given, with its line in force (withLines' columns). */
export async function readRowsByKeysPg(q: DbOrTx, keys: ArrayLike<number>): Promise<JoinedRow[]> {
  // Sorted, so the probes walk the key's index in order.
  const sorted = Float64Array.from(keys).sort();
  const out: JoinedRow[] = [];
  if (sorted.length === 0) return out;
  // Plain index scans per probe, not bitmap scans (decision 0077).
  await withIndexProbes(q, async (q) => {
    for (let i = 0; i < sorted.length; i += KEYS_PER_READ) {
      const chunk = Array.from(sorted.subarray(i, i + KEYS_PER_READ));
      const { rows } = await sql<JoinedRow>`select t.mkey, t.mba, t.origin_report, t.origin_line,
        t.ship, t.status, t.notice, t.flow, coalesce(e.last_report, t.origin_report) as cur_report,
        coalesce(e.last_line, t.origin_line) as cur_line, e.anchor_report, e.anchor_line,
        l.date, l.code, l.batch, l.kmp, l.element, l.weight_mg, l.fissile_mg, l.basis,
        l.counterpart_state, l.counterpart_mba, l.notice as line_notice, l.corrects_report
      from unnest(${pgArray(chunk)}::bigint[]) k(mkey)
      cross join lateral (select * from eval_transfers x where x.mkey = k.mkey offset 0) t
      left join lateral (select * from eval_entries y where y.mba = t.mba
        and y.origin_report = t.origin_report and y.origin_line = t.origin_line offset 0) e on true
      cross join lateral (select * from report_lines z
        where z.report_id = t.mba || ':ICR:' || coalesce(e.last_report, t.origin_report)
        and z.line = coalesce(e.last_line, t.origin_line) offset 0) l`.execute(q);
      for (const r of rows) out.push(r);
    }
  });
  return out;
}

/**
 * The rows of a notice flow that `entries` names (a statement of eval_notice_lines rows `n`, at
 * most a page), each probed by its flow and origin with its line in force, as readRowsByKeysPg
 * probes keys: a page costs its own rows, whatever the flow holds (decision 0086). Without the
 * probes the planner hashed the flow's every row against each page.
 */
export async function readRowsOfEntriesPg(
  q: DbOrTx,
  flow: string,
  entries: RawBuilder<unknown>,
): Promise<JoinedRow[]> {
  return withIndexProbes(q, async (q) => {
    const { rows } = await sql<JoinedRow>`select t.mkey, t.mba, t.origin_report, t.origin_line,
        t.ship, t.status, t.notice, t.flow, coalesce(e.last_report, t.origin_report) as cur_report,
        coalesce(e.last_line, t.origin_line) as cur_line, e.anchor_report, e.anchor_line,
        l.date, l.code, l.batch, l.kmp, l.element, l.weight_mg, l.fissile_mg, l.basis,
        l.counterpart_state, l.counterpart_mba, l.notice as line_notice, l.corrects_report
      from (${entries} offset 0) n
      cross join lateral (select * from eval_transfers x where x.flow = ${flow} and x.mba = n.mba
        and x.origin_report = n.origin_report and x.origin_line = n.origin_line offset 0) t
      left join lateral (select * from eval_entries y where y.mba = t.mba
        and y.origin_report = t.origin_report and y.origin_line = t.origin_line offset 0) e on true
      cross join lateral (select * from report_lines z
        where z.report_id = t.mba || ':ICR:' || coalesce(e.last_report, t.origin_report)
        and z.line = coalesce(e.last_line, t.origin_line) offset 0) l`.execute(q);
    return rows;
  });
}

/** New rows `rowAt(0)` … `rowAt(n - 1)`, made a statement's worth at a time. */
export async function insertRowsPg(q: DbOrTx, n: number, rowAt: (i: number) => TransferRow): Promise<void> {
  for (let at = 0; at < n; at += ROWS_PER_STATEMENT) {
    const end = Math.min(n, at + ROWS_PER_STATEMENT);
    const c = {
      mkey: [] as number[],
      mba: [] as string[],
      report: [] as number[],
      line: [] as number[],
      ship: [] as number[],
      status: [] as number[],
      notice: [] as (number | null)[],
      flow: [] as (string | null)[],
    };
    for (let i = at; i < end; i++) {
      const r = rowAt(i);
      c.mkey.push(r.mkey);
      c.mba.push(r.mba);
      c.report.push(r.report);
      c.line.push(r.line);
      c.ship.push(r.ship ? 1 : 0);
      c.status.push(r.status);
      c.notice.push(r.notice);
      c.flow.push(r.flow);
    }
    await sql`insert into eval_transfers
        (mkey, mba, origin_report, origin_line, ship, status, notice, flow)
      select * from unnest(${pgArray(c.mkey)}::bigint[], ${pgArray(c.mba)}::text[],
        ${pgArray(c.report)}::int[], ${pgArray(c.line)}::int[], ${pgArray(c.ship)}::smallint[],
        ${pgArray(c.status)}::smallint[], ${pgArray(c.notice)}::smallint[], ${pgArray(c.flow)}::text[])`.execute(
      q,
    );
  }
}

/** Key columns of rows as array literals. */
function keyArrays(rows: readonly RowKey[]) {
  return {
    mkey: pgArray(rows.map((r) => r.mkey)),
    mba: pgArray(rows.map((r) => r.mba)),
    report: pgArray(rows.map((r) => r.report)),
    line: pgArray(rows.map((r) => r.line)),
  };
}

/**
 * The ctid (`x.tid`) of each row whose primary key `v(k, m, r, l)` names: one probe of the key per
 * row, fenced by `offset 0` so that no statistics turn it into a scan (see the top of this file).
 */
const BY_KEY_PROBE = sql`cross join lateral (select ctid as tid from eval_transfers x where x.mkey = v.k
      and x.mba = v.m and x.origin_report = v.r and x.origin_line = v.l offset 0) x`;

/** Status and notice of existing rows (by primary key). */
export async function updateRowsPg(q: DbOrTx, rows: readonly TransferRow[]): Promise<void> {
  if (rows.length === 0) return;
  await withIndexProbes(q, async (q) => {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
      const k = keyArrays(chunk);
      await sql`update eval_transfers t set status = w.s, notice = w.n
      from (select x.tid, v.s, v.n
        from unnest(${k.mkey}::bigint[], ${k.mba}::text[], ${k.report}::int[], ${k.line}::int[],
          ${pgArray(chunk.map((r) => r.status))}::smallint[],
          ${pgArray(chunk.map((r) => r.notice))}::smallint[]) as v(k, m, r, l, s, n)
        ${BY_KEY_PROBE}) w
      where t.ctid = w.tid`.execute(q);
    }
  });
}

/** Deletes rows by primary key; answers the match keys and flows of those that existed. */
export async function deleteRowsPg(
  q: DbOrTx,
  rows: readonly RowKey[],
): Promise<{ mkey: number; flow: string | null }[]> {
  const out: { mkey: number; flow: string | null }[] = [];
  if (rows.length === 0) return out;
  await withIndexProbes(q, async (q) => {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const k = keyArrays(rows.slice(i, i + ROWS_PER_STATEMENT));
      const { rows: gone } = await sql<{ mkey: string | number; flow: string | null }>`
      delete from eval_transfers t
      using (select x.tid
        from unnest(${k.mkey}::bigint[], ${k.mba}::text[], ${k.report}::int[], ${k.line}::int[])
          as v(k, m, r, l)
        ${BY_KEY_PROBE}) w
      where t.ctid = w.tid
      returning t.mkey, t.flow`.execute(q);
      for (const g of gone) out.push({ mkey: Number(g.mkey), flow: g.flow });
    }
  });
  return out;
}
