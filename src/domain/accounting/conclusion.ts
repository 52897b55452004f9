import { type CaseAlarm, caseKeyForAlarm } from '../cases/alarm-keys.js';
import type { ElementCode, IsoDate } from '../reports/report.types.js';
import type { AlarmCode } from './alarms.js';

/** What an annual conclusion rests on (domain.md §7), as counted for one state and year. */
export interface ConclusionBasis {
  readonly year: number;
  /** Balance periods (MBA × element) closed by a PIT in the year. */
  readonly balancesClosed: number;
  readonly openAlarms: number;
  /** Whether the reporting obligations were known (the timeliness page's figures). */
  readonly timelinessKnown: boolean;
  readonly missingReports: number;
  readonly transfers: { readonly unmatched: number; readonly discrepant: number };
  /** Undefined: not known, which is itself a reason not to conclude. */
  readonly openCases?: number;
  readonly inspectionsDone?: number;
}

/** Why a conclusion was not drawn, as codes the browser says in the user's language (issue 16). */
export const CONCLUSION_REASON_CODES = [
  'NO_BALANCE_CLOSED',
  'TIMELINESS_UNKNOWN',
  'REPORTS_MISSING',
  'ALARMS_OPEN',
  'CASES_UNKNOWN',
  'CASES_OPEN',
  'INSPECTIONS_UNKNOWN',
  'NO_INSPECTION',
  'TRANSFERS_UNMATCHED',
  'TRANSFERS_DISCREPANT',
] as const;
export type ConclusionReasonCode = (typeof CONCLUSION_REASON_CODES)[number];

/** One reason: its code, and the count or year it names. */
export interface ConclusionReason {
  readonly code: ConclusionReasonCode;
  readonly count?: number;
  readonly year?: number;
}

/**
 * Why no conclusion can be drawn, empty when it can (issue 16 item 1). Custos decides: a
 * conclusion needs its whole basis — at least one material balance closed in the year, the
 * reporting obligations known and none missing, no alarm unresolved and no case open, at least one
 * inspection carried out in the year, and every transfer matched without discrepancy. A basis that
 * was not given counts as missing: silence never reads as "all clear".
 */
export function conclusionReasonsOf(b: ConclusionBasis): ConclusionReason[] {
  const reasons: ConclusionReason[] = [];
  const counted = (code: ConclusionReasonCode, count: number) => {
    if (count > 0) reasons.push({ code, count });
  };
  if (b.balancesClosed === 0) reasons.push({ code: 'NO_BALANCE_CLOSED', year: b.year });
  if (!b.timelinessKnown) reasons.push({ code: 'TIMELINESS_UNKNOWN' });
  counted('REPORTS_MISSING', b.missingReports);
  counted('ALARMS_OPEN', b.openAlarms);
  if (b.openCases === undefined) reasons.push({ code: 'CASES_UNKNOWN' });
  else counted('CASES_OPEN', b.openCases);
  if (b.inspectionsDone === undefined) reasons.push({ code: 'INSPECTIONS_UNKNOWN' });
  else if (b.inspectionsDone === 0) reasons.push({ code: 'NO_INSPECTION', year: b.year });
  counted('TRANSFERS_UNMATCHED', b.transfers.unmatched);
  counted('TRANSFERS_DISCREPANT', b.transfers.discrepant);
  return reasons;
}

/** A reason in plain English, as the API and the CLI have always said it. */
export function describeConclusionReason(r: ConclusionReason): string {
  switch (r.code) {
    case 'NO_BALANCE_CLOSED':
      return `no material balance closed in ${r.year}`;
    case 'TIMELINESS_UNKNOWN':
      return 'report timeliness not known';
    case 'REPORTS_MISSING':
      return `${r.count} report(s) missing`;
    case 'ALARMS_OPEN':
      return `${r.count} unresolved alarm(s)`;
    case 'CASES_UNKNOWN':
      return 'open cases not known';
    case 'CASES_OPEN':
      return `${r.count} open case(s)`;
    case 'INSPECTIONS_UNKNOWN':
      return 'inspections not known';
    case 'NO_INSPECTION':
      return `no inspection carried out in ${r.year}`;
    case 'TRANSFERS_UNMATCHED':
      return `${r.count} unmatched transfer(s)`;
    case 'TRANSFERS_DISCREPANT':
      return `${r.count} discrepant transfer(s)`;
  }
}

/**
 * The cause (domain/cases CaseAlarm) of a balance alarm, as the automatic path opens its case: one
 * balance for the balance tests, the first firing for a sequence test. Undefined for codes that
 * are not balance alarms (transfers follow their own causes). The web app names it when an
 * inspector opens the case by hand, so both find the same case.
 */
export function balanceAlarmCause(
  state: string,
  mba: string,
  element: ElementCode,
  code: AlarmCode,
  pit: IsoDate,
  firstFiring: IsoDate,
): CaseAlarm | undefined {
  switch (code) {
    case 'MUF_3SIGMA':
      return { source: 'balance', test: 'muf-3sigma', state, mba, element, pit };
    case 'MUF_SQ':
      return { source: 'balance', test: 'muf-sq', state, mba, element, pit };
    case 'ITEM_MUF':
      return { source: 'balance', test: 'item-muf', state, mba, element, pit };
    case 'PAGE':
    case 'CUMUF_SQ':
      return {
        source: 'sequence',
        test: code === 'PAGE' ? 'page' : 'cumuf-sq',
        state,
        mba,
        element,
        pit: firstFiring,
      };
    default:
      return undefined;
  }
}

/** The case key (caseKeyForAlarm) of a balance alarm's cause, undefined for other codes. */
export function alarmCauseKey(
  state: string,
  mba: string,
  element: ElementCode,
  code: AlarmCode,
  pit: IsoDate,
  firstFiring: IsoDate,
): string | undefined {
  const cause = balanceAlarmCause(state, mba, element, code, pit, firstFiring);
  return cause === undefined ? undefined : caseKeyForAlarm(cause);
}

/** The case keys of the balance and sequence alarms of a state's year (to ask which are resolved). */
export function alarmCausesOf(
  state: string,
  year: number,
  evaluations: readonly {
    readonly mba: string;
    readonly elements: readonly {
      readonly element: ElementCode;
      readonly periods: readonly { readonly to: IsoDate; readonly alarms: readonly AlarmCode[] }[];
    }[];
  }[],
): string[] {
  const keys = new Set<string>();
  for (const evaluation of evaluations) {
    for (const el of evaluation.elements) {
      const first = new Map<AlarmCode, IsoDate>();
      for (const period of el.periods) {
        for (const code of period.alarms) if (!first.has(code)) first.set(code, period.to);
        if (period.to.slice(0, 4) !== String(year)) continue;
        for (const code of period.alarms) {
          const key = alarmCauseKey(state, evaluation.mba, el.element, code, period.to, first.get(code)!);
          if (key !== undefined) keys.add(key);
        }
      }
    }
  }
  return [...keys];
}
