import type { IsoDate } from '../reports/report.types.js';

export const CASE_KINDS = [
  'anomaly',
  'discrepancy',
  'question',
  'late-report',
  'missing-report',
  'transfer-unmatched',
  'notice',
  'seal',
  'other',
] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

export const CASE_STATUSES = [
  'open',
  'question-sent',
  'answered',
  'under-review',
  'resolved',
  'escalated',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/**
 * What a case message may attach (a scanned letter, a photo, a measurement export); the bytes
 * must say the same (services/cases/attachments.ts checks their magic numbers).
 */
export const ATTACHMENT_TYPES = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'text/plain',
  'text/csv',
] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

/** Who acts on a case: a user of an inspectorate, or a user of a state authority. */
export type CaseActor =
  | { readonly kind: 'inspectorate'; readonly inspectorate: string; readonly user: string }
  | { readonly kind: 'state'; readonly state: string; readonly user: string };

export interface CaseNote {
  readonly text: string;
  /** Internal notes stay with the owning inspectorate (never shown to the state or a partner). */
  readonly internal: boolean;
}

export interface CaseEvent {
  readonly type: 'opened' | 'transition' | 'note';
  /** ISO 8601 instant. */
  readonly at: string;
  readonly by: string;
  readonly actorKind: CaseActor['kind'];
  readonly from?: CaseStatus;
  readonly to?: CaseStatus;
  readonly dueDate?: IsoDate;
  readonly note?: CaseNote;
}

export interface Case {
  readonly id: string;
  /** Dedup key of the cause (caseKeyForAlarm) when an alarm opened the case. */
  readonly key?: string;
  readonly kind: CaseKind;
  /** The state the case is about. */
  readonly state: string;
  readonly mba?: string;
  /** The inspectorate that owns the case and alone moves it. */
  readonly inspectorate: string;
  /** Partner inspectorates that may read it under a joint arrangement. */
  readonly sharedWith: readonly string[];
  readonly status: CaseStatus;
  /** Answer due date of the open question (set only while status is question-sent). */
  readonly dueDate?: IsoDate;
  readonly openedAt: string;
  readonly updatedAt: string;
  readonly history: readonly CaseEvent[];
}

export interface TransitionRequest {
  readonly to: CaseStatus;
  readonly actor: CaseActor;
  readonly note?: string;
  /**
   * Whether an inspectorate's note is internal. Default: internal, except the question itself
   * (question-sent), which the state must read. A state's note (its answer) is never internal.
   */
  readonly internal?: boolean;
  readonly dueDate?: IsoDate;
  /** ISO 8601 instant. */
  readonly at: string;
}
