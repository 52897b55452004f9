import type Database from 'better-sqlite3';
import { inventorySums } from '../../domain/accounting/index.js';
import type { IcrLine } from '../../domain/reports/index.js';
import {
  isNoticeFlow,
  matchHash,
  matchHashOf,
  SHIPMENT_CODES,
  type TransferLine,
  transferFlowOf,
  transferLineAt,
} from '../../domain/transfers/index.js';
import {
  clearAccounting,
  insertInventories,
  type MbaFacts,
  readAccountingReports,
  readMbaFacts,
  readOriginOf,
  readPits,
  readReportLines,
} from '../../store/accounting.repo.js';
import { Pacer, sortInSlices, sortNumbersInSlices } from '../../store/bulk.js';
import type { DbOrTx } from '../../store/db.js';
import { bumpMarks } from '../../store/eval-marks.repo.js';
import {
  applyNoticeLineChanges,
  clearNoticeLinesOfMba,
  type NoticeLine,
} from '../../store/notice-lines.repo.js';
import { toIcrLine, toInventoryLine } from '../../store/reports.repo.js';
import { applyCountDeltas, COUNT_KIND } from '../../store/transfer-counts.repo.js';
import {
  clearCountsOfMba,
  deleteRows,
  insertRows,
  insertRowsOf,
  readRowsByKeys,
  STATUS,
  type TransferRow,
  updateRows,
} from '../../store/transfers.repo.js';
import { deriveIcr } from './derive.js';
import { FlowChanges, recheckFlows } from './notice-flows.js';
import { CountDeltas, countsOf, factsReader, matchGroup, type Rec, recsOf } from './transfer-lines.js';

/** A transfer line of an MBA entry that an ICR created, revised (undefined: no longer a transfer line) or deleted. */
export interface TransferChange {
  readonly origin: { report: number; line: number };
  readonly line: TransferLine | undefined;
  /** The entry existed before this report: the transfer line it had in force (if any). */
  readonly revised?: boolean;
  readonly before?: TransferLine | undefined;
}

const pkOf = (r: Pick<TransferRow, 'mkey' | 'mba' | 'report' | 'line'>) =>
  `${r.mkey}\u0001${r.mba}\u0001${r.report}\u0001${r.line}`;

/** A new line in force as a row to be matched. */
function recOf(
  mba: string,
  origin: { report: number; line: number },
  t: TransferLine,
  notice: number | null,
): Rec {
  const ship = SHIPMENT_CODES.has(t.code);
  return {
    mkey: matchHashOf(t, ship),
    mba,
    report: origin.report,
    line: origin.line,
    ship,
    flow: transferFlowOf(t, ship) ?? null,
    t,
    status: STATUS.lone,
    notice,
  };
}

/** New transfer lines of one ICR, not yet turned into TransferLines: most of them never need to be. */
interface FreshLines {
  readonly facts: MbaFacts;
  readonly reportNumber: number;
  readonly lines: readonly IcrLine[];
  readonly mkeys: Float64Array;
}

/** The match-key hashes of new lines, computed from their fields (no objects), paced. */
async function freshKeys(facts: MbaFacts, lines: readonly IcrLine[]): Promise<Float64Array> {
  const out = new Float64Array(lines.length);
  const pacer = new Pacer();
  for (let i = 0; i < lines.length; i++) {
    if ((i & 255) === 255 && pacer.due()) await pacer.pause();
    const l = lines[i]!;
    const other = l.counterpart!.state;
    out[i] = SHIPMENT_CODES.has(l.code)
      ? matchHash(l.batch, l.element, facts.state, other, l.notice ?? '')
      : matchHash(l.batch, l.element, other, facts.state, l.notice ?? '');
  }
  return out;
}

/**
 * The distinct keys, in ascending order (the order readRowsByKeys looks them up in, so it does not
 * sort them again), as one array of numbers sorted in slices: a 900 000-line ICR brings 900 000
 * keys, nearly all of them once (issue 15 item 9, decisions 0051 and 0067). And the keys that
 * occur more than once, found in the same sorted copy (decision 0076: one sort, not two).
 */
async function distinctKeys(keys: Iterable<number>): Promise<{ distinct: Float64Array; twice: Set<number> }> {
  const pacer = new Pacer();
  const all = await sortNumbersInSlices(
    keys instanceof Float64Array ? keys.slice() : Float64Array.from(keys),
    pacer,
  );
  const twice = new Set<number>();
  let n = 0;
  for (let i = 0; i < all.length; i++) {
    if (n === 0 || all[i] !== all[n - 1]) all[n++] = all[i]!;
    else twice.add(all[i]!);
    if ((i & 4095) === 4095 && pacer.due()) await pacer.pause();
  }
  return { distinct: all.subarray(0, n), twice };
}

/**
 * Stores the fresh lines alone in their key (`at`: their indices), lone, in key order. Their rows
 * are made as they are written, not held: nearly every line of a 900 000-line ICR is one.
 */
async function insertFreshLone(
  q: DbOrTx,
  sqlite: Database.Database | undefined,
  fresh: FreshLines,
  at: number[],
): Promise<void> {
  const { facts, reportNumber, lines, mkeys } = fresh;
  await sortInSlices(at, (a, b) => (mkeys[a] as number) - (mkeys[b] as number));
  await insertRowsOf(q, sqlite, at.length, (j) => {
    const l = lines[at[j] as number] as IcrLine;
    return {
      mkey: mkeys[at[j] as number] as number,
      mba: facts.code,
      report: reportNumber,
      line: l.line,
      ship: SHIPMENT_CODES.has(l.code),
      status: STATUS.lone,
      notice: null,
      flow: freshFlow(facts, l),
    };
  });
  // Their entries by date, for those in a notice flow (exports and imports), a slice at a time.
  let entries: NoticeLine[] = [];
  const pacer = new Pacer();
  for (let j = 0; j < at.length; j++) {
    const l = lines[at[j] as number] as IcrLine;
    const flow = freshFlow(facts, l);
    if (flow !== null && isNoticeFlow(flow))
      entries.push({
        flow,
        day: l.date,
        mba: facts.code,
        report: reportNumber,
        line: l.line,
        notice: l.notice,
      });
    if (entries.length === 500 || j === at.length - 1) {
      await applyNoticeLineChanges(q, sqlite, [], entries);
      entries = [];
      if (pacer.due()) await pacer.pause();
    }
  }
}

/** The flow of a new transfer line of the MBA (transferFlowOf from its fields). */
function freshFlow(facts: MbaFacts, l: IcrLine): string | null {
  return (
    transferFlowOf(
      { code: l.code, state: facts.state, counterpart: l.counterpart! },
      SHIPMENT_CODES.has(l.code),
    ) ?? null
  );
}

/** Row values of inserts, sorted by key: a B-tree filled in key order touches each page once. */
function byKey(rows: TransferRow[]): Promise<TransferRow[]> {
  // In slices: 900 000 rows sorted in one call hold the loop for a second (issue 15 item 9).
  return sortInSlices(rows, (a, b) => a.mkey - b.mkey);
}

/** A row's entry in eval_notice_lines, if it is in a notice flow, put in `out`. */
function noticeLineOf(x: Rec, out: NoticeLine[]): void {
  if (x.flow !== null && isNoticeFlow(x.flow))
    out.push({ flow: x.flow, day: x.t.date, mba: x.mba, report: x.report, line: x.line, notice: x.t.notice });
}

/**
 * Re-matches the lines of the match keys given, with `incoming` lines put in and the rows
 * `replaced` taken out (their rows as stored, by primary key), and writes what changed: rows,
 * statuses and counts. `fresh` lines whose key has no other line are stored lone without being
 * turned into objects. Keeps the rows' entries in eval_notice_lines (by flow and date) with them,
 * and answers the notice flows to check again with the dates their lines changed on. Set-based:
 * one read of the keys' rows with their lines, then prepared bulk writes (SQLite) or multi-row
 * statements.
 */
// long: one pass of read, pair, diff and write, kept together so the diff sees every row once
async function settle(
  q: DbOrTx,
  sqlite: Database.Database | undefined,
  keys: Iterable<number>,
  incoming: readonly Rec[],
  replaced: ReadonlySet<string>,
  fresh?: FreshLines,
): Promise<FlowChanges> {
  const flows = new FlowChanges();
  /** eval_notice_lines entries of rows removed, moved or added (fresh lone lines: insertFreshLone). */
  const noticeLines = { removed: [] as NoticeLine[], added: [] as NoticeLine[] };
  const fx = factsReader(q);
  const { distinct, twice } = await distinctKeys(keys);
  const existing = await recsOf(q, await readRowsByKeys(q, sqlite, distinct), fx);
  const groups = new Map<number, Rec[]>();
  const put = (x: Rec): void => {
    const g = groups.get(x.mkey);
    if (g === undefined) groups.set(x.mkey, [x]);
    else g.push(x);
  };
  /** Stored rows taken out, by primary key, with their status and notice as stored. */
  const gone = new Map<string, Rec>();
  const stored = new Map<Rec, { status: number; notice: number | null }>();
  for (const x of existing) {
    if (replaced.size > 0 && replaced.has(`${x.mba}\u0001${x.report}\u0001${x.line}`)) {
      gone.set(pkOf(x), x);
      flows.add(x.flow, x.t.date);
      continue;
    }
    stored.set(x, { status: x.status, notice: x.notice });
    put(x);
  }
  for (const x of incoming) {
    put(x);
    flows.add(x.flow, x.t.date);
  }
  const deltas = new CountDeltas();
  const inserts: TransferRow[] = [];
  /** Indices of the fresh lines alone in their key: stored lone (insertFreshLone). */
  const loneAt: number[] = [];
  if (fresh !== undefined) {
    const { facts, reportNumber, lines, mkeys } = fresh;
    const pacer = new Pacer();
    for (let i = 0; i < lines.length; i++) {
      if ((i & 255) === 255 && pacer.due()) await pacer.pause();
      const l = lines[i]!;
      const mkey = mkeys[i]!;
      const flow = freshFlow(facts, l);
      flows.add(flow, l.date);
      // `twice` counts the revised entries' keys too: a fresh line sharing one goes through its
      // group, which answers what the lone path would for a line alone (lone, counted once).
      if (groups.has(mkey) || twice.has(mkey)) {
        const t = transferLineAt(facts, l, reportNumber, undefined)!;
        put({
          mkey,
          mba: facts.code,
          report: reportNumber,
          line: l.line,
          ship: SHIPMENT_CODES.has(l.code),
          flow,
          t,
          status: STATUS.lone,
          notice: null,
        });
        continue;
      }
      // Alone in its key: lone, and counted as such, straight from the line's fields.
      loneAt.push(i);
      deltas.add(facts.code, COUNT_KIND.lone, l.date, l.element, 1);
      if (SHIPMENT_CODES.has(l.code)) deltas.add(facts.code, COUNT_KIND.loneShip, l.date, '', 1);
    }
  }
  for (const g of groups.values()) matchGroup(g);
  const updates: Rec[] = [];
  for (const g of groups.values()) {
    for (const x of g) {
      const was = stored.get(x);
      if (was !== undefined) {
        if (was.status === x.status && was.notice === x.notice) continue;
        countsOf(x, -1, deltas, was);
        countsOf(x, 1, deltas);
        updates.push(x);
        continue;
      }
      const pk = gone.size === 0 ? '' : pkOf(x);
      const old = gone.get(pk);
      if (old !== undefined && old.ship === x.ship && old.flow === x.flow) {
        // The same row with a revised line: updated in place (its entry by date moves with it).
        gone.delete(pk);
        if (old.t.date !== x.t.date || old.t.notice !== x.t.notice) {
          noticeLineOf(old, noticeLines.removed);
          noticeLineOf(x, noticeLines.added);
        }
        countsOf(old, -1, deltas);
        countsOf(x, 1, deltas);
        if (old.status !== x.status || old.notice !== x.notice) updates.push(x);
        continue;
      }
      countsOf(x, 1, deltas);
      inserts.push(x);
      noticeLineOf(x, noticeLines.added);
    }
  }
  for (const old of gone.values()) {
    countsOf(old, -1, deltas);
    noticeLineOf(old, noticeLines.removed);
  }
  await deleteRows(q, sqlite, [...gone.values()]);
  await insertRows(q, sqlite, await byKey(inserts));
  await applyNoticeLineChanges(q, sqlite, noticeLines.removed, noticeLines.added);
  if (fresh !== undefined) await insertFreshLone(q, sqlite, fresh, loneAt);
  await updateRows(q, sqlite, updates);
  await applyCountDeltas(q, deltas.values(), sqlite);
  return flows;
}

/**
 * Puts an ICR's transfer lines in — `fresh`, its new lines with a transfer code and a
 * counterpart, and `changes`, the entries its corrections and deletions revised — and re-matches
 * only the match keys they left or joined. Called before the report's revisions are written to
 * eval_entries, so a revised row is still read with the line it had; answers the notice flows to
 * check once they are (recheckFlows).
 */
export async function applyTransferChanges(
  q: DbOrTx,
  sqlite: Database.Database | undefined,
  facts: MbaFacts,
  reportNumber: number,
  fresh: readonly IcrLine[],
  changes: readonly TransferChange[],
): Promise<FlowChanges> {
  if (changes.length === 0 && fresh.length === 0) return new FlowChanges();
  const mba = facts.code;
  const mkeys = await freshKeys(facts, fresh);
  // The fresh lines' keys as they are, the few of revised entries beside them (no array of
  // 900 000 boxed numbers for a big ICR).
  const keys: number[] = [];
  const replaced = new Set<string>();
  /** The line in force of each revised entry after this report (the last change wins). */
  const final = new Map<string, TransferChange>();
  for (const c of changes) {
    const k = `${mba}\u0001${c.origin.report}\u0001${c.origin.line}`;
    if (c.revised === true && !final.has(k)) {
      replaced.add(k);
      if (c.before !== undefined) keys.push(matchHashOf(c.before, SHIPMENT_CODES.has(c.before.code)));
    }
    final.set(k, c);
  }
  const incoming: Rec[] = [];
  for (const c of final.values()) {
    if (c.line === undefined) continue;
    const x = recOf(mba, c.origin, c.line, null);
    keys.push(x.mkey);
    incoming.push(x);
  }
  const all = new Float64Array(mkeys.length + keys.length);
  all.set(mkeys);
  all.set(keys, mkeys.length);
  return settle(q, sqlite, all, incoming, replaced, { facts, reportNumber, lines: fresh, mkeys });
}

/**
 * Removes an MBA's transfer rows and counts. The rows are found from its stored lines: a row's
 * key is the hash of the match key of its line in force, which is one of the versions of its
 * entry, so every version's key is tried (no index by MBA is kept for this rare operation).
 * Answers the match keys and flows the removed rows were in.
 */
async function clearTransfersOfMba(
  q: DbOrTx,
  sqlite: Database.Database | undefined,
  facts: MbaFacts,
): Promise<{ keys: Set<number>; flows: FlowChanges }> {
  const keys = new Set<number>();
  const flows = new FlowChanges();
  for (const r of await readAccountingReports(q, facts.code)) {
    if (r.type !== 'ICR') continue;
    const probes: { mkey: number; mba: string; report: number; line: number }[] = [];
    for (const l of await readReportLines(q, r.id)) {
      if (l.code === null || l.batch === null || l.counterpart_state === null) continue;
      const ship = SHIPMENT_CODES.has(l.code);
      if (!ship && l.code !== 'RD' && l.code !== 'RF') continue;
      const origin =
        l.corrects_report === null && l.deletes_report === null
          ? { report: r.reportNumber, line: l.line }
          : await readOriginOf(q, facts.code, r.reportNumber, l.line);
      if (origin === undefined) continue;
      const [shipper, receiver] = ship
        ? [facts.state, l.counterpart_state]
        : [l.counterpart_state, facts.state];
      const mkey = matchHash(l.batch, l.element, shipper, receiver, l.notice ?? '');
      probes.push({ mkey, mba: facts.code, report: origin.report, line: origin.line });
    }
    for (const g of await deleteRows(q, sqlite, probes)) {
      keys.add(g.mkey);
      flows.whole(g.flow);
    }
  }
  await clearNoticeLinesOfMba(q, facts.code);
  await clearCountsOfMba(q, facts.code);
  return { keys, flows };
}

/**
 * Builds an MBA's derived state again from its stored reports, one report at a time (an
 * upgrade, or periods that moved): what it held is removed, its former match keys and flows are
 * settled again without it, then its reports are applied in log order with the final PITs.
 */
export async function rebuildMbaState(
  q: DbOrTx,
  sqlite: Database.Database | undefined,
  mba: string,
): Promise<void> {
  const [facts] = await readMbaFacts(q, [mba]);
  if (facts !== undefined) {
    const former = await clearTransfersOfMba(q, sqlite, facts);
    const flows = await settle(q, sqlite, former.keys, [], new Set());
    for (const flow of flows.spans.keys()) former.flows.whole(flow);
    await recheckFlows(q, sqlite, former.flows);
  }
  await clearAccounting(q, mba);
  if (facts === undefined) return;
  const pits = await readPits(q, mba);
  for (const r of await readAccountingReports(q, mba)) {
    const rows = await readReportLines(q, r.id);
    if (r.type === 'ICR') {
      await deriveIcr(q, sqlite, facts, r.reportNumber, rows.map(toIcrLine), pits);
    } else if (r.pit !== null) {
      await insertInventories(q, mba, inventorySums({ date: r.pit, lines: rows.map(toInventoryLine) }));
    }
  }
  await bumpMarks(q, [mba], sqlite);
}
