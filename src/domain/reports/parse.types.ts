/** What reading a report (JSON or CSV) answers: the report, or its problems and what could be read. */
import type { ErrorDetail } from '../errors.js';
import type { Report } from './report.types.js';

export type ParseResult =
  | { readonly ok: true; readonly report: Report }
  | {
      readonly ok: false;
      readonly details: readonly ErrorDetail[];
      /** What could be read of a report with problems, so that validation can add its own. */
      readonly partial?: PartialReport;
    };

/** Header fields of a report that the reader may fail to read (their values are then placeholders). */
export type HeaderField = 'reportNumber' | 'reportDate' | 'lineCount' | 'period' | 'pit';

/**
 * The readable part of a report with problems (declarations issue: "every problem at once"): its
 * type and MBA were read, and every line that read cleanly is there. The registry and account
 * checks run on it too, skipping what depends on an unreadable field or on a dropped line, so that
 * a state sees its format mistakes and, say, its unknown KMPs in one answer.
 */
export interface PartialReport {
  readonly report: Report;
  /** Header fields that could not be read; `report` holds placeholders for them. */
  readonly unreadable: ReadonlySet<HeaderField>;
  /** How many lines the document holds, readable or not. */
  readonly rawLineCount: number;
  /** How many of them could not be read and are missing from `report.lines`. */
  readonly droppedLines: number;
  /** The position in the document of each line of `report.lines` (0-based, as in field paths). */
  readonly positions: readonly number[];
  /** What could be read of each dropped line, so its other problems are reported too. */
  readonly loose?: readonly LooseLine[];
}

/**
 * The fields of a line that could not be read whole (issue 16 item 6: "every problem at once"
 * holds for every line): each field that did read is checked on its own.
 */
export interface LooseLine {
  /** Its position in the document (0-based, as in field paths). */
  readonly position: number;
  readonly line: number;
  readonly date?: string;
  readonly code?: string;
  readonly kmp?: string;
  readonly element?: string;
  readonly weightMg?: number;
  readonly fissileMg?: number;
  readonly isotope?: string;
  readonly basis?: string;
  /** It corrects or deletes an earlier line (its date may then lie before the period). */
  readonly correction?: boolean;
}

export interface ReadOptions {
  /** Stop recording after this many details; one TOO_MANY_ERRORS detail then says how many were left out. */
  readonly maxDetails?: number;
}
