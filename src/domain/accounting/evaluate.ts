import type { ElementCode, IsoDate, Milligrams } from '../reports/report.types.js';
import { ALARM_CODES, type AlarmCode, evaluateBalanceAlarms } from './alarms.js';
import type { BalanceFigures, ElementBalance, InventoryListing, KmpError, SrdEntry } from './balance.js';
import {
  alarmCauseKey,
  type ConclusionReason,
  conclusionReasonsOf,
  describeConclusionReason,
} from './conclusion.js';
import {
  type CodeSigns,
  categorise,
  type MaterialCategory,
  SIGNIFICANT_QUANTITIES,
  type SignificantQuantity,
  timelinessMonths,
} from './constants.js';
import type { OrphanCorrection, SourcedIcrLine } from './effective.js';
import { computeSequenceStatistics, DEFAULT_PAGE, type PageParameters } from './statistics.js';
import { collectSums, type MbaSums, sumMbaLines } from './sums.js';

/** An alarm raised outside the balance (transfers, notices) and placed in the period of its date. */
export interface DatedAlarm {
  readonly date: IsoDate;
  readonly code: AlarmCode;
  /** Without an element the alarm is placed in every element's period. */
  readonly element?: ElementCode;
  /** What it is about (a transfer key, a notice reference), for follow-up. */
  readonly ref?: string;
  /**
   * This many alarms alike (same date, element and code), given as one without a ref: a balance
   * needs only which codes fall in each period and how many lie outside (docs/decisions/0010).
   */
  readonly count?: number;
}

export interface MbaEvaluationInput {
  readonly mba: string;
  /** Initial report and PILs. */
  readonly inventories: readonly InventoryListing[];
  /** Every ICR line received, corrections included: the effective view is computed here. */
  readonly icrLines: readonly SourcedIcrLine[];
  /** Relative random and systematic standard deviations per KMP of this MBA. */
  readonly kmpErrors: Readonly<Record<string, KmpError>>;
  readonly codeSigns?: CodeSigns;
  /**
   * Further SRD adjustments, added to those the sums find themselves: a receipt booked at the
   * shipper's value and then corrected to the receiver's measurement (bookedReceiptOf) already
   * enters the balance at its booked value with its SRD. Do not pass those again.
   */
  readonly srd?: readonly SrdEntry[];
  readonly transferAlarms?: readonly DatedAlarm[];
  /** An item MBA, where any MUF ≠ 0 is an anomaly (domain.md §4). */
  readonly itemMba?: boolean;
  /** Direct-use material here is irradiated (3-month timeliness goal rather than 1). */
  readonly irradiated?: boolean;
  readonly page?: PageParameters;
  readonly sigmaFactor?: number;
}

/** Balance lines in grams. */
export interface BalanceGrams {
  readonly pb: number;
  readonly increases: Readonly<Record<string, number>>;
  readonly decreases: Readonly<Record<string, number>>;
  readonly be: number;
  readonly srd: number;
  readonly bea: number;
  readonly pe: number;
  readonly muf: number;
}

/** The per-period output (grams as numbers), with the exact figures alongside. */
export interface PeriodEvaluation extends BalanceGrams {
  readonly from: IsoDate;
  readonly to: IsoDate;
  /** σMUF in grams (batch-level model of domain.md §6, shared inventory systematic error). */
  readonly sigmaMuf: number;
  /** Null when the balance has no variance at all (nothing measured with an error). */
  readonly sitmuf: number | null;
  readonly cumuf: number;
  readonly page: number;
  readonly alarms: readonly AlarmCode[];
  readonly fissile: BalanceGrams;
  readonly exact: ElementBalance;
}

export interface ElementEvaluation {
  readonly element: ElementCode;
  readonly category: MaterialCategory;
  readonly sq: SignificantQuantity;
  readonly timelinessMonths: number;
  readonly periods: readonly PeriodEvaluation[];
  /** Covariance matrix of the MUF sequence, g². */
  readonly covariance: readonly (readonly number[])[];
}

export interface MbaEvaluation {
  readonly mba: string;
  readonly elements: readonly ElementEvaluation[];
  readonly orphans: readonly OrphanCorrection[];
  /** Transfer alarms dated outside every closed period (before the first or after the last PIT). */
  readonly openAlarms: readonly DatedAlarm[];
}

function grams(f: BalanceFigures): BalanceGrams {
  const inc: Record<string, number> = {};
  const dec: Record<string, number> = {};
  for (const [c, v] of Object.entries(f.increasesMg)) inc[c] = v / 1000;
  for (const [c, v] of Object.entries(f.decreasesMg)) dec[c] = v / 1000;
  return {
    pb: f.pbMg / 1000,
    increases: inc,
    decreases: dec,
    be: f.beMg / 1000,
    srd: f.srdMg / 1000,
    bea: f.beaMg / 1000,
    pe: f.peMg / 1000,
    muf: f.mufMg / 1000,
  };
}

function fissileRatio(periods: readonly ElementBalance[]): number {
  let el = 0;
  let fi = 0;
  for (const p of periods) {
    el += p.pbMg + p.xMg;
    fi += p.fissile.pbMg + p.fissile.xMg;
  }
  if (el === 0 && periods.length > 0) {
    const last = periods[periods.length - 1]!;
    el = last.peMg;
    fi = last.fissile.peMg;
  }
  return el > 0 ? fi / el : 0;
}

/**
 * Evaluates one MBA in one call: effective ICR lines, balances of every element and period,
 * σMUF, the covariance of the sequence, SITMUF, CUMUF, Page's statistic and the alarms.
 * Linear in the number of lines; O(n³) in the number of periods n per element. The readable
 * reference: the service evaluates the same sums kept in the database (evaluateSums).
 */
export function evaluateMba(input: MbaEvaluationInput): MbaEvaluation {
  return evaluateSums(sumMbaLines(input.inventories, input.icrLines, input.codeSigns), input);
}

/** What an evaluation takes besides the MBA's sums. */
export type SumsEvaluationInput = Omit<MbaEvaluationInput, 'inventories' | 'icrLines'>;

/**
 * Evaluates an MBA from the exact sums of its lines (MbaSums): what evaluateMba computes from
 * every line, and what the service reads from the database (docs/decisions/0010).
 */
export function evaluateSums(sums: MbaSums, input: SumsEvaluationInput): MbaEvaluation {
  const collected = collectSums(sums, input.kmpErrors, input.codeSigns, input.srd);
  const page = input.page ?? DEFAULT_PAGE;
  const elements: ElementEvaluation[] = [];
  const placed = new Set<DatedAlarm>();
  for (const { sequence, moments } of collected) {
    const balances = sequence.periods;
    const n = balances.length;
    const muf = new Float64Array(n);
    for (let p = 0; p < n; p++) muf[p] = balances[p]!.mufMg / 1000;
    const stats = computeSequenceStatistics(moments!, muf, page);
    const category = categorise(sequence.element, fissileRatio(balances), sequence.isotope);
    const sq = SIGNIFICANT_QUANTITIES[category];
    const months = timelinessMonths(category, input.irradiated === true);
    const alarms = evaluateBalanceAlarms(
      balances.map((b, p) => ({
        to: b.to,
        mufMg: b.mufMg,
        fissileMufMg: b.fissile.mufMg,
        mufGrams: muf[p]!,
        sigmaMuf: stats.sigmaMuf[p]!,
        page: stats.page[p]!,
      })),
      {
        sq,
        timelinessMonths: months,
        pageH: page.h,
        ...(input.itemMba !== undefined ? { itemMba: input.itemMba } : {}),
        ...(input.sigmaFactor !== undefined ? { sigmaFactor: input.sigmaFactor } : {}),
      },
    );
    for (const alarm of input.transferAlarms ?? []) {
      if (alarm.element !== undefined && alarm.element !== sequence.element) continue;
      // Period (from, to] holding the alarm's date.
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (balances[mid]!.to < alarm.date) lo = mid + 1;
        else hi = mid;
      }
      if (lo < n && balances[lo]!.from < alarm.date) {
        const list = alarms[lo]!;
        if (!list.includes(alarm.code)) list.push(alarm.code);
        placed.add(alarm);
      }
    }
    const periods: PeriodEvaluation[] = [];
    for (let p = 0; p < n; p++) {
      const b = balances[p]!;
      const z = stats.sitmuf[p]!;
      const list = alarms[p]!;
      list.sort((x, y) => ALARM_CODES.indexOf(x) - ALARM_CODES.indexOf(y));
      periods.push({
        from: b.from,
        to: b.to,
        ...grams(b),
        sigmaMuf: stats.sigmaMuf[p]!,
        sitmuf: Number.isNaN(z) ? null : z,
        cumuf: stats.cumuf[p]!,
        page: stats.page[p]!,
        alarms: list,
        fissile: grams(b.fissile),
        exact: b,
      });
    }
    const covariance: number[][] = [];
    for (let p = 0; p < n; p++) covariance.push(Array.from(stats.covariance.subarray(p * n, p * n + n)));
    elements.push({ element: sequence.element, category, sq, timelinessMonths: months, periods, covariance });
  }
  const openAlarms = (input.transferAlarms ?? []).filter((a) => !placed.has(a));
  return { mba: input.mba, elements, orphans: sums.orphans, openAlarms };
}

export type ConclusionCategory =
  | 'ALL_MATERIAL_PEACEFUL'
  | 'DECLARED_MATERIAL_PEACEFUL'
  | 'ITEMS_PEACEFUL'
  | 'VOLUNTARY_OFFER'
  | 'NOT_DRAWN';

export type AgreementType = 'CSA' | 'INFCIRC66' | 'VOA';

export interface ReportDeadline {
  readonly mba: string;
  readonly type: string;
  readonly due: IsoDate;
  readonly received?: IsoDate;
}

export interface TransferCounts {
  readonly matched: number;
  readonly pending: number;
  readonly unmatched: number;
  readonly discrepant: number;
}

export interface StateSummaryInput {
  readonly state: string;
  readonly year: number;
  /** The date the summary is drawn (decides whether an unreceived report is missing yet). */
  readonly asOf: IsoDate;
  readonly evaluations: readonly MbaEvaluation[];
  readonly agreement: AgreementType;
  readonly additionalProtocol?: boolean;
  /** The AP evaluation found no indication of undeclared material or activities. */
  readonly apEvaluationComplete?: boolean;
  readonly deadlines?: readonly ReportDeadline[];
  readonly transfers?: TransferCounts;
  /** Keys (see alarmKey) of alarms followed up and resolved with the state. */
  readonly resolvedAlarms?: ReadonlySet<string>;
  /**
   * Case keys (caseKeyForAlarm) of the cases resolved with the state: a balance or sequence alarm
   * whose cause's case is resolved is no longer open.
   */
  readonly resolvedCauses?: ReadonlySet<string>;
  /** Cases about the state not yet resolved (any year): undefined when not known. */
  readonly openCases?: number;
  /** Inspections of the state carried out (inspectors arrived) in the year: undefined when not known. */
  readonly inspectionsDone?: number;
}

export interface AlarmRecord {
  readonly key: string;
  readonly mba: string;
  readonly element: ElementCode | undefined;
  readonly date: IsoDate;
  readonly code: AlarmCode;
}

export interface StateSummary {
  readonly state: string;
  readonly year: number;
  readonly mbas: number;
  /** Balance periods (MBA × element) closed by a PIT in the year. */
  readonly balancesClosed: number;
  readonly muf: { readonly total: Milligrams };
  readonly alarms: Readonly<Record<AlarmCode, number>>;
  readonly openAlarms: readonly AlarmRecord[];
  readonly timeliness: {
    readonly due: number;
    readonly onTime: number;
    readonly late: number;
    readonly missing: number;
  };
  readonly transfers: TransferCounts;
  readonly conclusion: {
    readonly category: ConclusionCategory;
    readonly statement: string;
    /** The reasons in English (API and CLI readers) … */
    readonly reasons: readonly string[];
    /** … and as codes with their figures, which the browser says in the user's language. */
    readonly reasonCodes: readonly ConclusionReason[];
  };
}

export function alarmKey(
  mba: string,
  element: ElementCode | undefined,
  date: IsoDate,
  code: AlarmCode,
): string {
  return `${mba}/${element ?? '*'}/${date}/${code}`;
}

const STATEMENTS: Readonly<Record<ConclusionCategory, string>> = {
  ALL_MATERIAL_PEACEFUL: 'All nuclear material remained in peaceful activities.',
  DECLARED_MATERIAL_PEACEFUL: 'Declared nuclear material remained in peaceful activities.',
  ITEMS_PEACEFUL:
    'Nuclear material, facilities and other items to which safeguards were applied remained in peaceful activities.',
  VOLUNTARY_OFFER:
    'Nuclear material in selected facilities to which safeguards were applied remained in peaceful activities or was withdrawn as provided for in the agreement.',
  NOT_DRAWN: 'No conclusion drawn: its basis is incomplete or questions remain open (see the reasons).',
};

/**
 * Evaluation summary of one state and year with the draft annual conclusion category
 * (domain.md §7). Custos decides: the draft is NOT_DRAWN, with its reasons, while its basis is
 * missing or questions remain (conclusion.ts: no balance closed in the year, timeliness or cases
 * or inspections not known, no inspection done, an alarm of the year unresolved, a case open, a
 * report missing, a transfer unmatched or discrepant); otherwise the category follows the
 * agreement (broader conclusion only with an AP whose evaluation is complete).
 */
export function summariseState(input: StateSummaryInput): StateSummary {
  const year = String(input.year);
  const inYear = (d: IsoDate): boolean => d.slice(0, 4) === year;
  const counts = Object.fromEntries(ALARM_CODES.map((c) => [c, 0])) as Record<AlarmCode, number>;
  const open: AlarmRecord[] = [];
  let closed = 0;
  let mufTotal = 0;
  const note = (
    mba: string,
    element: ElementCode | undefined,
    date: IsoDate,
    code: AlarmCode,
    cause?: string,
  ): void => {
    counts[code]++;
    const key = alarmKey(mba, element, date, code);
    const resolved =
      input.resolvedAlarms?.has(key) === true ||
      (cause !== undefined && input.resolvedCauses?.has(cause) === true);
    if (!resolved) open.push({ key, mba, element, date, code });
  };
  for (const evaluation of input.evaluations) {
    for (const el of evaluation.elements) {
      const first = new Map<AlarmCode, IsoDate>();
      for (const period of el.periods) {
        for (const code of period.alarms) if (!first.has(code)) first.set(code, period.to);
        if (!inYear(period.to)) continue;
        closed++;
        mufTotal += period.exact.mufMg;
        for (const code of period.alarms) {
          const cause = alarmCauseKey(
            input.state,
            evaluation.mba,
            el.element,
            code,
            period.to,
            first.get(code)!,
          );
          note(evaluation.mba, el.element, period.to, code, cause);
        }
      }
    }
    for (const alarm of evaluation.openAlarms) {
      if (!inYear(alarm.date)) continue;
      for (let i = 0; i < (alarm.count ?? 1); i++)
        note(evaluation.mba, alarm.element, alarm.date, alarm.code);
    }
  }
  let onTime = 0;
  let late = 0;
  let missing = 0;
  let due = 0;
  for (const d of input.deadlines ?? []) {
    if (!inYear(d.due)) continue;
    due++;
    if (d.received === undefined) {
      if (d.due < input.asOf) missing++;
    } else if (d.received <= d.due) onTime++;
    else late++;
  }
  const transfers = input.transfers ?? { matched: 0, pending: 0, unmatched: 0, discrepant: 0 };
  const reasonCodes = conclusionReasonsOf({
    year: input.year,
    balancesClosed: closed,
    openAlarms: open.length,
    timelinessKnown: input.deadlines !== undefined,
    missingReports: missing,
    transfers,
    ...(input.openCases === undefined ? {} : { openCases: input.openCases }),
    ...(input.inspectionsDone === undefined ? {} : { inspectionsDone: input.inspectionsDone }),
  });
  const reasons = reasonCodes.map(describeConclusionReason);
  let category: ConclusionCategory;
  if (reasons.length > 0) category = 'NOT_DRAWN';
  else if (input.agreement === 'INFCIRC66') category = 'ITEMS_PEACEFUL';
  else if (input.agreement === 'VOA') category = 'VOLUNTARY_OFFER';
  else if (input.additionalProtocol === true && input.apEvaluationComplete === true)
    category = 'ALL_MATERIAL_PEACEFUL';
  else category = 'DECLARED_MATERIAL_PEACEFUL';
  return {
    state: input.state,
    year: input.year,
    mbas: input.evaluations.length,
    balancesClosed: closed,
    muf: { total: mufTotal },
    alarms: counts,
    openAlarms: open,
    timeliness: { due, onTime, late, missing },
    transfers,
    conclusion: { category, statement: STATEMENTS[category], reasons, reasonCodes },
  };
}
