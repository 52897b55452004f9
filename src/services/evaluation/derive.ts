import type Database from 'better-sqlite3';
import {
  addFlowSums,
  bookedFromAnchor,
  DEFAULT_CODE_SIGNS,
  emptyFlowSums,
  inventorySums,
  isDeletion,
  KmpDayCounts,
  lineSums,
  nextAnchor,
  periodOf,
  type ReceiptAnchor,
  type SourcedIcrLine,
} from '../../domain/accounting/index.js';
import type { IcrLine, Report } from '../../domain/reports/index.js';
import { TRANSFER_CODES, type TransferLine, transferLineOf } from '../../domain/transfers/index.js';
import {
  type CellRecord,
  insertInventories,
  insertVersion,
  type MbaFacts,
  readCells,
  readDayCellsUpTo,
  readEntry,
  readIcrLine,
  readMbaFacts,
  readOriginOf,
  readPits,
  writeCell,
  writeEntry,
} from '../../store/accounting.repo.js';
import { Pacer, sortInSlices } from '../../store/bulk.js';
import type { DbOrTx } from '../../store/db.js';
import { bumpMarks } from '../../store/eval-marks.repo.js';
import { applyKmpDayDeltas } from '../../store/kmp-days.repo.js';
import { applyTransferChanges, rebuildMbaState, type TransferChange } from './derive-transfers.js';
import { recheckFlows, recheckNotice } from './notice-flows.js';

/**
 * Keeps the derived evaluation state (docs/decisions/0010) in step with the reports, inside the
 * transaction that stores each one: inventory sums for an INITIAL or PIL (whose PIT folds the
 * day cells before it into its period), cell sums, revisions and transfer lines for an ICR, the
 * notice findings of the lines that name a notice, for a notice (decision 0091). Report transactions are
 * serialised by the log sequence row they all update (services/records.ts), so these
 * read-modify-writes never interleave.
 */
export async function deriveReport(
  q: DbOrTx,
  report: Report,
  /** On SQLite, the connection the transaction runs on: bulk statements are prepared on it. */
  sqlite?: Database.Database,
): Promise<void> {
  switch (report.type) {
    case 'INITIAL':
    case 'PIL':
      await deriveInventory(q, sqlite, report.mba, report.pit, report.lines);
      // Its cells and inventories changed (decision 0108); other MBAs' marks are bumped by the
      // writers of their transfer rows and counts (store/eval-marks.repo.ts).
      return bumpMarks(q, [report.mba], sqlite);
    case 'ICR': {
      const [facts] = await readMbaFacts(q, [report.mba]);
      if (facts === undefined) return;
      await deriveIcr(q, sqlite, facts, report.reportNumber, report.lines, await readPits(q, report.mba));
      return bumpMarks(q, [report.mba], sqlite);
    }
    case 'EXPORT_NOTICE':
    case 'IMPORT_NOTICE': {
      const [facts] = await readMbaFacts(q, [report.mba]);
      if (facts !== undefined) await recheckNotice(q, sqlite, facts.state, report.notice.reference);
      return;
    }
    default:
      return;
  }
}

/** The bucket of a line's date: the period it falls in, its day after the last PIT, or before the first. */
export function bucketOf(pits: readonly string[], date: string): string {
  if (pits.length === 0 || date > pits[pits.length - 1]!) return `d${date}`;
  if (date <= pits[0]!) return 'b';
  return `p${pits[periodOf(pits, date) + 1]}`;
}

async function deriveInventory(
  q: DbOrTx,
  sqlite: Database.Database | undefined,
  mba: string,
  pit: string,
  lines: Parameters<typeof inventorySums>[0]['lines'],
): Promise<void> {
  await insertInventories(q, mba, inventorySums({ date: pit, lines }));
  const pits = await readPits(q, mba);
  const earlier = [...pits];
  earlier.splice(earlier.indexOf(pit), 1);
  if (earlier.some((p) => p >= pit)) {
    // A PIT not after every earlier one (validation refuses it; an import might not): the
    // periods move, so the MBA is summed again from its reports.
    await rebuildMbaState(q, sqlite, mba);
    return;
  }
  // Lines dated after the previous PIT up to this one now form its period (or, for the first
  // PIT, lie before every period): their day cells fold into one.
  const target = earlier.length === 0 ? 'b' : `p${pit}`;
  const days = await readDayCellsUpTo(q, mba, pit);
  const merged = new Map<string, CellRecord>();
  for (const c of days) {
    const key = `${c.element}\u0001${c.code}\u0001${c.kmp}`;
    let m = merged.get(key);
    if (m === undefined) {
      m = { bucket: target, element: c.element, code: c.code, kmp: c.kmp, ...emptyFlowSums() };
      merged.set(key, m);
    }
    addFlowSums(m, c);
    await writeCell(q, mba, { ...c, n: 0 }, true, sqlite);
  }
  const existing = new Map(
    (await readCells(q, mba, [target], sqlite)).map((c) => [`${c.element}\u0001${c.code}\u0001${c.kmp}`, c]),
  );
  for (const [key, m] of merged) {
    const old = existing.get(key);
    if (old !== undefined) addFlowSums(m, old);
    await writeCell(q, mba, m, old !== undefined, sqlite);
  }
}

interface EntryState {
  readonly origin: { report: number; line: number };
  /** The last version applied (a deletion leaves nothing in force). */
  readonly last: SourcedIcrLine;
  readonly anchor: ReceiptAnchor;
  /** Whether eval_entries has its row. */
  readonly stored: boolean;
}

async function loadEntry(
  q: DbOrTx,
  mba: string,
  origin: { report: number; line: number },
): Promise<EntryState | undefined> {
  const row = await readEntry(q, mba, origin);
  if (row === undefined) {
    const line = await readIcrLine(q, mba, origin.report, origin.line);
    return line === undefined ? undefined : { origin, last: line, anchor: undefined, stored: false };
  }
  const last = await readIcrLine(q, mba, row.last_report, row.last_line);
  if (last === undefined) return undefined;
  let anchor: ReceiptAnchor;
  if (row.anchor_deleted === 1) anchor = 'deleted';
  else if (row.anchor_report !== null && row.anchor_line !== null)
    anchor = await readIcrLine(q, mba, row.anchor_report, row.anchor_line);
  return { origin, last, anchor, stored: true };
}

/**
 * The cell sums, revisions and transfer lines of one ICR: new lines add to their cells; a
 * correction or deletion takes the line it revises out (read by key) and puts the new version in.
 * Reports of an MBA come in report-number order (validation), so each applies after every line
 * it can revise, as computeEffectiveLines would apply it.
 */
export async function deriveIcr(
  q: DbOrTx,
  sqlite: Database.Database | undefined,
  facts: MbaFacts,
  reportNumber: number,
  lines: readonly IcrLine[],
  pits: readonly string[],
): Promise<void> {
  const mba = facts.code;
  const signs = DEFAULT_CODE_SIGNS;
  const deltas = new Map<string, CellRecord>();
  // What gate monitoring reads: the lines in force per KMP, day and code (migration 0042).
  const kmpDays = new KmpDayCounts();
  const add = (line: SourcedIcrLine, booked: SourcedIcrLine | undefined, sign: 1 | -1): void => {
    kmpDays.add(line, sign);
    const bucket = bucketOf(pits, line.date);
    const key = `${bucket}\u0001${line.element}\u0001${line.code}\u0001${line.kmp}`;
    let d = deltas.get(key);
    if (d === undefined) {
      d = { bucket, element: line.element, code: line.code, kmp: line.kmp, ...emptyFlowSums() };
      deltas.set(key, d);
    }
    addFlowSums(d, lineSums(line, booked), sign);
  };
  const entries = new Map<string, EntryState>();
  const transfers: TransferChange[] = [];
  const fresh: IcrLine[] = [];
  const addNew = newLineAdder(pits, deltas);
  // A 900 000-line ICR is summed here inside its storing transaction: give the event loop a turn
  // every few milliseconds (issue 15 item 9, decision 0035), the sort included.
  const pacer = new Pacer();
  const sorted = await sortInSlices([...lines], (a, b) => a.line - b.line, pacer);
  for (let i = 0; i < sorted.length; i++) {
    const l = sorted[i] as IcrLine;
    if ((i & 255) === 255 && pacer.due()) await pacer.pause();
    const target = l.corrects ?? l.deletes;
    if (target === undefined) {
      // A new line (nearly every line): its sums and, if it is a transfer line, its row.
      addNew(l);
      kmpDays.add(l);
      if (l.counterpart !== undefined && TRANSFER_CODES.has(l.code)) fresh.push(l);
      continue;
    }
    const line: SourcedIcrLine = { ...l, reportNumber };
    // A correction revises an earlier report's line (validation); anything else is an orphan,
    // which computeEffectiveLines ignores too.
    if (target.line === undefined || target.reportNumber >= reportNumber) continue;
    const origin = (await readOriginOf(q, mba, target.reportNumber, target.line)) ?? {
      report: target.reportNumber,
      line: target.line,
    };
    const okey = `${origin.report}:${origin.line}`;
    const prev = entries.get(okey) ?? (await loadEntry(q, mba, origin));
    if (prev === undefined) continue;
    let before: TransferLine | undefined;
    if (!isDeletion(prev.last)) {
      const booked = bookedFromAnchor(prev.last, prev.anchor, signs);
      add(prev.last, booked, -1);
      before = transferLineOf(facts, prev.last, booked);
    }
    const anchor = nextAnchor(prev.last, prev.anchor);
    let t: TransferLine | undefined;
    if (!isDeletion(line)) {
      const booked = bookedFromAnchor(line, anchor, signs);
      add(line, booked, 1);
      t = transferLineOf(facts, line, booked);
    }
    entries.set(okey, { origin, last: line, anchor, stored: prev.stored });
    await insertVersion(q, mba, { report: reportNumber, line: l.line }, origin);
    transfers.push({ origin, line: t, revised: true, before });
  }
  // Before the revisions are written: a revised row is read with the line it had in force.
  const flows = await applyTransferChanges(q, sqlite, facts, reportNumber, fresh, transfers);
  for (const e of entries.values()) {
    await writeEntry(
      q,
      {
        mba,
        origin_report: e.origin.report,
        origin_line: e.origin.line,
        last_report: e.last.reportNumber,
        last_line: e.last.line,
        anchor_report: typeof e.anchor === 'object' ? e.anchor.reportNumber : null,
        anchor_line: typeof e.anchor === 'object' ? e.anchor.line : null,
        anchor_deleted: e.anchor === 'deleted' ? 1 : 0,
      },
      e.stored,
    );
  }
  await applyCellDeltas(q, sqlite, mba, deltas);
  await applyKmpDayDeltas(q, mba, kmpDays.values(), sqlite);
  await recheckFlows(q, sqlite, flows);
}

/**
 * lineSums of a new line (no booked version) added to its cell, without the intermediate
 * objects: an ICR of 100 000 lines goes through here line by line.
 */
function newLineAdder(pits: readonly string[], deltas: Map<string, CellRecord>) {
  const buckets = new Map<string, string>();
  return (l: IcrLine): void => {
    let bucket = buckets.get(l.date);
    if (bucket === undefined) {
      bucket = bucketOf(pits, l.date);
      buckets.set(l.date, bucket);
    }
    const key = `${bucket}\u0001${l.element}\u0001${l.code}\u0001${l.kmp}`;
    let d = deltas.get(key);
    if (d === undefined) {
      d = { bucket, element: l.element, code: l.code, kmp: l.kmp, ...emptyFlowSums() };
      deltas.set(key, d);
    }
    const w = l.weightMg;
    const f = l.fissileMg ?? 0;
    const big = BigInt(w);
    d.n += 1;
    d.w += w;
    d.f += f;
    d.sw += w;
    d.sq += big * big;
    d.abs += Math.abs(w) + Math.abs(f);
    if (l.isotope === 'J') d.isoJ += 1;
  };
}

async function applyCellDeltas(
  q: DbOrTx,
  sqlite: Database.Database | undefined,
  mba: string,
  deltas: ReadonlyMap<string, CellRecord>,
): Promise<void> {
  const buckets = [...new Set([...deltas.values()].map((d) => d.bucket))];
  const existing = new Map<string, CellRecord>();
  for (let i = 0; i < buckets.length; i += 500) {
    for (const c of await readCells(q, mba, buckets.slice(i, i + 500), sqlite)) {
      existing.set(`${c.bucket}\u0001${c.element}\u0001${c.code}\u0001${c.kmp}`, c);
    }
  }
  for (const [key, d] of deltas) {
    const old = existing.get(key);
    if (old === undefined && d.n === 0) continue;
    const next: CellRecord = { ...d };
    if (old !== undefined) addFlowSums(next, old);
    await writeCell(q, mba, next, old !== undefined, sqlite);
  }
}
