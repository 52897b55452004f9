import { sql } from 'kysely';
import type { DbOrTx } from './db.js';
import { countOf } from './paging.js';
import { type HeldRow, readRowsWithLines } from './transfers.repo.js';

/**
 * GET /api/transfers paged in SQL (docs/decisions/0017): a listed transfer is a shipment row
 * (alone or with its receipt) or a receipt left alone, in matchTransfers' order — shipments by
 * MBA and effective position, then lone receipts. The other side of a pair is the receipt whose
 * state is the shipment's counterpart state (both share the match key), so scope and state
 * filters are exact in SQL; the page's pairs are completed by the caller.
 */

export const SQL_TRANSFER_SORTS = ['status', 'batch', 'state', 'element', 'deadline'] as const;
export type SqlTransferSort = (typeof SQL_TRANSFER_SORTS)[number];

export interface TransferListFilter {
  /** MBAs with their states (the registry's). */
  readonly mbas: readonly { mba: string; state: string }[];
  /** States the caller sees, or every state. */
  readonly scope: 'all' | readonly string[];
  readonly state: string | undefined;
  readonly status: string | undefined;
  /** A lone line dated before this day is unmatched, else pending. */
  readonly unmatchedBefore: string;
}

export async function pageTransferRows(
  q: DbOrTx,
  f: TransferListFilter,
  req: { limit: number; offset: number; sort?: SqlTransferSort | undefined; desc?: boolean | undefined },
): Promise<{ rows: HeldRow[]; total: number }> {
  if (f.mbas.length === 0) return { rows: [], total: 0 };
  const cut = f.unmatchedBefore;
  const m = sql.join(f.mbas.map((x) => sql`(${x.mba}, ${x.state})`));
  const paired = sql`(t.ship = 1 and t.status <> 2)`;
  const where = [sql`(t.ship = 1 or t.status = 2)`];
  if (f.scope !== 'all') {
    if (f.scope.length === 0) return { rows: [], total: 0 };
    const s = sql.join([...f.scope]);
    where.push(sql`(m.state in (${s}) or (${paired} and l.counterpart_state in (${s})))`);
  }
  if (f.state !== undefined)
    where.push(sql`(m.state = ${f.state} or (${paired} and l.counterpart_state = ${f.state}))`);
  const statusOf = sql`case when t.status = 0 then 'matched' when t.status = 1 then 'discrepant'
    when l.date < ${cut} then 'unmatched' else 'pending' end`;
  if (f.status !== undefined) where.push(sql`${statusOf} = ${f.status}`);
  const sortOf: Record<SqlTransferSort, ReturnType<typeof sql>> = {
    status: statusOf,
    batch: sql`l.batch`,
    state: sql`m.state`,
    element: sql`l.element`,
    // The deadline of a lone line is 30 days after its month: one value per month.
    deadline: sql`case when t.status = 2 then substr(l.date, 1, 7) end`,
  };
  const order = [];
  if (req.sort !== undefined) {
    const v = sortOf[req.sort];
    order.push(sql`(${v} is null)`, req.desc ? sql`${v} desc` : sql`${v} asc`);
  }
  order.push(sql`1 - t.ship`, sql`t.mba`, sql`t.origin_report`, sql`t.origin_line`);
  const from = sql`(select column1 as mba, column2 as state from (values ${m}) as v) m
    join eval_transfers t on t.mba = m.mba`;
  const filter = sql.join(where, sql` and `);
  const rows = await readRowsWithLines(
    q,
    from,
    filter,
    sql`order by ${sql.join(order)} limit ${req.limit} offset ${req.offset}`,
  );
  const { rows: counted } = await sql<{ n: number | string }>`select count(*) as n from ${from}
    left join eval_entries e
      on e.mba = t.mba and e.origin_report = t.origin_report and e.origin_line = t.origin_line
    join report_lines l
      on l.report_id = t.mba || ':ICR:' || coalesce(e.last_report, t.origin_report)
      and l.line = coalesce(e.last_line, t.origin_line)
    where ${filter}`.execute(q);
  return { rows, total: countOf(counted[0]) };
}
