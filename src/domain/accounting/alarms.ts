import { DEVICE_ALARM_CODES } from '../monitoring/index.js';
import type { IsoDate, Milligrams } from '../reports/report.types.js';
import type { SignificantQuantity } from './constants.js';
import { addMonths, endOfMonth } from './dates.js';
import { DEFAULT_PAGE } from './statistics.js';

/** Alarm codes Custos raises on balances and transfers (domain.md §6 and the issue). */
export const ALARM_CODES = [
  'MUF_3SIGMA',
  'MUF_SQ',
  'CUMUF_SQ',
  'PAGE',
  'ITEM_MUF',
  'SRD_3SIGMA',
  'TRANSFER_UNMATCHED',
  'NOTICE_MISSING',
  'NOTICE_LATE',
  // Monitoring devices' alarms (issue 18 §5), listed beside these in GET /api/alarms.
  ...DEVICE_ALARM_CODES,
  // Additional Protocol declarations cross-checked between States (issue 19 item 5,
  // domain/declarations crosscheck.ts): about a declared item, not an MBA.
  'ANNEX_II_UNMATCHED',
  'ANNEX_II_DISCREPANT',
  'SOURCE_MATERIAL_UNMATCHED',
  'SOURCE_MATERIAL_DISCREPANT',
  // Two validly signed inconsistent checkpoints of a log this node exchanges records with
  // (issue 17 item 5, decision 0043): about a log, listed for the states whose records flow with it.
  'LOG_SPLIT_VIEW',
] as const;
export type AlarmCode = (typeof ALARM_CODES)[number];

/** What the balance alarms look at for one period of one MBA × element. */
export interface AlarmPeriodInput {
  readonly to: IsoDate;
  readonly mufMg: Milligrams;
  readonly fissileMufMg: Milligrams;
  readonly mufGrams: number;
  readonly sigmaMuf: number;
  readonly page: number;
}

export interface AlarmOptions {
  readonly sq: SignificantQuantity;
  readonly timelinessMonths: number;
  readonly itemMba?: boolean;
  readonly pageH?: number;
  /** Multiple of σMUF for MUF_3SIGMA; 3 unless configured. */
  readonly sigmaFactor?: number;
}

/**
 * Balance alarms per period (domain.md §6), in the order of ALARM_CODES:
 * - MUF_3SIGMA: |MUF| > 3·σMUF (a balance with σMUF = 0 alarms on any non-zero MUF);
 * - MUF_SQ: |MUF| ≥ 1 SQ, on the element or the fissile MUF as the category counts its SQ;
 * - CUMUF_SQ: |Σ MUF| ≥ 1 SQ over this period and the earlier ones ending less than the
 *   timeliness goal before it (Custos decides: absolute value, as for MUF_SQ, since an apparent gain of
 *   a significant quantity is as unexplained as a loss);
 * - PAGE: Page's statistic on SITMUF > h;
 * - ITEM_MUF: an item MBA with MUF ≠ 0 exactly.
 */
export function evaluateBalanceAlarms(
  periods: readonly AlarmPeriodInput[],
  options: AlarmOptions,
): AlarmCode[][] {
  const factor = options.sigmaFactor ?? 3;
  const h = options.pageH ?? DEFAULT_PAGE.h;
  const sqMuf = (p: AlarmPeriodInput): number => (options.sq.basis === 'fissile' ? p.fissileMufMg : p.mufMg);
  const out: AlarmCode[][] = [];
  let windowStart = 0;
  let windowSum = 0;
  for (let i = 0; i < periods.length; i++) {
    const p = periods[i]!;
    const alarms: AlarmCode[] = [];
    if (Math.abs(p.mufGrams) > factor * p.sigmaMuf) alarms.push('MUF_3SIGMA');
    if (Math.abs(sqMuf(p)) >= options.sq.mg) alarms.push('MUF_SQ');
    windowSum += sqMuf(p);
    // Periods ending after the cutoff are inside the window; a month-end PIT looks back to the
    // month-end T months before (29 Feb − 1 month = 31 Jan, not 29 Jan).
    const back = addMonths(p.to, -options.timelinessMonths);
    const cutoff = p.to === endOfMonth(p.to) ? endOfMonth(back) : back;
    while (windowStart < i && periods[windowStart]!.to <= cutoff) {
      windowSum -= sqMuf(periods[windowStart]!);
      windowStart++;
    }
    if (Math.abs(windowSum) >= options.sq.mg) alarms.push('CUMUF_SQ');
    if (p.page > h) alarms.push('PAGE');
    if (options.itemMba === true && p.mufMg !== 0) alarms.push('ITEM_MUF');
    out.push(alarms);
  }
  return out;
}
