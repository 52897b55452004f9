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

function compareLines(a: SourcedIcrLine, b: SourcedIcrLine): number {
  return a.reportNumber - b.reportNumber || a.line - b.line || (a.acceptedSeq ?? 0) - (b.acceptedSeq ?? 0);
}

interface MutableEntry {
  origin: LineRef;
  current: SourcedIcrLine | undefined;
  history: SourcedIcrLine[];
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
  const originOf = new Map<number, MutableEntry>();
  const entries: MutableEntry[] = [];
  const orphans: OrphanCorrection[] = [];
  for (const line of sorted) {
    const key = keyOf(line.reportNumber, line.line);
    if (originOf.has(key)) {
      orphans.push({ line, reason: 'DUPLICATE_LINE' });
      continue;
    }
    const target = line.corrects ?? line.deletes;
    if (target === undefined) {
      const entry: MutableEntry = {
        origin: { reportNumber: line.reportNumber, line: line.line },
        current: line,
        history: [line],
      };
      entries.push(entry);
      originOf.set(key, entry);
      continue;
    }
    const entry = originOf.get(keyOf(target.reportNumber, target.line));
    if (entry === undefined) {
      orphans.push({ line, reason: 'TARGET_UNKNOWN' });
      continue;
    }
    entry.current = line.deletes !== undefined && line.corrects === undefined ? undefined : line;
    entry.history.push(line);
    originOf.set(key, entry);
  }
  const effective: SourcedIcrLine[] = [];
  for (const entry of entries) if (entry.current !== undefined) effective.push(entry.current);
  return { lines: effective, entries, orphans };
}
