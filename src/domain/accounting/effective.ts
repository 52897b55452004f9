import type { IcrLine, LineRef } from '../reports/report.types.js';
import type { CodeSigns } from './constants.js';

/** An ICR line as stored: the line plus the number of its report and the order of acceptance. */
export interface SourcedIcrLine extends IcrLine {
  readonly reportNumber: number;
  /** Position in the acceptance sequence; kept in the history, never used to order. */
  readonly acceptedSeq?: number;
}

/** One original line with everything that later replaced or deleted it. */
export interface EffectiveEntry {
  /** (report number, line) of the original line. */
  readonly origin: LineRef;
  /** The line in force (the last correction), or undefined once deleted. */
  readonly current: SourcedIcrLine | undefined;
  /** The original line followed by every correction and deletion, in effective order. */
  readonly history: readonly SourcedIcrLine[];
}

export interface OrphanCorrection {
  readonly line: SourcedIcrLine;
  readonly reason: 'TARGET_UNKNOWN' | 'DUPLICATE_LINE';
}

export interface EffectiveView {
  /** Lines in force, in (report number, line) order of their origin. */
  readonly lines: readonly SourcedIcrLine[];
  readonly entries: readonly EffectiveEntry[];
  /** Corrections whose target was never seen before them, and repeated (report, line) pairs. */
  readonly orphans: readonly OrphanCorrection[];
}

function keyOf(reportNumber: number, line: number): number {
  // Report and line numbers are small positive integers; one number key keeps the Map fast.
  return reportNumber * 1_048_576 + line;
}

/** Effective order: (report number, line), then acceptance. */
export function compareLines(a: SourcedIcrLine, b: SourcedIcrLine): number {
  return a.reportNumber - b.reportNumber || a.line - b.line || (a.acceptedSeq ?? 0) - (b.acceptedSeq ?? 0);
}

/** @internal One original line and its current version; `index` is its place in effective order. */
export interface MutableEntry {
  readonly index: number;
  origin: LineRef;
  current: SourcedIcrLine | undefined;
  history: SourcedIcrLine[];
}

/**
 * @internal The effective account being built: lines must be applied in effective order
 * (compareLines). computeEffectiveLines applies a sorted batch; the evaluation's MBA book applies
 * each new report's lines after the earlier ones, which gives the same state.
 */
export interface EffectiveState {
  readonly originOf: Map<number, MutableEntry>;
  readonly entries: MutableEntry[];
  readonly orphans: OrphanCorrection[];
}

export function createEffectiveState(): EffectiveState {
  return { originOf: new Map(), entries: [], orphans: [] };
}

/**
 * @internal Applies one line (in effective order). Returns the entry it created or changed with
 * its previous current line, or undefined for an orphan.
 */
export function applyEffectiveLine(
  state: EffectiveState,
  line: SourcedIcrLine,
): { entry: MutableEntry; previous: SourcedIcrLine | undefined } | undefined {
  const key = keyOf(line.reportNumber, line.line);
  if (state.originOf.has(key)) {
    state.orphans.push({ line, reason: 'DUPLICATE_LINE' });
    return undefined;
  }
  const target = line.corrects ?? line.deletes;
  if (target === undefined) {
    const entry: MutableEntry = {
      index: state.entries.length,
      origin: { reportNumber: line.reportNumber, line: line.line },
      current: line,
      history: [line],
    };
    state.entries.push(entry);
    state.originOf.set(key, entry);
    return { entry, previous: undefined };
  }
  const entry = state.originOf.get(keyOf(target.reportNumber, target.line));
  if (entry === undefined) {
    state.orphans.push({ line, reason: 'TARGET_UNKNOWN' });
    return undefined;
  }
  const previous = entry.current;
  entry.current = line.deletes !== undefined && line.corrects === undefined ? undefined : line;
  entry.history.push(line);
  state.originOf.set(key, entry);
  return { entry, previous };
}

/**
 * The effective account of one MBA's ICR lines (domain.md §2 "Nothing is overwritten; the
 * effective account is computed from the history"). A line with `corrects` replaces the line it
 * references, a line with `deletes` removes it; a reference to a correction follows the chain to
 * the original. Lines are applied in (report number, line) order, which report numbering makes
 * the order of writing, so the arrival order of reports cannot change the result. A correction
 * must reference an earlier line; otherwise it is reported as an orphan and ignored.
 */
export function computeEffectiveLines(lines: readonly SourcedIcrLine[]): EffectiveView {
  const sorted = [...lines].sort(compareLines);
  const state = createEffectiveState();
  for (const line of sorted) applyEffectiveLine(state, line);
  return viewOf(state);
}

/** @internal The view of an effective state (the lines in force in effective order). */
export function viewOf(state: EffectiveState): EffectiveView {
  const effective: SourcedIcrLine[] = [];
  for (const entry of state.entries) if (entry.current !== undefined) effective.push(entry.current);
  return { lines: effective, entries: state.entries, orphans: state.orphans };
}

/** Measurement bases meaning "measured or estimated in another MBA": the shipper's value (domain.md §2). */
export const SHIPPER_VALUE_BASES: ReadonlySet<string> = new Set(['N', 'F', 'L', 'H']);
/** Measurement bases meaning "measured or estimated in this MBA" (domain.md §2). */
export const OWN_MEASUREMENT_BASES: ReadonlySet<string> = new Set(['M', 'E', 'T', 'G']);

function sameTransfer(a: SourcedIcrLine, b: SourcedIcrLine): boolean {
  return (
    a.code === b.code &&
    a.batch === b.batch &&
    a.element === b.element &&
    a.date === b.date &&
    a.counterpart?.state === b.counterpart?.state &&
    a.counterpart?.mba === b.counterpart?.mba &&
    a.notice === b.notice
  );
}

/**
 * The booked version of a receipt the receiver has since measured (domain.md §4: "a receipt
 * booked at the shipper's declared value (basis N/F) is adjusted once the receiver has measured
 * it"), or undefined when the entry is an ordinary line. The receiver reports its measurement as
 * a correction of the receipt line; such a correction does not replace the booked value in BE:
 * the balance keeps the booked value and enters SRD = booked − measured, so BEA = BE − SRD holds
 * the measurement. It applies when
 * - the line in force corrects an earlier one, has an own-measurement basis (M, E, T, G) and an
 *   increase code with a counterpart (a receipt from another MBA);
 * - the booked version is the last earlier version with a shipper-value basis (N, F, L, H),
 *   looking back past the receiver's earlier measurements but not past a deletion;
 * - both are the same transfer: code, batch, element, date, counterpart and notice reference
 *   (only the weights, basis and KMP may change).
 * Anything else is an ordinary correction, which replaces the value in BE.
 */
export function bookedReceiptOf(
  entry: Pick<EffectiveEntry, 'current' | 'history'>,
  codeSigns: CodeSigns,
): SourcedIcrLine | undefined {
  const current = entry.current;
  if (
    current?.corrects === undefined ||
    current.counterpart === undefined ||
    !OWN_MEASUREMENT_BASES.has(current.basis ?? '') ||
    codeSigns[current.code] !== 1
  ) {
    return undefined;
  }
  const history = entry.history;
  // history ends with `current`; earlier versions in effective order before it.
  for (let i = history.length - 2; i >= 0; i--) {
    const version = history[i]!;
    if (version.deletes !== undefined && version.corrects === undefined) return undefined;
    if (SHIPPER_VALUE_BASES.has(version.basis ?? '')) {
      return sameTransfer(version, current) ? version : undefined;
    }
  }
  return undefined;
}

/** A deletion (not a correction that also names a line to delete): nothing of the entry is in force. */
export function isDeletion(line: SourcedIcrLine): boolean {
  return line.deletes !== undefined && line.corrects === undefined;
}

/**
 * What bookedReceiptOf looks back for, kept as one value per entry so a store can apply a new
 * version without the entry's history (docs/decisions/0010): the last earlier version that is a
 * deletion ('deleted') or has a shipper-value basis (that version), or undefined.
 */
export type ReceiptAnchor = SourcedIcrLine | 'deleted' | undefined;

/** The anchor for the version after `last`, given the anchor `last` was applied with. */
export function nextAnchor(last: SourcedIcrLine, anchor: ReceiptAnchor): ReceiptAnchor {
  if (isDeletion(last)) return 'deleted';
  return SHIPPER_VALUE_BASES.has(last.basis ?? '') ? last : anchor;
}

/** bookedReceiptOf from the anchor of the line in force instead of its whole history. */
export function bookedFromAnchor(
  current: SourcedIcrLine,
  anchor: ReceiptAnchor,
  codeSigns: CodeSigns,
): SourcedIcrLine | undefined {
  if (
    current.corrects === undefined ||
    current.counterpart === undefined ||
    !OWN_MEASUREMENT_BASES.has(current.basis ?? '') ||
    codeSigns[current.code] !== 1 ||
    anchor === undefined ||
    anchor === 'deleted'
  ) {
    return undefined;
  }
  return sameTransfer(anchor, current) ? anchor : undefined;
}
