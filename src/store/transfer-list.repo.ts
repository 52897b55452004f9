import { sql } from 'kysely';
import { type DbOrTx, isPostgres } from './db.js';
import { COUNT_KIND } from './transfer-counts.repo.js';
import { type HeldRow, readRowsWithLines } from './transfers.repo.js';

/**
 * GET /api/transfers paged in SQL (docs/decisions/0017, 0083): a listed transfer is a shipment
 * row (alone or with its receipt) or a receipt left alone, in matchTransfers' order — shipments by
 * MBA and effective position, then lone receipts. The other side of a pair is the receipt whose
 * state is the shipment's counterpart state (both share the match key); the page's pairs are
 * completed by the caller.
 */

/** The orders the list answers by segments (decision 0083); others read the view whole. */
export const SQL_TRANSFER_SORTS = ['status', 'state', 'deadline'] as const;
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

/*
 * The list by segments (migration 0041, docs/decisions/0083): the list is a sequence of segments,
 * each one MBA's shipments or lone receipts with one status (or a month of lone lines), or another
 * state's MBA's paired shipments into the view under their flows. Each segment's size is read from
 * eval_transfer_counts (or counted on the flows' index), whole segments before the page are
 * skipped by their sizes, and the page's rows are read from the segments it falls in, each walking
 * one index range in origin order. A page costs its own rows, whatever the world holds.
 */

/** Which rows of a segment: every status, the paired ones, or one status of the list. */
export type SegmentStatus = 'any' | 'paired' | 'matched' | 'discrepant' | 'lone' | 'unmatched' | 'pending';

/** One MBA's listed shipments (`ship`) or lone receipts, of one status, or of one month's lone lines. */
export interface Segment {
  readonly mba: string;
  readonly ship: boolean;
  readonly status: SegmentStatus;
  /** Lone lines of this month (YYYY-MM) only. */
  readonly month?: string | undefined;
  /**
   * Another state's MBA: only its paired shipments stored under these flows (to the states the
   * view concerns, domain transferFlowOf), read from the flows' index.
   */
  readonly flows?: readonly string[] | undefined;
}

/**
 * Paired shipments per MBA and status (0 matched, 1 discrepant) under the flows given — shipment
 * flows (domain shipmentFlows), so no `ship = 1` term: with one, PostgreSQL's planner would AND
 * the flows' index with the whole shipments' index (70 ms at 1 M lines, 0.7 s at 10 M).
 */
export async function readFlowCounts(
  q: DbOrTx,
  flows: readonly string[],
): Promise<Map<string, { matched: number; discrepant: number }>> {
  const out = new Map<string, { matched: number; discrepant: number }>();
  if (flows.length === 0) return out;
  const { rows } = await sql<{ mba: string; status: number; n: number | string }>`
    select mba, status, count(*) as n from eval_transfers
    where flow is not null and flow in (${sql.join([...new Set(flows)])}) and status <> 2
    group by mba, status`.execute(q);
  for (const r of rows) {
    const c = out.get(r.mba) ?? { matched: 0, discrepant: 0 };
    if (Number(r.status) === 0) c.matched += Number(r.n);
    else c.discrepant += Number(r.n);
    out.set(r.mba, c);
  }
  return out;
}

/** Per MBA, what eval_transfer_counts says of its listed rows. */
export interface ListCounts {
  shipMatched: number;
  shipDiscrepant: number;
  /** Lone shipments and every lone line, by month of their line in force. */
  readonly loneShip: Map<string, number>;
  readonly lone: Map<string, number>;
}

/**
 * The list's counts of the MBAs given: a few rows per MBA (and per month with lone lines), found
 * by the counts' key (MBA, kind), never the other kinds' rows of every day.
 */
export async function readListCounts(q: DbOrTx, mbas: readonly string[]): Promise<Map<string, ListCounts>> {
  const out = new Map<string, ListCounts>();
  if (mbas.length === 0) return out;
  const k = COUNT_KIND;
  const { rows } = await sql<{ mba: string; kind: number; month: string; n: number | string }>`
    select mba, kind, substr(day, 1, 7) as month, sum(n) as n from eval_transfer_counts
    where mba in (${sql.join([...mbas])}) and kind in (${sql.join([k.lone, k.shipMatched, k.shipDiscrepant, k.loneShip])})
    group by mba, kind, substr(day, 1, 7)`.execute(q);
  for (const r of rows) {
    let c = out.get(r.mba);
    if (c === undefined) {
      c = { shipMatched: 0, shipDiscrepant: 0, loneShip: new Map(), lone: new Map() };
      out.set(r.mba, c);
    }
    const n = Number(r.n);
    const kind = Number(r.kind);
    if (kind === k.shipMatched) c.shipMatched += n;
    else if (kind === k.shipDiscrepant) c.shipDiscrepant += n;
    else {
      const by = kind === k.lone ? c.lone : c.loneShip;
      by.set(r.month, (by.get(r.month) ?? 0) + n);
    }
  }
  return out;
}

/** The rows of a segment from `offset`, at most `limit`, in origin order, with their lines. */
export async function readSegmentRows(
  q: DbOrTx,
  seg: Segment,
  cut: string,
  offset: number,
  limit: number,
): Promise<HeldRow[]> {
  const pg = isPostgres(q);
  const window = sql`order by t.mba, t.origin_report, t.origin_line limit ${limit} offset ${offset}`;
  if (seg.flows !== undefined) {
    const status =
      seg.status === 'matched'
        ? sql`s.status = 0`
        : seg.status === 'discrepant'
          ? sql`s.status = 1`
          : sql`s.status <> 2`;
    // One ordered read of the flows' index per flow, merged, and the window taken before the
    // lines are joined. `flow in (…)` of two flows broke the index order: every page joined all
    // the MBA's paired shipments to their lines and sorted them (decision 0095).
    const arm = (flow: string) => sql`select s.mkey, s.mba, s.origin_report, s.origin_line, s.ship,
        s.status, s.notice, s.flow
      from eval_transfers s ${pg ? sql`` : sql`indexed by eval_transfers_flow_origin`}
      where s.flow is not null and s.flow = ${flow} and s.mba = ${seg.mba} and ${status}`;
    const from = sql`(${sql.join(seg.flows.map(arm), sql` union all `)}
      order by mba, origin_report, origin_line limit ${limit} offset ${offset}) t`;
    return readRowsWithLines(q, from, sql`1 = 1`, sql`order by t.mba, t.origin_report, t.origin_line`);
  }
  if (seg.ship && (seg.status === 'any' || seg.status === 'paired' || seg.status === 'matched')) {
    // The shipments' index in origin order; the window is taken before the lines are joined, so
    // rows skipped cost their index entries only.
    const status =
      seg.status === 'any' ? sql`` : seg.status === 'paired' ? sql`and s.status <> 2` : sql`and s.status = 0`;
    const from = sql`(select s.mkey, s.mba, s.origin_report, s.origin_line, s.ship, s.status, s.notice, s.flow
      from eval_transfers s ${pg ? sql`` : sql`indexed by eval_transfers_ships`}
      where s.mba = ${seg.mba} and s.ship = 1 ${status}
      order by s.mba, s.origin_report, s.origin_line limit ${limit} offset ${offset}) t`;
    return readRowsWithLines(q, from, sql`1 = 1`, sql`order by t.mba, t.origin_report, t.origin_line`);
  }
  // Discrepant and lone rows: the alarmed rows' index (rows with a status other than matched).
  const where = [
    sql`t.mba = ${seg.mba}`,
    sql`(t.status <> 0 or t.notice is not null)`,
    sql`t.ship = ${seg.ship ? 1 : 0}`,
    sql`t.status = ${seg.status === 'discrepant' ? 1 : 2}`,
  ];
  if (seg.status === 'unmatched') where.push(sql`l.date < ${cut}`);
  if (seg.status === 'pending') where.push(sql`l.date >= ${cut}`);
  if (seg.month !== undefined) where.push(sql`substr(l.date, 1, 7) = ${seg.month}`);
  const from = sql`eval_transfers t ${pg ? sql`` : sql`indexed by eval_transfers_alarmed`}`;
  return readRowsWithLines(q, from, sql.join(where, sql` and `), window);
}
