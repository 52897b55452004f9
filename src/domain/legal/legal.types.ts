/**
 * The legal framework as data (issue 19, decision 0031): instruments made of citable provisions,
 * some of which create typed obligations. The deadline engine and the inspection notice rules
 * read their figures from these provisions, so every deadline and notice can cite its basis.
 */

/** ISO `YYYY-MM-DD`. */
export type LegalDate = string;

export const INSTRUMENT_KINDS = [
  'treaty',
  'safeguards-agreement',
  'additional-protocol',
  'subsidiary-arrangement',
  'regional',
  'bilateral',
  'domestic-act',
] as const;
export type InstrumentKind = (typeof INSTRUMENT_KINDS)[number];

/**
 * When a deadline runs from (domain.md §2, §8):
 * - `entry-into-force`: N days after the instrument enters into force (AP initial declarations);
 * - `end-of-month-of-entry-into-force`: N days after the last day of that month (initial report);
 * - `end-of-month`: N days after the last day of the month of the event (ICR);
 * - `end-of-quarter`: N days after the last day of the calendar quarter (AP Annex II exports);
 * - `pit`: N days after the physical inventory taking (PIL, MBR);
 * - `event`: N days after the event itself; negative N = before it (advance notices);
 * - `annual`: on month/day of the year after the calendar year reported (AP updates, 15 May);
 * - `without-delay`: due the day of the event (special reports).
 */
export const DEADLINE_ANCHORS = [
  'entry-into-force',
  'end-of-month-of-entry-into-force',
  'end-of-month',
  'end-of-quarter',
  'pit',
  'event',
  'annual',
  'without-delay',
] as const;
export type DeadlineAnchor = (typeof DEADLINE_ANCHORS)[number];

export type DeadlineRule =
  | {
      readonly anchor: Exclude<DeadlineAnchor, 'annual' | 'without-delay'>;
      /** Whole UTC calendar days after the anchor (negative: before). */
      readonly days: number;
    }
  | { readonly anchor: 'annual'; readonly month: number; readonly day: number }
  | { readonly anchor: 'without-delay' };

/** Inspection and access types a notice rule can govern (domain.md §7). */
export const NOTICE_SUBJECTS = [
  'ad-hoc',
  'routine',
  'unannounced',
  'special',
  'complementary-access',
  'div',
] as const;
export type NoticeSubject = (typeof NOTICE_SUBJECTS)[number];

/**
 * The circumstance a notice rule applies in; `otherwise` is the rule's default for its subject.
 * - `transfer`: an ad hoc inspection to identify material in an international transfer;
 * - `strategic-facility`: a facility handling Pu or U enriched above 5 %, or a sealed store;
 * - `combined-with-inspection`: complementary access on a site being inspected.
 */
export const NOTICE_CONDITIONS = [
  'otherwise',
  'transfer',
  'strategic-facility',
  'combined-with-inspection',
] as const;
export type NoticeCondition = (typeof NOTICE_CONDITIONS)[number];

/**
 * A lead time: a number of hours, or one of the rules that are not a fixed figure — none
 * (unannounced), as agreed with the state (DIV), as promptly as possible after consultation
 * (special inspections).
 */
export type LeadTime = { readonly hours: number } | { readonly as: 'none' | 'agreed' | 'after-consultation' };

/** Duties a provision places on an institution of the state (issue 19 item 3). */
export const INSTITUTIONAL_DUTIES = [
  'keep-accounts',
  'submit-reports',
  'submit-declarations',
  'receive-notices',
  'grant-access',
  'designate-inspectors',
] as const;
export type InstitutionalDuty = (typeof INSTITUTIONAL_DUTIES)[number];

/** Institutions that can hold a duty (organisation kinds of the state, plus the regulator). */
export const INSTITUTION_KINDS = ['state-authority', 'regulator', 'operator', 'government'] as const;
export type InstitutionKind = (typeof INSTITUTION_KINDS)[number];

/**
 * A typed obligation a provision creates.
 * - `report`: a report or declaration of `reportType` (ICR, PIL, MBR, INITIAL, EXPORT_NOTICE,
 *   IMPORT_NOTICE, SPECIAL, or an AP declaration such as AP_INITIAL) due under `deadline`;
 * - `notice`: the inspectorate's advance notice of an inspection of `subject`;
 * - `access`: an access right (complementary access) with the notice it needs;
 * - `duty`: an institutional duty, held by an institution of the kind named (default: the state
 *   authority).
 */
export type LegalObligation =
  | { readonly kind: 'report'; readonly reportType: string; readonly deadline: DeadlineRule }
  | {
      readonly kind: 'notice';
      readonly subject: NoticeSubject;
      readonly when?: NoticeCondition;
      readonly leadTime: LeadTime;
    }
  | {
      readonly kind: 'access';
      readonly subject: 'complementary-access';
      readonly when?: NoticeCondition;
      readonly noticePeriod: LeadTime;
    }
  | { readonly kind: 'duty'; readonly duty: InstitutionalDuty; readonly holder?: InstitutionKind };

export interface Provision {
  /** The citation, unique across the register: `INFCIRC/153 para 62`, `INFCIRC/540 Art. 4.b.(i)`. */
  readonly ref: string;
  /** The text (for the model texts: a paraphrase, never the authoritative wording). */
  readonly text: string;
  readonly obligations?: readonly LegalObligation[];
}

/** An instrument as submitted (one version). */
export interface InstrumentInput {
  readonly id: string;
  readonly title: string;
  readonly kind: InstrumentKind;
  /** State codes and organisation ids party to it (a domestic act: its state). */
  readonly parties: readonly string[];
  readonly signature?: LegalDate;
  /** Entry into force; absent = not (yet) in force. */
  readonly inForce?: LegalDate;
  /** Suspended from this date (no longer creates obligations). */
  readonly suspended?: LegalDate;
  readonly provisions: readonly Provision[];
}

/** An instrument as registered: every change makes a new version (1, 2, …). */
export interface Instrument extends InstrumentInput {
  readonly version: number;
}

/** A provision with the instrument (and version) it belongs to: what a rule cites. */
export interface ProvisionBasis {
  readonly ref: string;
  readonly instrument: string;
  readonly version: number;
}
