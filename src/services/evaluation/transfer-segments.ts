import type { DbOrTx } from '../../store/db.js';
import {
  type ListCounts,
  pageTransferRows,
  readListCounts,
  readSegmentRows,
  type Segment,
  type SegmentStatus,
  type SqlTransferSort,
  type TransferListFilter,
} from '../../store/transfer-list.repo.js';
import type { HeldRow } from '../../store/transfers.repo.js';

/**
 * GET /api/transfers by segments (docs/decisions/0083): which segments a view lists, in the
 * list's order, and how many rows each holds by eval_transfer_counts. The order is the one the
 * full query gives (store/transfer-list.repo.ts pageTransferRows): the sort's value, nulls last,
 * then shipments before lone receipts, then MBA and origin.
 */

/** The list's statuses in ascending order of their names (SQL's order of the status text). */
const STATUSES = ['discrepant', 'matched', 'pending', 'unmatched'] as const;
type ListStatus = (typeof STATUSES)[number];

/** Sorts the segments answer; the others go through the full query. */
export const SEGMENT_SORTS = ['status', 'state', 'deadline'] as const;
export type SegmentSort = (typeof SEGMENT_SORTS)[number];

export interface SegmentView {
  /** The MBAs whose own rows the view lists, with their states, in code order. */
  readonly mbas: readonly { mba: string; state: string }[];
  readonly status: ListStatus | undefined;
  readonly sort: SegmentSort | undefined;
  readonly desc: boolean;
}

const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Whether a lone line of `month` has its status `status` (first day of the cut's month: `cutMonth`). */
const loneIn = (status: SegmentStatus, month: string, cutMonth: string): boolean =>
  status === 'unmatched' ? month < cutMonth : status === 'pending' ? month >= cutMonth : true;

/** How many rows a segment holds, by the counts of its MBA. */
export function segmentSize(c: ListCounts | undefined, seg: Segment, cutMonth: string): number {
  if (c === undefined) return 0;
  const { status } = seg;
  let n = 0;
  if (seg.ship && (status === 'any' || status === 'paired' || status === 'matched')) n += c.shipMatched;
  if (seg.ship && (status === 'any' || status === 'paired' || status === 'discrepant')) n += c.shipDiscrepant;
  if (status === 'any' || status === 'lone' || status === 'unmatched' || status === 'pending') {
    for (const [month, lone] of c.lone) {
      if (seg.month !== undefined && month !== seg.month) continue;
      if (!loneIn(status, month, cutMonth)) continue;
      const ships = c.loneShip.get(month) ?? 0;
      n += seg.ship ? ships : lone - ships;
    }
  }
  return n;
}

/** The view's segments in the list's order (receipts are listed only while lone). */
export function planSegments(
  v: SegmentView,
  counts: ReadonlyMap<string, ListCounts>,
  cutMonth: string,
): Segment[] {
  const mbas = [...v.mbas].sort((a, b) => byCode(a.mba, b.mba));
  const natural = (of: readonly { mba: string }[], status: SegmentStatus, month?: string): Segment[] => [
    ...of.map((m) => ({ mba: m.mba, ship: true, status, month })),
    ...(status === 'any' || status === 'lone' || status === 'unmatched' || status === 'pending'
      ? of.map((m) => ({
          mba: m.mba,
          ship: false,
          status: status === 'any' ? ('lone' as const) : status,
          month,
        }))
      : []),
  ];
  const filtered: SegmentStatus = v.status ?? 'any';
  if (v.sort === 'status') {
    const order = v.status === undefined ? [...STATUSES] : [v.status];
    if (v.desc) order.reverse();
    return order.flatMap((s) => natural(mbas, s));
  }
  if (v.sort === 'state') {
    const states = [...new Set(mbas.map((m) => m.state))].sort(byCode);
    if (v.desc) states.reverse();
    return states.flatMap((st) =>
      natural(
        mbas.filter((m) => m.state === st),
        filtered,
      ),
    );
  }
  if (v.sort === 'deadline') {
    // A lone line's deadline is one per month of its line; paired rows have none and come last.
    if (v.status === 'matched' || v.status === 'discrepant') return natural(mbas, v.status);
    const months = new Set<string>();
    for (const m of mbas)
      for (const month of counts.get(m.mba)?.lone.keys() ?? [])
        if (loneIn(filtered, month, cutMonth)) months.add(month);
    const ordered = [...months].sort(byCode);
    if (v.desc) ordered.reverse();
    const lone: SegmentStatus = v.status ?? 'lone';
    return [
      ...ordered.flatMap((month) => natural(mbas, lone, month)),
      ...(v.status === undefined ? natural(mbas, 'paired') : []),
    ];
  }
  return natural(mbas, filtered);
}

/**
 * The rows of the window [offset, offset + limit) of the segments, and the total: segments before
 * the window are skipped by their sizes, and only the segments the window falls in are read.
 */
export async function pageBySegments(
  q: DbOrTx,
  segs: readonly Segment[],
  counts: ReadonlyMap<string, ListCounts>,
  cut: string,
  offset: number,
  limit: number,
): Promise<{ rows: HeldRow[]; total: number }> {
  const cutMonth = cut.slice(0, 7);
  const sizes = segs.map((s) => segmentSize(counts.get(s.mba), s, cutMonth));
  const total = sizes.reduce((a, b) => a + b, 0);
  const rows: HeldRow[] = [];
  let skip = offset;
  for (let i = 0; i < segs.length && rows.length < limit; i++) {
    const size = sizes[i] as number;
    if (skip >= size) {
      skip -= size;
      continue;
    }
    rows.push(...(await readSegmentRows(q, segs[i] as Segment, cut, skip, limit - rows.length)));
    skip = 0;
  }
  return { rows, total };
}

/**
 * The MBAs whose own rows are the whole view, or undefined where another state's shipment may be
 * listed for its counterpart: such a shipment is listed when its receiving state is in the
 * caller's scope or is the state filtered on, and an MBA of that state then holds its receipt as
 * one received from abroad (the counts say how many).
 */
export function ownMbasOf(
  f: Pick<TransferListFilter, 'mbas' | 'scope' | 'state'>,
  counts: ReadonlyMap<string, ListCounts>,
): TransferListFilter['mbas'] | undefined {
  const inScope = (st: string): boolean => f.scope === 'all' || f.scope.includes(st);
  const own = f.mbas.filter((m) => inScope(m.state) && (f.state === undefined || f.state === m.state));
  if (own.length === f.mbas.length) return own;
  const receivers = f.mbas.filter(
    (m) => (f.scope !== 'all' && f.scope.includes(m.state)) || f.state === m.state,
  );
  return receivers.every((m) => (counts.get(m.mba)?.receivedFromAbroad ?? 0) === 0) ? own : undefined;
}

/**
 * A page of listed transfer rows and the total: by segments where the view and the order allow
 * (ownMbasOf, SEGMENT_SORTS), else by the full query.
 */
export async function listTransferRows(
  q: DbOrTx,
  f: TransferListFilter,
  req: { limit: number; offset: number; sort?: SqlTransferSort | undefined; desc?: boolean | undefined },
): Promise<{ rows: HeldRow[]; total: number }> {
  const sort = req.sort;
  if (sort === undefined || (SEGMENT_SORTS as readonly string[]).includes(sort)) {
    const counts = await readListCounts(q);
    const own = ownMbasOf(f, counts);
    if (own !== undefined) {
      const cut = f.unmatchedBefore;
      const view: SegmentView = {
        mbas: own,
        status: f.status as ListStatus | undefined,
        sort: sort as SegmentSort | undefined,
        desc: req.desc === true,
      };
      return pageBySegments(
        q,
        planSegments(view, counts, cut.slice(0, 7)),
        counts,
        cut,
        req.offset,
        req.limit,
      );
    }
  }
  return pageTransferRows(q, f, req);
}
