import type { IcrLine, LineRef } from '../reports/report.types.js';

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
