import {
  BatchSet,
  batchKey,
  DEFAULT_IC_CODES,
  type ElementCode,
  type IcrLine,
  type LineRef,
  type Milligrams,
  type Report,
} from '../../domain/reports/index.js';
import { Pacer, sortInSlices } from '../../store/bulk.js';
import { comparePositions, type ReportAccountRepo } from '../../store/report-account.repo.js';

/**
 * What the validator needs of an MBA's account (declarations issue: CORRECTION_TARGET_UNKNOWN,
 * BATCH_REUSED, NOTICE_UNKNOWN, ICR_MISMATCH), asked of the store for exactly the keys the
 * submitted report names (docs/decisions/0011; it replaced a per-process copy of every line).
 * The validator only ever asks these lookups about those keys, so the answers are the same as
 * the whole account's.
 */

/** The lines' correction and deletion targets that are accepted ICR lines of the MBA (lineRefKey). */
export async function correctionTargets(repo: ReportAccountRepo, report: Report): Promise<Set<string>> {
  if (report.type !== 'ICR') return new Set();
  const refs: LineRef[] = [];
  for (const l of report.lines) {
    if (l.corrects !== undefined) refs.push(l.corrects);
    if (l.deletes !== undefined) refs.push(l.deletes);
  }
  return repo.existingIcrLines(report.mba, refs);
}

/** The notice references the report cites or declares that the state already knows. */
export async function knownNotices(
  repo: ReportAccountRepo,
  report: Report,
  state: string,
): Promise<Set<string>> {
  const refs: string[] = [];
  if (report.type === 'ICR') for (const l of report.lines) if (l.notice !== undefined) refs.push(l.notice);
  if (report.type === 'EXPORT_NOTICE' || report.type === 'IMPORT_NOTICE') refs.push(report.notice.reference);
  return refs.length === 0 ? new Set() : repo.knownNotices(state, refs);
}

/**
 * Of the batches the ICR's new lines would create, those on the MBA's book (batchKey): listed in
 * an initial report or created by a line in force, and not since shipped by a later line in force
 * (effective order), as the account's fold did.
 */
export async function bookBatchesAmong(repo: ReportAccountRepo, report: Report): Promise<Set<string>> {
  const on = new Set<string>();
  if (report.type !== 'ICR') return on;
  const lines = report.lines;
  const creates = (l: IcrLine): boolean =>
    l.corrects === undefined &&
    l.deletes === undefined &&
    DEFAULT_IC_CODES.get(l.code)?.createsBatch === true;
  // A 900 000-line ICR names as many batches: a turn of the event loop every few ms (issue 15 item 9).
  const pacer = new Pacer();
  let named = 0;
  for (let i = 0; i < lines.length; i++) {
    if ((i & 255) === 255 && pacer.due()) await pacer.pause();
    if (creates(lines[i] as IcrLine)) named++;
  }
  if (named === 0) return on;
  // The names are read from the lines as the store asks for them, not gathered into a set of
  // 900 000 first (decision 0051); a name given twice is asked twice, which changes no answer.
  const names = {
    size: named,
    *keys(): Generator<string, void, void> {
      for (const l of lines) if (creates(l)) yield l.batch;
    },
  };
  const { initial, inForce } = await repo.batchLines(report.mba, names);
  if (initial.length === 0 && inForce.length === 0) return on;
  // The (batch, element) pairs the new lines create, among the batch names the book knows.
  const known = new Set<string>();
  for (const l of initial) known.add(l.batch);
  for (const l of inForce) known.add(l.batch);
  const wanted = new BatchSet();
  for (let i = 0; i < lines.length; i++) {
    if ((i & 255) === 255 && pacer.due()) await pacer.pause();
    const l = lines[i] as IcrLine;
    if (known.has(l.batch) && creates(l)) wanted.add(l.batch, l.element);
  }
  for (const l of initial) {
    if (wanted.has(l.batch, l.element)) on.add(batchKey(l.batch, l.element));
  }
  await sortInSlices(inForce, (a, b) => comparePositions(a.position, b.position), pacer);
  for (const l of inForce) {
    if (!wanted.has(l.batch, l.element)) continue;
    const key = batchKey(l.batch, l.element);
    const info = DEFAULT_IC_CODES.get(l.code);
    if (info?.createsBatch) on.add(key);
    else if (info && info.sign < 0 && info.transfer) on.delete(key);
  }
  return on;
}

/** Effective ICR line weights dated in (after, through], per element and code, in effective order. */
export async function periodTotals(
  repo: ReportAccountRepo,
  mba: string,
  after: string,
  through: string,
): Promise<Map<ElementCode, Map<string, Milligrams>>> {
  const totals = new Map<ElementCode, Map<string, Milligrams>>();
  for (const t of await repo.icrPeriodTotals(mba, after, through)) {
    const byCode = totals.get(t.element) ?? new Map<string, Milligrams>();
    byCode.set(t.code, t.mg);
    totals.set(t.element, byCode);
  }
  return totals;
}
