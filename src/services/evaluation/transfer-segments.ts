import { DomainError } from '../../domain/errors.js';
import { problemOf } from '../../domain/particulars.js';
import { shipmentFlows } from '../../domain/transfers/index.js';
import type { DbOrTx } from '../../store/db.js';
import {
  type ListCounts,
  readFlowCounts,
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
 * list's order, and how many rows each holds. The order: the sort's value, nulls last, then
 * shipments before lone receipts, then MBA and origin (matchTransfers' order).
 */

/** The list's statuses in ascending order of their names (SQL's order of the status text). */
const STATUSES = ['discrepant', 'matched', 'pending', 'unmatched'] as const;
type ListStatus = (typeof STATUSES)[number];

/** Sorts whose order is a sequence of segments (store SQL_TRANSFER_SORTS). */
type SegmentSort = SqlTransferSort;

/**
 * The most transfers a view may hold to be read whole (readWholeView): its rows, lines and views
 * are held at once, ~1 KB each.
 */
const WHOLE_VIEW_MAX = 20_000;

/**
 * An MBA the view lists rows of: all its own listed rows, or (`flows`) only its paired shipments
 * to the states the view concerns, where the MBA's state is outside the view.
 */
export interface ViewMba {
  readonly mba: string;
  readonly state: string;
  readonly flows?: readonly string[] | undefined;
}

export interface SegmentView {
  readonly mbas: readonly ViewMba[];
  readonly status: ListStatus | undefined;
  readonly sort: SegmentSort | undefined;
  readonly desc: boolean;
}

/** How many rows each segment holds: the counts, and the paired shipments under flows per MBA. */
export interface SegmentCounts {
  readonly own: ReadonlyMap<string, ListCounts>;
  readonly flows: ReadonlyMap<string, { matched: number; discrepant: number }>;
}

const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const LONE: readonly SegmentStatus[] = ['any', 'lone', 'unmatched', 'pending'];
const PAIRED: readonly SegmentStatus[] = ['any', 'paired', 'matched', 'discrepant'];

/** Whether a lone line of `month` has its status `status` (first day of the cut's month: `cutMonth`). */
const loneIn = (status: SegmentStatus, month: string, cutMonth: string): boolean =>
  status === 'unmatched' ? month < cutMonth : status === 'pending' ? month >= cutMonth : true;

/** How many rows a segment holds. */
export function segmentSize(counts: SegmentCounts, seg: Segment, cutMonth: string): number {
  const { status } = seg;
  if (seg.flows !== undefined) {
    const c = counts.flows.get(seg.mba);
    if (c === undefined || !PAIRED.includes(status)) return 0;
    return (status === 'discrepant' ? 0 : c.matched) + (status === 'matched' ? 0 : c.discrepant);
  }
  const c = counts.own.get(seg.mba);
  if (c === undefined) return 0;
  let n = 0;
  if (seg.ship && (status === 'any' || status === 'paired' || status === 'matched')) n += c.shipMatched;
  if (seg.ship && (status === 'any' || status === 'paired' || status === 'discrepant')) n += c.shipDiscrepant;
  if (LONE.includes(status)) {
    for (const [month, lone] of c.lone) {
      if (seg.month !== undefined && month !== seg.month) continue;
      if (!loneIn(status, month, cutMonth)) continue;
      const ships = c.loneShip.get(month) ?? 0;
      n += seg.ship ? ships : lone - ships;
    }
  }
  return n;
}

/**
 * The segments of MBAs `of` with status `status`, in the list's natural order: shipments by MBA
 * (another state's paired ones only), then the view's own MBAs' lone receipts.
 */
function natural(of: readonly ViewMba[], status: SegmentStatus, month?: string): Segment[] {
  const lone = LONE.includes(status);
  const out: Segment[] = [];
  for (const m of of) {
    if (m.flows === undefined) out.push({ mba: m.mba, ship: true, status, month });
    else if (!lone || status === 'any')
      out.push({ mba: m.mba, ship: true, status: status === 'any' ? 'paired' : status, flows: m.flows });
  }
  if (lone)
    for (const m of of)
      if (m.flows === undefined)
        out.push({ mba: m.mba, ship: false, status: status === 'any' ? 'lone' : status, month });
  return out;
}

/** The view's segments in the list's order (receipts are listed only while lone). */
export function planSegments(v: SegmentView, counts: SegmentCounts, cutMonth: string): Segment[] {
  const mbas = [...v.mbas].sort((a, b) => byCode(a.mba, b.mba));
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
      for (const month of counts.own.get(m.mba)?.lone.keys() ?? [])
        if (m.flows === undefined && loneIn(filtered, month, cutMonth)) months.add(month);
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
  counts: SegmentCounts,
  cut: string,
  offset: number,
  limit: number,
): Promise<{ rows: HeldRow[]; total: number }> {
  const cutMonth = cut.slice(0, 7);
  const sizes = segs.map((s) => segmentSize(counts, s, cutMonth));
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
 * The MBAs a view lists rows of. A row is listed when its MBA's state is in the caller's scope
 * (or the receiving state of a paired shipment is), and likewise for the state filtered on: so an
 * MBA of a state in both lists all its own rows, and another lists its paired shipments to the
 * states `to` that complete what its own state lacks — found by the flows they are stored under.
 * An empty scope gives no MBA, so an empty view.
 */
export function viewMbasOf(f: Pick<TransferListFilter, 'mbas' | 'scope' | 'state'>): ViewMba[] {
  const inScope = (st: string): boolean => f.scope === 'all' || f.scope.includes(st);
  const inFilter = (st: string): boolean => f.state === undefined || f.state === st;
  const out: ViewMba[] = [];
  for (const m of f.mbas) {
    if (inScope(m.state) && inFilter(m.state)) {
      out.push(m);
      continue;
    }
    // The receiving states that qualify a shipment of this MBA (scope and filter are lists here
    // wherever the MBA's own state fails them).
    let to: string[] | undefined;
    if (!inScope(m.state)) to = [...(f.scope as readonly string[])];
    if (!inFilter(m.state)) to = (to ?? [f.state as string]).filter((s) => s === f.state);
    const flows = (to ?? []).filter((s) => s !== m.state).flatMap((s) => shipmentFlows(m.state, s));
    if (flows.length > 0) out.push({ ...m, flows });
  }
  return out;
}

/** The view's segments in list order (sorted by `sort` where given) and their counts. */
async function segmentsOf(
  q: DbOrTx,
  f: TransferListFilter,
  sort: SegmentSort | undefined,
  desc: boolean,
): Promise<{ segs: Segment[]; counts: SegmentCounts }> {
  const mbas = viewMbasOf(f);
  const counts: SegmentCounts = {
    own: await readListCounts(
      q,
      mbas.filter((m) => m.flows === undefined).map((m) => m.mba),
    ),
    flows: await readFlowCounts(
      q,
      mbas.flatMap((m) => m.flows ?? []),
    ),
  };
  const view: SegmentView = { mbas, status: f.status as ListStatus | undefined, sort, desc };
  return { segs: planSegments(view, counts, f.unmatchedBefore.slice(0, 7)), counts };
}

/** A page of listed transfer rows, in list order or sorted by a segment order, and the total. */
export async function listTransferRows(
  q: DbOrTx,
  f: TransferListFilter,
  req: { limit: number; offset: number; sort?: SegmentSort | undefined; desc?: boolean | undefined },
): Promise<{ rows: HeldRow[]; total: number }> {
  const { segs, counts } = await segmentsOf(q, f, req.sort, req.desc === true);
  return pageBySegments(q, segs, counts, f.unmatchedBefore, req.offset, req.limit);
}

/**
 * Every row of a view in list order, for an order by a value no index holds (batch, element, the
 * shown date, SRD) or a text search over what the caller sees: at most `max` rows, else a 400
 * that says to narrow the view first (its size is known from the counts before anything is read).
 */
export async function readWholeView(
  q: DbOrTx,
  f: TransferListFilter,
  reason: 'sort' | 'q',
  max = WHOLE_VIEW_MAX,
): Promise<HeldRow[]> {
  const { segs, counts } = await segmentsOf(q, f, undefined, false);
  const cutMonth = f.unmatchedBefore.slice(0, 7);
  const total = segs.reduce((n, s) => n + segmentSize(counts, s, cutMonth), 0);
  if (total > max) {
    const what = reason === 'q' ? 'a text search' : 'this order';
    throw new DomainError('VALIDATION_FAILED', `this list is too long for ${what}`, [
      {
        field: `querystring.${reason}`,
        ...problemOf('FIELD_INVALID.listTooLong', { max }),
        message: `${what} is offered for lists of up to ${max} transfers (this one has ${total}): narrow it with status or state`,
      },
    ]);
  }
  return (await pageBySegments(q, segs, counts, f.unmatchedBefore, 0, total)).rows;
}
