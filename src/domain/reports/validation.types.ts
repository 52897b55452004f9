/** What the validator is given (the registry and the account, read by the service) and what it answers. */
import type { DetailCode, ErrorDetail } from '../errors.js';
import type { IcCodeInfo } from './codes.js';
import type { HeaderField, LooseLine } from './parse.types.js';
import type { ElementCode, IsoDate, Milligrams } from './report.types.js';

export interface MbaInfo {
  readonly code: string;
  /** The state the MBA belongs to (the only state that may report for it). */
  readonly state: string;
  /** Items counted as items (fuel assemblies): MUF must be exactly 0 (domain.md §4). */
  readonly isItemMba?: boolean;
}

export interface KmpInfo {
  readonly kind: 'flow' | 'inventory';
}

/** Anything with `has`: a Set of keys, a Map keyed by them, or a lookup object over a database index. */
export interface KeyLookup {
  has(key: string): boolean;
}

/** Outcome of the signature check done before parsing; a failed one is reported with the other problems. */
export type SignatureOutcome =
  | 'VALID'
  | Extract<DetailCode, 'SIGNATURE_INVALID' | 'KEY_UNKNOWN' | 'KEY_NOT_VALID'>;

export interface ValidationContext {
  /** The registry entry of `report.mba`, or undefined if there is none (UNKNOWN_MBA). */
  readonly mba: MbaInfo | undefined;
  /** The state whose key signed the submission (UNKNOWN_MBA unless it owns the MBA). */
  readonly submitterState: string;
  readonly signature?: SignatureOutcome;
  /** KMPs of this MBA. */
  readonly kmps: ReadonlyMap<string, KmpInfo>;
  /** Inventory change codes of the agreement (DEFAULT_IC_CODES if it adds none). */
  readonly icCodes: ReadonlyMap<string, IcCodeInfo>;
  /** Elements the agreement covers; all five when absent. */
  readonly elements?: ReadonlySet<ElementCode>;
  readonly basisCodes?: ReadonlySet<string>;
  readonly isotopeCodes?: ReadonlySet<string>;
  /** Highest report number stored for this MBA and report type; 0 when none. */
  readonly lastReportNumber: number;
  /** Report numbers already stored for this MBA and report type. */
  readonly existingReportNumbers: { has(reportNumber: number): boolean };
  /**
   * Batches on this MBA's book, as `batchKey(batch, element)`: created by an earlier receipt,
   * starting point or de-exemption (or listed in the initial report) and not since removed.
   */
  readonly bookBatches?: KeyLookup;
  /** Earlier ICR lines of this MBA that a correction may target, as `lineRefKey(ref)`. */
  readonly correctionTargets?: KeyLookup;
  /** Notice references already on record (for ICR lines: must exist; for a notice: must not). */
  readonly knownNotices?: KeyLookup;
  /** Ending physical inventory of the previous balance per element (PB_MISMATCH); missing element = 0. */
  readonly previousPe?: ReadonlyMap<ElementCode, Milligrams>;
  /** PIL total per element for the MBR's PIT (PE_MISMATCH); missing element = 0. */
  readonly pilTotals?: ReadonlyMap<ElementCode, Milligrams>;
  /** Effective ICR line weights of the balance period, summed per element and code (ICR_MISMATCH). */
  readonly icrTotals?: ReadonlyMap<ElementCode, ReadonlyMap<string, Milligrams>>;
  /** PIT of the previous balance (a PIL, MBR or INITIAL must be later). */
  readonly previousPit?: IsoDate;
  /** Entry into force of the agreement: no line may be dated before it. */
  readonly agreementStart?: IsoDate;
  /** Today's date (the clock comes in): a report may not be dated in the future. */
  readonly today?: IsoDate;
}

/**
 * Validating the readable part of a report that also has format problems (PartialReport of
 * build-report.ts): checks that depend on an unreadable header field, or on every line being
 * there (line count, numbering, the MBR's balance arithmetic and totals), are left out.
 */
export interface PartialValidation {
  readonly unreadable: ReadonlySet<HeaderField>;
  readonly rawLineCount: number;
  readonly droppedLines: number;
  /** The position in the document of each line of the partial report (field paths name it). */
  readonly positions: readonly number[];
  /** The readable fields of each dropped line (build-report.ts), checked one by one. */
  readonly loose?: readonly LooseLine[];
}

export interface ValidationResult {
  readonly errors: ErrorDetail[];
  readonly warnings: ErrorDetail[];
}
