import type { ProvisionBasis } from '../legal/index.js';
import type { IsoDate, ReportType } from '../reports/report.types.js';
import type { IsoMonth } from './calendar.js';
import type { ReportingRules } from './rules.js';

/**
 * Agreement kinds. `AP` (INFCIRC/540) obliges declarations, not accounting reports, so it
 * creates no obligation here; every other kind carries the INFCIRC/153-style reporting duties.
 */
export type AgreementType = 'CSA' | 'VOA' | 'INFCIRC66' | 'REGIONAL' | 'AP';

export interface AgreementInForce {
  readonly id: string;
  readonly type: AgreementType;
  readonly entryIntoForce: IsoDate;
  /** State codes and organisation codes party to the agreement. */
  readonly parties: readonly string[];
}

/** A transfer that needs an advance notice (domain.md §2: > 1 ekg, or several within 3 months). */
export type NoticeShipment =
  | { readonly direction: 'export'; readonly reference: string; readonly preparationDate: IsoDate }
  | { readonly direction: 'import'; readonly reference: string; readonly responsibilityDate: IsoDate };

export interface MbaSchedule {
  readonly mba: string;
  /** First day the MBA holds safeguarded material; absent = it existed at entry into force. */
  readonly activeFrom?: IsoDate;
  /** Last day of activity (MBA closed); absent = still active. */
  readonly activeUntil?: IsoDate;
  /** Physical inventory taking dates (each owes a PIL and an MBR). */
  readonly pits: readonly IsoDate[];
  readonly shipments?: readonly NoticeShipment[];
}

/** One submission attempt, accepted or rejected (a rejection is proven by its log receipt). */
export interface ReceivedReport {
  readonly type: ReportType;
  readonly mba: string;
  /** ICR: the period the report covers. */
  readonly period?: { readonly from: IsoDate; readonly to: IsoDate };
  /** PIL, MBR: the PIT date. */
  readonly pit?: IsoDate;
  /** EXPORT_NOTICE, IMPORT_NOTICE: the shipment's notice reference. */
  readonly noticeReference?: string;
  /** ISO 8601 instant with an explicit offset. */
  readonly submittedAt: string;
  readonly outcome: 'accepted' | 'rejected';
}

export interface ObligationOptions {
  /**
   * A rejected attempt dates the obligation's submission if an accepted report follows within
   * this many days of it; a later cure is judged by the accepted report's own date.
   */
  readonly rejectionCureDays?: number;
}

export interface ObligationsInput {
  readonly state: string;
  readonly agreements: readonly AgreementInForce[];
  readonly mbas: readonly MbaSchedule[];
  readonly reports: readonly ReceivedReport[];
  readonly today: IsoDate;
  /**
   * Each report's deadline rule and the provision it comes from (deadlines.reportingRulesFrom over
   * the instruments binding the state); absent = the model texts' rules (INFCIRC/153).
   */
  readonly rules?: ReportingRules;
  readonly options?: ObligationOptions;
}

export const OBLIGATION_STATUSES = ['upcoming', 'met', 'late', 'missing'] as const;
export type ObligationStatus = (typeof OBLIGATION_STATUSES)[number];

export interface Obligation {
  /** Stable identity: `<type>:<mba>:<month|pit|reference>` (INITIAL: `INITIAL:<mba>`). */
  readonly id: string;
  readonly type: ReportType;
  readonly mba: string;
  /** The agreement that creates the obligation (the earliest reporting agreement in force). */
  readonly agreement: string;
  readonly month?: IsoMonth;
  readonly pit?: IsoDate;
  readonly reference?: string;
  /** Last calendar day (UTC) on which a submission is on time. */
  readonly dueDate: IsoDate;
  /** The provision the due date comes from (issue 19). */
  readonly basis: ProvisionBasis;
  readonly status: ObligationStatus;
  /** late: submission date − due date (≥ 1). */
  readonly daysLate?: number;
  /** missing: today − due date (≥ 1). */
  readonly daysOverdue?: number;
  /** upcoming: due date − today (≥ 0). */
  readonly daysRemaining?: number;
  /** met or late: the instant that dates the submission (see rejectionCureDays). */
  readonly submittedAt?: string;
  readonly acceptedAt?: string;
  readonly rejectedAttempts: number;
}
