import { addDays, icrDeadline } from '../../domain/accounting/index.js';
import { DomainError } from '../../domain/errors.js';
import { problemOf } from '../../domain/particulars.js';
import { inScope, type Principal, type StateScope } from '../../domain/policy/index.js';
import type { ElementCode } from '../../domain/reports/index.js';
import type { TransferLine, TransferMatch } from '../../domain/transfers/index.js';
import { readMbaFacts } from '../../store/accounting.repo.js';
import type { DbOrTx } from '../../store/db.js';
import type { Page, PageRequest } from '../../store/paging.js';
import { SQL_TRANSFER_SORTS, type SqlTransferSort } from '../../store/transfer-list.repo.js';
import { readRowsAfterKey, readRowsByKeys, STATUS } from '../../store/transfers.repo.js';
import { compareValues, FirstRows, type SortValue, sortValueOf } from '../page-memory.js';
import type { Ports } from '../ports.js';
import { enforce, scopeOf } from '../scope.js';
import { ALL } from './alarms.js';
import { factsReader, pairGroup, type Rec, recsOf } from './transfer-lines.js';
import { listTransferRows } from './transfer-segments.js';

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
 * The most rows a page may reach (offset + limit) where the order or the text filter needs both
 * sides of each pair: such a page walks every transfer and keeps that many rows, never the list.
 */
export const WALKED_PAGE_MAX = 100_000;

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
    if (!req.q && (sort === undefined || SQL_TRANSFER_SORTS.includes(sort))) {
      return pageInSql(ports.db.kysely, scope, f, { ...req, sort }, asOf);
    }
    // A text filter, or an order by the shown date or by SRD/σ, depends on the other side of
    // each pair: every transfer is walked in chunks of whole key groups (decision 0017), and only
    // the page's first offset + limit rows are kept.
    return pageByWalk(ports.db.kysely, scope, f, req, asOf);
  };
}

/**
 * A page of transfers filtered and ordered over their views (after the scope, so the other
 * state's hidden side, reduced to its state code, can neither match `q` nor order the rows),
 * ties in matchTransfers' order so pages never overlap.
 */
async function pageByWalk(
  q: DbOrTx,
  scope: StateScope,
  f: { state?: string; status?: string },
  req: PageRequest,
  asOf: string,
): Promise<Page<TransferView>> {
  if (req.offset + req.limit > WALKED_PAGE_MAX) {
    throw new DomainError('VALIDATION_FAILED', 'this page is too deep for a text filter or this order', [
      {
        field: 'querystring.offset',
        ...problemOf('FIELD_INVALID.pageTooDeep', { max: WALKED_PAGE_MAX }),
        message: `with q or sort by date or srd, offset + limit may reach ${WALKED_PAGE_MAX}: narrow the list with status, state or q`,
      },
    ]);
  }
  const value = req.sort === undefined ? undefined : sortValueOf('transfers', TRANSFER_SORTS, req.sort);
  const dir = req.desc ? -1 : 1;
  type Row = { readonly view: TransferView; readonly v: string | number | null; readonly at: PlacedMatch };
  const first = new FirstRows<Row>(
    req.offset + req.limit,
    (a, b) => compareValues(a.v, b.v, dir) || comparePlaces(a.at, b.at),
  );
  const text = req.q?.toLowerCase();
  let total = 0;
  for await (const chunk of walkMatches(q, asOf)) {
    for (const at of chunk) {
      const m = at.m;
      if (
        !((m.shipment && inScope(scope, m.shipment.state)) || (m.receipt && inScope(scope, m.receipt.state)))
      )
        continue;
      if (f.status && m.status !== f.status) continue;
      if (f.state && m.shipment?.state !== f.state && m.receipt?.state !== f.state) continue;
      const view = viewOf(scope, m);
      if (text && !textOf(view).some((t) => t?.toLowerCase().includes(text))) continue;
      total++;
      first.offer({ view, v: value === undefined ? null : value(view), at });
    }
  }
  return {
    items: first
      .sorted()
      .slice(req.offset)
      .map((r) => r.view),
    total,
    limit: req.limit,
    offset: req.offset,
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
 * A page of transfers filtered, ordered and windowed in SQL (store/transfer-list.repo.ts); the
 * page's pairs are completed by pairing their keys' lines again.
 */
async function pageInSql(
  q: DbOrTx,
  scope: StateScope,
  f: { state?: string; status?: string },
  req: PageRequest & { sort?: SqlTransferSort | undefined },
  asOf: string,
): Promise<Page<TransferView>> {
  const facts = await readMbaFacts(q);
  const { rows, total } = await listTransferRows(
    q,
    {
      mbas: facts.map((m) => ({ mba: m.code, state: m.state })),
      scope: scope === 'all' ? 'all' : [...scope],
      state: f.state,
      status: f.status,
      unmatchedBefore: `${addDays(asOf, -30).slice(0, 7)}-01`,
    },
    req,
  );
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
  const items = page.map((x) => {
    const pr = x.ship ? pairOfShip.get(`${x.mba}/${x.report}/${x.line}`) : undefined;
    if (x.status === STATUS.lone || pr === undefined) {
      const deadline = icrDeadline(x.t.date);
      const status = asOf > deadline ? 'unmatched' : 'pending';
      return viewOf(scope, x.ship ? { status, shipment: x.t, deadline } : { status, receipt: x.t, deadline });
    }
    return viewOf(scope, { ...pr, status: x.status === STATUS.discrepant ? 'discrepant' : 'matched' });
  });
  return { items, total, limit: req.limit, offset: req.offset };
}
