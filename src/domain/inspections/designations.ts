import { addDays, toDayNumber } from '../deadlines/index.js';
import type { IsoDate } from '../reports/report.types.js';

/** INFCIRC/153 para 85: the state answers a proposed inspector designation within 30 days. */
export const DESIGNATION_ANSWER_DAYS = 30;

export interface DesignationInput {
  /** Day the state received the proposal. */
  readonly receivedOn: IsoDate;
  readonly answer?: { readonly decision: 'accepted' | 'rejected'; readonly on: IsoDate };
  readonly today: IsoDate;
}

export interface DesignationStatus {
  /**
   * `unanswered`: 30 days passed without an answer. Custos decides silence is NOT consent: the
   * inspector is not designated (a record system must not grant access the state never gave),
   * and the inspectorate follows up (a case of kind `other`).
   */
  readonly status: 'pending' | 'accepted' | 'rejected' | 'unanswered';
  /** Last day of the answer period. */
  readonly answerDueOn: IsoDate;
  /** The answer came after the due day (it still counts; the lateness is recorded). */
  readonly lateAnswer?: boolean;
  /** Once accepted, the inspector may be named in notices. */
  readonly designated: boolean;
}

export function decideDesignation(input: DesignationInput): DesignationStatus {
  const answerDueOn = addDays(input.receivedOn, DESIGNATION_ANSWER_DAYS);
  if (input.answer) {
    return {
      status: input.answer.decision,
      answerDueOn,
      lateAnswer: toDayNumber(input.answer.on) > toDayNumber(answerDueOn),
      designated: input.answer.decision === 'accepted',
    };
  }
  const overdue = toDayNumber(input.today) > toDayNumber(answerDueOn);
  return { status: overdue ? 'unanswered' : 'pending', answerDueOn, designated: false };
}
