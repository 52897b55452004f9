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

/**
 * Why no conclusion can be drawn, empty when it can (issue 16 item 1). Custos decides: a
 * conclusion needs its whole basis — at least one material balance closed in the year, the
 * reporting obligations known and none missing, no alarm unresolved and no case open, at least one
 * inspection carried out in the year, and every transfer matched without discrepancy. A basis that
 * was not given counts as missing: silence never reads as "all clear".
 */
export function conclusionReasons(b: ConclusionBasis): string[] {
  const reasons: string[] = [];
  if (b.balancesClosed === 0) reasons.push(`no material balance closed in ${b.year}`);
  if (!b.timelinessKnown) reasons.push('report timeliness not known');
  if (b.missingReports > 0) reasons.push(`${b.missingReports} report(s) missing`);
  if (b.openAlarms > 0) reasons.push(`${b.openAlarms} unresolved alarm(s)`);
  if (b.openCases === undefined) reasons.push('open cases not known');
  else if (b.openCases > 0) reasons.push(`${b.openCases} open case(s)`);
  if (b.inspectionsDone === undefined) reasons.push('inspections not known');
  else if (b.inspectionsDone === 0) reasons.push(`no inspection carried out in ${b.year}`);
  if (b.transfers.unmatched > 0) reasons.push(`${b.transfers.unmatched} unmatched transfer(s)`);
  if (b.transfers.discrepant > 0) reasons.push(`${b.transfers.discrepant} discrepant transfer(s)`);
  return reasons;
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
