import { deadlinePassedBefore, icrDeadline } from '../../domain/accounting/index.js';
import { inScope, type Principal, type StateScope } from '../../domain/policy/index.js';
import type { ElementCode } from '../../domain/reports/index.js';
import type { TransferLine, TransferMatch } from '../../domain/transfers/index.js';
import { readMbaFacts } from '../../store/accounting.repo.js';
import type { DbOrTx } from '../../store/db.js';
import type { Page, PageRequest } from '../../store/paging.js';
import {
  SQL_TRANSFER_SORTS,
  type SqlTransferSort,
  type TransferListFilter,
} from '../../store/transfer-list.repo.js';
import { type HeldRow, readRowsAfterKey, readRowsByKeys, STATUS } from '../../store/transfers.repo.js';
import { compareValues, type SortValue, sortValueOf } from '../page-memory.js';
import type { Ports } from '../ports.js';
import { enforce, scopeOf } from '../scope.js';
import { ALL } from './alarms.js';
import { factsReader, pairGroup, type Rec, recsOf } from './transfer-lines.js';
import { listTransferRows, readWholeView } from './transfer-segments.js';

/** One side of a transfer as listed: whole when in the caller's scope, else only its state. */
type TransferSideView =
  | {
      readonly id: string;
      readonly state: string;
      readonly mba: string;
      readonly code: string;
      readonly batch: string;
      readonly element: ElementCode;
      readonly date: string;
      readonly weight: number;
      readonly notice: string | null;
      readonly counterpart: TransferLine['counterpart'];
    }
  | { readonly state: string };

/** One transfer as listed by GET /api/transfers. */
export interface TransferView {
  readonly status: TransferMatch['status'];
  readonly batch: string | undefined;
  readonly shipment: TransferSideView | null;
  readonly receipt: TransferSideView | null;
  readonly srd: number | null;
  readonly sigma: number | null;
  readonly deadline: string | null;
}

/** The sortable fields of GET /api/transfers (the route's `sort` enum). */
export const TRANSFER_SORT_FIELDS = [
  'status',
  'batch',
  'date',
  'state',
  'element',
  'srd',
  'deadline',
] as const;
const visible = (s: TransferSideView | null) => (s !== null && 'mba' in s ? s : undefined);
const TRANSFER_SORTS: Record<(typeof TRANSFER_SORT_FIELDS)[number], SortValue<TransferView>> = {
  status: (t) => t.status,
  batch: (t) => t.batch ?? null,
  // The shipment's date, or the receipt's when the shipment is missing or not shown.
  date: (t) => (visible(t.shipment) ?? visible(t.receipt))?.date ?? null,
  state: (t) => (t.shipment ?? t.receipt)?.state ?? null,
  element: (t) => (visible(t.shipment) ?? visible(t.receipt))?.element ?? null,
  // How many σ the shipper–receiver difference is off (absent where SRD is not shown).
  srd: (t) => (t.srd === null || !t.sigma ? null : Math.abs(t.srd) / t.sigma),
  deadline: (t) => t.deadline,
};

/** The text a transfer side offers to `q`: nothing but its state when hidden from the caller. */
function sideText(s: TransferSideView | null): (string | null)[] {
  if (s === null) return [];
  if (!('mba' in s)) return [s.state];
  return [s.state, s.mba, s.code, s.batch, s.element, s.notice];
}

/** A match with its place in matchTransfers' order: its shipment's, or its lone receipt's. */
interface PlacedMatch {
  readonly m: TransferMatch;
  readonly ship: boolean;
  readonly mba: string;
  readonly report: number;
  readonly line: number;
}

/** matchTransfers' order: shipments by MBA and effective position, then the lone receipts. */
function comparePlaces(a: PlacedMatch, b: PlacedMatch): number {
  if (a.ship !== b.ship) return a.ship ? -1 : 1;
  return a.mba < b.mba ? -1 : a.mba > b.mba ? 1 : a.report - b.report || a.line - b.line;
}

/**
 * The matches of stored transfer lines (whole key groups) with their places: a lone line pending
 * or unmatched on `asOf`. The status is the stored one; the partner, SRD and σ come from pairing
 * the lines of each key again (pairKey is deterministic over the key's lines), as the table keeps
 * no copy.
 */
function placedMatchesOf(recs: readonly Rec[], asOf: string): PlacedMatch[] {
  const groups = new Map<number, Rec[]>();
  for (const x of recs) {
    const g = groups.get(x.mkey);
    if (g === undefined) groups.set(x.mkey, [x]);
    else g.push(x);
  }
  const pairOfShip = new Map<Rec, TransferMatch>();
  for (const g of groups.values()) for (const p of pairGroup(g)) pairOfShip.set(p.ship, p.m);
  const lone = (x: Rec): TransferMatch => {
    const deadline = icrDeadline(x.t.date);
    const status = asOf > deadline ? 'unmatched' : 'pending';
    return x.ship ? { status, shipment: x.t, deadline } : { status, receipt: x.t, deadline };
  };
  const placed = (x: Rec, m: TransferMatch): PlacedMatch => ({
    m,
    ship: x.ship,
    mba: x.mba,
    report: x.report,
    line: x.line,
  });
  const out: PlacedMatch[] = [];
  for (const x of recs) {
    if (!x.ship) continue;
    const p = pairOfShip.get(x);
    if (x.status === STATUS.lone || p === undefined) out.push(placed(x, lone(x)));
    else out.push(placed(x, { ...p, status: x.status === STATUS.discrepant ? 'discrepant' : 'matched' }));
  }
  for (const x of recs) if (!x.ship && x.status === STATUS.lone) out.push(placed(x, lone(x)));
  return out;
}

/** Rows of whole key groups read per step of a walk over every transfer. */
const WALK_CHUNK = 5000;

/** Every transfer's match with its place, one chunk of whole key groups at a time. */
async function* walkMatches(q: DbOrTx, asOf: string, chunk = WALK_CHUNK): AsyncGenerator<PlacedMatch[]> {
  const facts = factsReader(q);
  let after = -1;
  for (;;) {
    const rows = await readRowsAfterKey(q, after, chunk);
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.mkey;
    yield placedMatchesOf(await recsOf(q, rows, facts), asOf);
  }
}

/**
 * Every match of the world on `asOf`, in matchTransfers' order (tests compare services with it;
 * `chunk` is the walk's step, smaller in a test that crosses its boundaries).
 */
export async function readAllMatches(q: DbOrTx, asOf: string, chunk?: number): Promise<TransferMatch[]> {
  const all: PlacedMatch[] = [];
  for await (const part of walkMatches(q, asOf, chunk)) all.push(...part);
  return all.sort(comparePlaces).map((p) => p.m);
}

/**
 * Matched / unmatched / discrepant transfers. An inspectorate sees both sides within its scope;
 * a state sees only its own side of each transfer and the outcome, never the other state's data.
 */
export function createTransfers(ports: Pick<Ports, 'db' | 'clock'>) {
  return async function transfers(
    p: Principal,
    f: { state?: string; status?: string },
    req: PageRequest = ALL,
  ): Promise<Page<TransferView>> {
    const scope = await scopeOf(ports, p);
    enforce(p, 'data.read', scope);
    const asOf = ports.clock.now().toISOString().slice(0, 10);
    const sort = req.sort as SqlTransferSort | undefined;
    const filter = await listFilterOf(ports.db.kysely, scope, f, asOf);
    if (!req.q && (sort === undefined || SQL_TRANSFER_SORTS.includes(sort))) {
      const { rows, total } = await listTransferRows(ports.db.kysely, filter, { ...req, sort });
      return { items: await viewsOfRows(ports.db.kysely, scope, rows, asOf), total, ...window(req) };
    }
    // A text filter, or an order by a value no index holds (batch, element, the shown date,
    // SRD/σ, which depend on the other side of each pair): the view is read whole, bounded
    // (decision 0083), and filtered and sorted over what the caller sees.
    return pageOfWholeView(ports.db.kysely, scope, filter, req, asOf);
  };
}

/**
 * A page of transfers filtered and ordered over their views (after the scope, so the other
 * state's hidden side, reduced to its state code, can neither match `q` nor order the rows),
 * ties in matchTransfers' order so pages never overlap.
 */
async function pageOfWholeView(
  q: DbOrTx,
  scope: StateScope,
  filter: TransferListFilter,
  req: PageRequest,
  asOf: string,
): Promise<Page<TransferView>> {
  const rows = await readWholeView(q, filter, req.q ? 'q' : 'sort');
  const text = req.q?.toLowerCase();
  const views = (await viewsOfRows(q, scope, rows, asOf)).filter(
    (v) => !text || textOf(v).some((t) => t?.toLowerCase().includes(text)),
  );
  let items = views;
  if (req.sort !== undefined) {
    const value = sortValueOf('transfers', TRANSFER_SORTS, req.sort);
    const dir = req.desc ? -1 : 1;
    items = views
      .map((view, at) => ({ view, v: value(view), at }))
      .sort((a, b) => compareValues(a.v, b.v, dir) || a.at - b.at)
      .map((x) => x.view);
  }
  return { items: items.slice(req.offset, req.offset + req.limit), total: items.length, ...window(req) };
}

const window = (req: PageRequest) => ({ limit: req.limit, offset: req.offset });

/** The list filter of a view: the registry's MBAs, the caller's scope, the filters, the cut. */
async function listFilterOf(
  q: DbOrTx,
  scope: StateScope,
  f: { state?: string; status?: string },
  asOf: string,
): Promise<TransferListFilter> {
  const facts = await readMbaFacts(q);
  return {
    mbas: facts.map((m) => ({ mba: m.code, state: m.state })),
    scope: scope === 'all' ? 'all' : [...scope],
    state: f.state,
    status: f.status,
    unmatchedBefore: deadlinePassedBefore(asOf),
  };
}

/** The text a transfer offers to `q`. */
function textOf(t: TransferView): (string | null | undefined)[] {
  return [t.status, t.batch, ...sideText(t.shipment), ...sideText(t.receipt)];
}

/** One transfer as the caller may see it: sides outside its scope reduced to their state. */
function viewOf(scope: StateScope, m: TransferMatch): TransferView {
  const side = (l: TransferMatch['shipment']): TransferSideView | null =>
    l && inScope(scope, l.state)
      ? {
          id: l.id,
          state: l.state,
          mba: l.mba,
          code: l.code,
          batch: l.batch,
          element: l.element,
          date: l.date,
          weight: l.weightMg / 1000,
          notice: l.notice ?? null,
          counterpart: l.counterpart,
        }
      : l
        ? { state: l.state }
        : null;
  const both =
    (!m.shipment || inScope(scope, m.shipment.state)) && (!m.receipt || inScope(scope, m.receipt.state));
  return {
    status: m.status,
    batch: (m.shipment ?? m.receipt)?.batch,
    shipment: side(m.shipment),
    receipt: side(m.receipt),
    // SRD reveals the other side's figure: only for those who may see both sides.
    srd: both && m.srdMg !== undefined ? m.srdMg / 1000 : null,
    sigma: both && m.sigmaMg !== undefined ? m.sigmaMg / 1000 : null,
    deadline: m.deadline ?? null,
  };
}

/**
 * The views of listed rows (store/transfer-list.repo.ts) in their order: each paired shipment's
 * pair is completed by pairing its key's lines again.
 */
async function viewsOfRows(
  q: DbOrTx,
  scope: StateScope,
  rows: readonly HeldRow[],
  asOf: string,
): Promise<TransferView[]> {
  const fx = factsReader(q);
  const page = await recsOf(q, rows, fx);
  const keys = [...new Set(page.filter((x) => x.ship && x.status !== STATUS.lone).map((x) => x.mkey))];
  const pairOfShip = new Map<string, TransferMatch>();
  const groups = new Map<number, Rec[]>();
  for (const x of await recsOf(q, await readRowsByKeys(q, undefined, keys), fx)) {
    const g = groups.get(x.mkey);
    if (g === undefined) groups.set(x.mkey, [x]);
    else g.push(x);
  }
  for (const g of groups.values())
    for (const pr of pairGroup(g)) pairOfShip.set(`${pr.ship.mba}/${pr.ship.report}/${pr.ship.line}`, pr.m);
  return page.map((x) => {
    const pr = x.ship ? pairOfShip.get(`${x.mba}/${x.report}/${x.line}`) : undefined;
    if (x.status === STATUS.lone || pr === undefined) {
      const deadline = icrDeadline(x.t.date);
      const status = asOf > deadline ? 'unmatched' : 'pending';
      return viewOf(scope, x.ship ? { status, shipment: x.t, deadline } : { status, receipt: x.t, deadline });
    }
    return viewOf(scope, { ...pr, status: x.status === STATUS.discrepant ? 'discrepant' : 'matched' });
  });
}
