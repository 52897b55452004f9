import type { DatedAlarm } from '../accounting/index.js';
import { addDays, icrDeadline } from '../accounting/index.js';
import type { IsoDate } from '../reports/report.types.js';
import { compatible, type MatchOptions, matchKeyOf, pairOf } from './match.js';
import { checkNotices, type NoticeOptions } from './notices.js';
import type {
  AdvanceNotice,
  NoticeFinding,
  TransferLine,
  TransferMatch,
  TransferStatus,
} from './transfer.types.js';

const SHIPMENTS = new Set(['SD', 'SF']);

/** One transfer line held by the book, at its place (MBA, effective position) in the world. */
interface Slot {
  readonly mba: string;
  readonly seq: number;
  line: TransferLine;
  shipment: boolean;
  group: Group;
  noticeGroup: NoticeGroup | undefined;
  /** Its pair's match, or its own once asked for (allMatches) while it is alone. */
  match: TransferMatch | undefined;
  /** Its status; with a deadline while it is alone (pending or unmatched). */
  status: TransferStatus | undefined;
  deadline: IsoDate | undefined;
  notice: NoticeFinding | undefined;
  /** SRD_3SIGMA or TRANSFER_UNMATCHED. */
  transferAlarm: DatedAlarm | undefined;
  /** NOTICE_MISSING or NOTICE_LATE. */
  noticeAlarm: DatedAlarm | undefined;
}

interface Group {
  readonly key: string;
  readonly shipments: Slot[];
  readonly receipts: Slot[];
}

interface NoticeGroup {
  readonly key: string;
  readonly slots: Set<Slot>;
}

/**
 * Shipper–receiver matching and notice checks kept between evaluations (engine issue). Lines
 * match only within one match key (batch, element, shipper and receiver state, notice), and the
 * notice rule looks only at the flows of one direction between two states; so a new or corrected
 * line re-matches its key and re-checks its flow, not the world. A new date re-judges the grace
 * period of the lone lines only. The result is the same as matchTransfers and checkNotices over
 * every line, in the same order (shipments by MBA code and effective position, then the lone
 * receipts; see allMatches).
 */
export interface TransferBook {
  readonly opts: MatchOptions & { readonly notices?: NoticeOptions };
  readonly slots: Map<string, Slot>;
  readonly byMba: Map<string, Slot[]>;
  readonly groups: Map<string, Group>;
  readonly noticeGroups: Map<string, NoticeGroup>;
  readonly dirty: Set<Group>;
  readonly dirtyNotices: Set<NoticeGroup>;
  readonly lone: Set<Slot>;
  /** End of the grace period per transfer date. */
  readonly deadlines: Map<IsoDate, IsoDate>;
  notices: readonly AdvanceNotice[];
  asOf: IsoDate | undefined;
  /** MBAs whose SRD entries or alarms changed since the last settle. */
  readonly changed: Set<string>;
  readonly exportCodes: ReadonlySet<string>;
  readonly importCodes: ReadonlySet<string>;
}

export function createTransferBook(
  opts: Omit<MatchOptions, 'asOf'> & { readonly notices?: NoticeOptions } = {},
): TransferBook {
  return {
    opts: { ...opts, asOf: '' },
    slots: new Map(),
    byMba: new Map(),
    groups: new Map(),
    noticeGroups: new Map(),
    dirty: new Set(),
    dirtyNotices: new Set(),
    lone: new Set(),
    deadlines: new Map(),
    notices: [],
    asOf: undefined,
    changed: new Set(),
    exportCodes: new Set(opts.notices?.exportCodes ?? ['SF']),
    importCodes: new Set(opts.notices?.importCodes ?? ['RF']),
  };
}

function before(a: Slot, b: Slot): boolean {
  return a.mba < b.mba || (a.mba === b.mba && a.seq < b.seq);
}

function insertOrdered(list: Slot[], slot: Slot): void {
  let at = list.length;
  while (at > 0 && before(slot, list[at - 1]!)) at--;
  list.splice(at, 0, slot);
}

function removeFrom(list: Slot[], slot: Slot): void {
  const at = list.indexOf(slot);
  if (at >= 0) list.splice(at, 1);
}

function noticeKeyOf(book: TransferBook, line: TransferLine): string | undefined {
  const direction = book.exportCodes.has(line.code)
    ? 'EXPORT'
    : book.importCodes.has(line.code)
      ? 'IMPORT'
      : undefined;
  return direction === undefined
    ? undefined
    : `${direction}\u0001${line.state}\u0001${line.counterpart.state}`;
}

function detach(book: TransferBook, slot: Slot): void {
  const g = slot.group;
  removeFrom(slot.shipment ? g.shipments : g.receipts, slot);
  book.dirty.add(g);
  if (slot.noticeGroup !== undefined) {
    slot.noticeGroup.slots.delete(slot);
    book.dirtyNotices.add(slot.noticeGroup);
  }
  book.lone.delete(slot);
}

/**
 * Puts the transfer line at (mba, seq), replacing the one there; undefined removes it. `seq` is
 * the line's position in the MBA's effective order.
 */
export function putTransferLine(
  book: TransferBook,
  mba: string,
  seq: number,
  line: TransferLine | undefined,
): void {
  const id = `${mba}\u0001${seq}`;
  const old = book.slots.get(id);
  if (old !== undefined) {
    detach(book, old);
    book.changed.add(mba);
    if (line === undefined) {
      book.slots.delete(id);
      const list = book.byMba.get(mba);
      if (list !== undefined) removeFrom(list, old);
      return;
    }
  }
  if (line === undefined) return;
  const shipment = SHIPMENTS.has(line.code);
  const key = matchKeyOf(line, shipment);
  let group = book.groups.get(key);
  if (group === undefined) {
    group = { key, shipments: [], receipts: [] };
    book.groups.set(key, group);
  }
  const nk = noticeKeyOf(book, line);
  let noticeGroup: NoticeGroup | undefined;
  if (nk !== undefined) {
    noticeGroup = book.noticeGroups.get(nk);
    if (noticeGroup === undefined) {
      noticeGroup = { key: nk, slots: new Set() };
      book.noticeGroups.set(nk, noticeGroup);
    }
  }
  const slot: Slot = old ?? {
    mba,
    seq,
    line,
    shipment,
    group,
    noticeGroup,
    match: undefined,
    status: undefined,
    deadline: undefined,
    notice: undefined,
    transferAlarm: undefined,
    noticeAlarm: undefined,
  };
  slot.line = line;
  slot.shipment = shipment;
  slot.group = group;
  slot.noticeGroup = noticeGroup;
  slot.match = undefined;
  slot.status = undefined;
  slot.deadline = undefined;
  slot.notice = undefined;
  slot.transferAlarm = undefined;
  slot.noticeAlarm = undefined;
  insertOrdered(shipment ? group.shipments : group.receipts, slot);
  book.dirty.add(group);
  if (noticeGroup !== undefined) {
    noticeGroup.slots.add(slot);
    book.dirtyNotices.add(noticeGroup);
  }
  if (old === undefined) {
    book.slots.set(id, slot);
    let list = book.byMba.get(mba);
    if (list === undefined) {
      list = [];
      book.byMba.set(mba, list);
    }
    insertOrdered(list, slot);
  }
  book.changed.add(mba);
}

/** Removes every line of an MBA (its book was rebuilt). */
export function clearTransferLines(book: TransferBook, mba: string): void {
  const list = book.byMba.get(mba);
  if (list === undefined) return;
  for (const slot of list) {
    detach(book, slot);
    book.slots.delete(`${mba}\u0001${slot.seq}`);
  }
  book.byMba.delete(mba);
  book.changed.add(mba);
}

/** The advance notices on file; every flow is checked again against them. */
export function setTransferNotices(book: TransferBook, notices: readonly AdvanceNotice[]): void {
  book.notices = notices;
  for (const g of book.noticeGroups.values()) book.dirtyNotices.add(g);
}

function deadlineOf(book: TransferBook, date: IsoDate): IsoDate {
  let d = book.deadlines.get(date);
  if (d === undefined) {
    const grace = book.opts.graceDays;
    d = grace === undefined ? icrDeadline(date) : addDays(date, grace);
    book.deadlines.set(date, d);
  }
  return d;
}

/** A line still alone is judged against its grace period (matchTransfers' lone lines). */
function assignLone(book: TransferBook, slot: Slot, asOf: IsoDate): void {
  const deadline = deadlineOf(book, slot.line.date);
  const status: TransferStatus = asOf > deadline ? 'unmatched' : 'pending';
  if (slot.deadline === deadline && slot.status === status) return;
  const had = slot.transferAlarm !== undefined;
  slot.match = undefined;
  slot.status = status;
  slot.deadline = deadline;
  book.lone.add(slot);
  slot.transferAlarm = transferAlarmOf(slot);
  if (had || slot.transferAlarm !== undefined) book.changed.add(slot.mba);
}

/**
 * A lone line judged again on a new date: new alarms only when its status moves. Its match
 * object is made only when asked for, so a date that moves 100 000 lines past their grace
 * period allocates their alarms and nothing else.
 */
function rejudge(book: TransferBook, slot: Slot, asOf: IsoDate): void {
  const deadline = slot.deadline;
  if (deadline === undefined) return;
  const status: TransferStatus = asOf > deadline ? 'unmatched' : 'pending';
  if (status === slot.status) return;
  slot.status = status;
  slot.match = undefined;
  slot.transferAlarm = transferAlarmOf(slot);
  book.changed.add(slot.mba);
}

function matchOf(slot: Slot): TransferMatch | undefined {
  if (slot.match !== undefined || slot.deadline === undefined || slot.status === undefined) return slot.match;
  const { status, deadline } = slot;
  slot.match = slot.shipment
    ? { status, shipment: slot.line, deadline }
    : { status, receipt: slot.line, deadline };
  return slot.match;
}

function sameMatch(a: TransferMatch | undefined, b: TransferMatch): boolean {
  return (
    a !== undefined &&
    a.status === b.status &&
    a.shipment === b.shipment &&
    a.receipt === b.receipt &&
    a.srdMg === b.srdMg &&
    a.fissileSrdMg === b.fissileSrdMg &&
    a.sigmaMg === b.sigmaMg
  );
}

function transferAlarmOf(slot: Slot): DatedAlarm | undefined {
  const l = slot.line;
  const status = slot.status;
  if (status !== 'discrepant' && status !== 'unmatched') return undefined;
  return {
    date: l.date,
    code: status === 'discrepant' ? 'SRD_3SIGMA' : 'TRANSFER_UNMATCHED',
    element: l.element,
    ref: l.id,
  };
}

/** A line in a pair (matched or discrepant). */
function assignPair(book: TransferBook, slot: Slot, pair: TransferMatch): void {
  if (slot.deadline === undefined && sameMatch(slot.match, pair)) return;
  const had = slot.transferAlarm !== undefined;
  slot.match = pair;
  slot.status = pair.status;
  slot.deadline = undefined;
  book.lone.delete(slot);
  slot.transferAlarm = transferAlarmOf(slot);
  if (had || slot.transferAlarm !== undefined) book.changed.add(slot.mba);
}

/** The same greedy pairing as matchTransfers, within one key. */
function settleGroup(book: TransferBook, g: Group, asOf: IsoDate): void {
  const factor = book.opts.sigmaFactor ?? 3;
  const ships = g.shipments;
  const partner = new Int32Array(ships.length).fill(-1);
  const lone: Slot[] = [];
  for (let j = 0; j < g.receipts.length; j++) {
    const r = g.receipts[j]!;
    let best = -1;
    let bestScore = 0;
    for (let i = 0; i < ships.length; i++) {
      if (partner[i] !== -1) continue;
      const score = compatible(ships[i]!.line, r.line);
      if (score > bestScore) {
        best = i;
        bestScore = score;
        if (score === 2) break;
      }
    }
    if (best >= 0) partner[best] = j;
    else lone.push(r);
  }
  for (let i = 0; i < ships.length; i++) {
    const s = ships[i]!;
    const j = partner[i]!;
    if (j < 0) {
      assignLone(book, s, asOf);
      continue;
    }
    const r = g.receipts[j]!;
    const pair = pairOf(s.line, r.line, factor);
    assignPair(book, s, pair);
    assignPair(book, r, pair);
  }
  for (const r of lone) assignLone(book, r, asOf);
  if (ships.length === 0 && g.receipts.length === 0) book.groups.delete(g.key);
}

function settleNotices(book: TransferBook, g: NoticeGroup): void {
  const slots = [...g.slots];
  const byId = new Map<string, NoticeFinding>();
  for (const f of checkNotices(
    slots.map((s) => s.line),
    book.notices,
    book.opts.notices,
  )) {
    byId.set(f.transfer.id, f);
  }
  for (const slot of slots) {
    const f = byId.get(slot.line.id);
    const was = slot.notice;
    if (
      was?.code === f?.code &&
      was?.reason === f?.reason &&
      was?.ekg === f?.ekg &&
      was?.notice === f?.notice
    ) {
      continue;
    }
    slot.notice = f;
    const l = slot.line;
    slot.noticeAlarm =
      f === undefined ? undefined : { date: l.date, code: f.code, element: l.element, ref: l.id };
    book.changed.add(slot.mba);
  }
  if (g.slots.size === 0) book.noticeGroups.delete(g.key);
}

/**
 * Brings matches and notice findings up to date as of `asOf` and returns the MBAs whose SRD
 * entries or transfer alarms changed since the previous call.
 */
export function settleTransfers(book: TransferBook, asOf: IsoDate): Set<string> {
  for (const g of book.dirty) settleGroup(book, g, asOf);
  book.dirty.clear();
  if (book.asOf !== undefined && book.asOf !== asOf) {
    for (const slot of book.lone) rejudge(book, slot, asOf);
  }
  book.asOf = asOf;
  for (const g of book.dirtyNotices) settleNotices(book, g);
  book.dirtyNotices.clear();
  const changed = new Set(book.changed);
  book.changed.clear();
  return changed;
}

/** The transfer and notice alarms of one MBA, in effective order of its lines. */
export function transferAlarmsOf(book: TransferBook, mba: string): DatedAlarm[] {
  const out: DatedAlarm[] = [];
  for (const slot of book.byMba.get(mba) ?? []) {
    if (slot.transferAlarm !== undefined) out.push(slot.transferAlarm);
    if (slot.noticeAlarm !== undefined) out.push(slot.noticeAlarm);
  }
  return out;
}

/**
 * Every match in matchTransfers' order for the MBAs given in order: shipments (by MBA, then
 * effective position), then the receipts left alone.
 */
export function allMatches(book: TransferBook, mbas: readonly string[]): TransferMatch[] {
  const out: TransferMatch[] = [];
  for (const mba of mbas) {
    for (const slot of book.byMba.get(mba) ?? []) {
      const m = slot.shipment ? matchOf(slot) : undefined;
      if (m !== undefined) out.push(m);
    }
  }
  for (const mba of mbas) {
    for (const slot of book.byMba.get(mba) ?? []) {
      const m = slot.shipment ? undefined : matchOf(slot);
      if (m !== undefined && m.shipment === undefined) out.push(m);
    }
  }
  return out;
}
