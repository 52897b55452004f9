import { bookedFromAnchor, DEFAULT_CODE_SIGNS, type SourcedIcrLine } from '../../domain/accounting/index.js';
import {
  compatible,
  matchKeyOf,
  pairKey,
  pairOf,
  sameKey,
  type TransferLine,
  type TransferMatch,
  transferLineOf,
} from '../../domain/transfers/index.js';
import { type MbaFacts, readIcrLine, readMbaFacts } from '../../store/accounting.repo.js';
import { Pacer } from '../../store/bulk.js';
import type { DbOrTx } from '../../store/db.js';
import { COUNT_KIND, type CountDelta } from '../../store/transfer-counts.repo.js';
import { type HeldLine, type HeldRow, STATUS } from '../../store/transfers.repo.js';

/**
 * Transfer lines rebuilt from their stored report lines (docs/decisions/0016): the derived table
 * keeps no copy of a line, so matching, views and alarms read the line in force and apply
 * transferLineOf to it as the report transaction did.
 */

export const SIGMA_FACTOR = 3;

/** A transfer line in force with its key and match: held in the table, or about to be. */
export interface Rec {
  readonly mkey: number;
  readonly mba: string;
  readonly report: number;
  readonly line: number;
  readonly ship: boolean;
  readonly flow: string | null;
  readonly t: TransferLine;
  status: number;
  notice: number | null;
}

/** Registry facts of MBAs, read once per MBA per call. */
export function factsReader(q: DbOrTx) {
  const facts = new Map<string, MbaFacts | undefined>();
  return {
    async load(mbas: Iterable<string>): Promise<void> {
      const missing = [...new Set(mbas)].filter((m) => !facts.has(m));
      if (missing.length === 0) return;
      for (const f of await readMbaFacts(q, missing)) facts.set(f.code, f);
      for (const m of missing) if (!facts.has(m)) facts.set(m, undefined);
    },
    get: (mba: string) => facts.get(mba),
  };
}

function sourced(h: HeldLine): SourcedIcrLine {
  const l: Record<string, unknown> = {
    reportNumber: h.reportNumber,
    line: h.line,
    date: h.date,
    code: h.code,
    batch: h.batch,
    kmp: h.kmp,
    element: h.element,
    weightMg: h.weightMg,
  };
  if (h.fissileMg !== null) l.fissileMg = h.fissileMg;
  if (h.basis !== null) l.basis = h.basis;
  if (h.counterpartState !== null)
    l.counterpart =
      h.counterpartMba === null
        ? { state: h.counterpartState }
        : { state: h.counterpartState, mba: h.counterpartMba };
  if (h.notice !== null) l.notice = h.notice;
  // Only whether it corrects matters (bookedFromAnchor): the target is not needed here.
  if (h.corrects) l.corrects = { reportNumber: 0 };
  return l as unknown as SourcedIcrLine;
}

/** Rows with their transfer lines (the anchor of a corrected receipt read by key: rare). */
export async function recsOf(
  q: DbOrTx,
  rows: readonly HeldRow[],
  facts: ReturnType<typeof factsReader>,
): Promise<Rec[]> {
  await facts.load(rows.map((r) => r.mba));
  const out: Rec[] = [];
  // The rows of a flow can be a 900 000-line ICR's: a turn of the event loop every few ms (decision 0035).
  const pacer = new Pacer();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as HeldRow;
    if ((i & 255) === 255 && pacer.due()) await pacer.pause();
    const f = facts.get(r.mba);
    if (f === undefined) continue;
    const current = sourced(r.held);
    let booked: SourcedIcrLine | undefined;
    if (r.held.anchor !== null && r.held.corrects) {
      const anchor = await readIcrLine(q, r.mba, r.held.anchor.report, r.held.anchor.line);
      booked = bookedFromAnchor(current, anchor, DEFAULT_CODE_SIGNS);
    }
    const t = transferLineOf(f, current, booked);
    if (t === undefined) continue;
    out.push({
      mkey: r.mkey,
      mba: r.mba,
      report: r.report,
      line: r.line,
      ship: r.ship,
      flow: r.flow,
      t,
      status: r.status,
      notice: r.notice,
    });
  }
  return out;
}

function byOrigin(a: Rec, b: Rec): number {
  return a.mba < b.mba ? -1 : a.mba > b.mba ? 1 : a.report - b.report || a.line - b.line;
}

/**
 * The pairs of the lines of one match-key hash, in matchTransfers' order within each exact key
 * (pairKey): each shipment with its receipt and the pair's match, or alone.
 */
export function pairGroup(group: Rec[]): { ship: Rec; receipt: Rec; m: TransferMatch }[] {
  if (group.length < 2) return [];
  if (group.length === 2) {
    // The common case: one shipment and its receipt.
    const [a, b] = group as [Rec, Rec];
    if (a.ship === b.ship) return [];
    const s = a.ship ? a : b;
    const r = a.ship ? b : a;
    if (!sameKey(s.t, r.t) || compatible(s.t, r.t) === 0) return [];
    return [{ ship: s, receipt: r, m: pairOf(s.t, r.t, SIGMA_FACTOR) }];
  }
  const byKey = new Map<string, Rec[]>();
  for (const x of group) {
    const k = matchKeyOf(x.t, x.ship);
    const list = byKey.get(k);
    if (list === undefined) byKey.set(k, [x]);
    else list.push(x);
  }
  const out: { ship: Rec; receipt: Rec; m: TransferMatch }[] = [];
  for (const list of byKey.values()) {
    list.sort(byOrigin);
    const ships = list.filter((x) => x.ship);
    const receipts = list.filter((x) => !x.ship);
    const { pairs } = pairKey(
      ships.map((x) => x.t),
      receipts.map((x) => x.t),
      SIGMA_FACTOR,
    );
    const receiptOf = new Map(receipts.map((x) => [x.t, x]));
    ships.forEach((s, i) => {
      const p = pairs[i];
      if (p?.receipt !== undefined) out.push({ ship: s, receipt: receiptOf.get(p.receipt)!, m: p });
    });
  }
  return out;
}

/** Sets the status of every line of a group from its pairing: lone unless paired. */
export function matchGroup(group: Rec[]): void {
  for (const x of group) x.status = STATUS.lone;
  for (const p of pairGroup(group)) {
    const s = p.m.status === 'discrepant' ? STATUS.discrepant : STATUS.matched;
    p.ship.status = s;
    p.receipt.status = s;
  }
}

/**
 * Differences of eval_transfer_counts being gathered, by MBA, day, element and kind: nested maps
 * of the line's own strings, so adding a line's counts composes no key string (a big ICR adds
 * three or four counts per line).
 */
export class CountDeltas {
  readonly #byMba = new Map<string, Map<string, Map<string, Int32Array>>>();

  add(mba: string, kind: number, day: string, element: string, n: number): void {
    let byDay = this.#byMba.get(mba);
    if (byDay === undefined) {
      byDay = new Map();
      this.#byMba.set(mba, byDay);
    }
    let byElement = byDay.get(day);
    if (byElement === undefined) {
      byElement = new Map();
      byDay.set(day, byElement);
    }
    let kinds = byElement.get(element);
    if (kinds === undefined) {
      kinds = new Int32Array(KIND_SLOTS);
      byElement.set(element, kinds);
    }
    kinds[kind] = (kinds[kind] as number) + n;
  }

  /** Every difference gathered, zeros included (applyCountDeltas leaves them out). */
  *values(): IterableIterator<CountDelta> {
    for (const [mba, byDay] of this.#byMba)
      for (const [day, byElement] of byDay)
        for (const [element, kinds] of byElement)
          for (let kind = 1; kind < KIND_SLOTS; kind++)
            if (kinds[kind] !== 0) yield { mba, kind, day, element, n: kinds[kind] as number };
  }
}

/** COUNT_KIND's values are 1 … 9. */
const KIND_SLOTS = Math.max(...Object.values(COUNT_KIND)) + 1;

/** What a line adds to eval_transfer_counts (with the status and notice given, if any). */
export function countsOf(
  x: Pick<Rec, 'mba' | 't' | 'ship' | 'status' | 'notice'>,
  sign: 1 | -1,
  into: CountDeltas,
  as: { status: number; notice: number | null } = x,
): void {
  const { mba } = x;
  const { date, element } = x.t;
  // A pair counts once for the state: by its shipment, or by a receipt whose shipper is abroad.
  const counted = x.ship || x.t.counterpart.state !== x.t.state;
  if (as.status === STATUS.lone) {
    into.add(mba, COUNT_KIND.lone, date, element, sign);
    if (x.ship) into.add(mba, COUNT_KIND.loneShip, date, '', sign);
  } else if (as.status === STATUS.discrepant) {
    into.add(mba, COUNT_KIND.discrepant, date, element, sign);
    // The state's pairs per MBA only, not per day: the annual evaluation sums them (decision 0107).
    if (counted) into.add(mba, COUNT_KIND.stateDiscrepant, '', '', sign);
    if (x.ship) into.add(mba, COUNT_KIND.shipDiscrepant, '', '', sign);
  } else {
    if (counted) into.add(mba, COUNT_KIND.stateMatched, '', '', sign);
    if (x.ship) into.add(mba, COUNT_KIND.shipMatched, '', '', sign);
  }
  if (as.notice === 1) into.add(mba, COUNT_KIND.noticeMissing, date, element, sign);
  else if (as.notice === 2) into.add(mba, COUNT_KIND.noticeLate, date, element, sign);
}
