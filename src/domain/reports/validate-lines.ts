/** Checks of ICR and inventory (PIL, INITIAL) lines, and of the weights every line and notice carries. */
import { problemOf } from '../particulars.js';
import { BatchSet, RepeatedNames } from './batch-set.js';
import { DEFAULT_BASIS_CODES, DEFAULT_ISOTOPE_CODES, type IcCodeInfo } from './codes.js';
import { isCalendarMonth } from './dates.js';
import type { ProblemList } from './problems.js';
import type { Readable } from './readable.js';
import type {
  ElementCode,
  IcrLine,
  IcrReport,
  LineRef,
  MbrReport,
  Milligrams,
  PilReport,
} from './report.types.js';
import { STEP_LINES, type Steps } from './steps.js';
import { ownsMba } from './validate-header.js';
import type { ValidationContext } from './validation.types.js';
import { formatWeight, formatWeightText as g } from './weight.js';

export function lineRefKey(ref: LineRef): string {
  return `${ref.reportNumber}:${ref.line}`;
}

export function batchKey(batch: string, element: ElementCode): string {
  return `${element}:${batch}`;
}

interface WeighedLine {
  readonly line: number;
  readonly kmp: string;
  readonly element: ElementCode;
  readonly weightMg: Milligrams;
  readonly fissileMg?: Milligrams;
  readonly isotope?: string;
  readonly basis?: string;
}

/** Checks shared by ICR and inventory lines. */
function checkLineBasics(
  l: WeighedLine,
  path: string,
  ctx: ValidationContext,
  errors: ProblemList,
  warnings: ProblemList,
) {
  const ln = l.line;
  // Under an unknown or another state's MBA every KMP would be unknown: UNKNOWN_MBA says it once.
  if (ctx.mba?.state === ctx.submitterState && !ctx.kmps.has(l.kmp)) {
    errors.add(
      problemOf('UNKNOWN_KMP', { kmp: l.kmp }),
      `${path}.kmp`,
      `KMP "${l.kmp}" is not registered`,
      ln,
    );
  }
  if (ctx.elements !== undefined && !ctx.elements.has(l.element)) {
    errors.add(
      problemOf('UNKNOWN_ELEMENT', { element: l.element }),
      `${path}.element`,
      `element ${l.element} is not covered by the agreement`,
      ln,
    );
  }
  checkWeights(l.weightMg, l.fissileMg, false, path, ln, errors);
  if (l.basis !== undefined && !(ctx.basisCodes ?? DEFAULT_BASIS_CODES).has(l.basis)) {
    errors.add(
      problemOf('UNKNOWN_BASIS', { basis: l.basis }),
      `${path}.basis`,
      `measurement basis "${l.basis}" is not known`,
      ln,
    );
  }
  if (l.isotope !== undefined && !(ctx.isotopeCodes ?? DEFAULT_ISOTOPE_CODES).has(l.isotope)) {
    errors.add(
      problemOf('UNKNOWN_ISOTOPE', { isotope: l.isotope }),
      `${path}.isotope`,
      `isotope code "${l.isotope}" is not known`,
      ln,
    );
  }
  if (l.element === 'E' && l.fissileMg === undefined) {
    warnings.add(
      problemOf('FISSILE_MISSING', {}),
      `${path}.fissileWeight`,
      'enriched uranium without its U-235 weight',
      ln,
    );
  }
}

export function checkWeights(
  weightMg: Milligrams,
  fissileMg: Milligrams | undefined,
  signed: boolean,
  path: string,
  ln: number | undefined,
  errors: ProblemList,
): void {
  if (!signed && weightMg < 0)
    errors.add(problemOf('NEGATIVE_WEIGHT', {}), `${path}.weight`, 'weight is negative', ln);
  if (fissileMg === undefined) return;
  if (!signed && fissileMg < 0) {
    errors.add(problemOf('NEGATIVE_WEIGHT', {}), `${path}.fissileWeight`, 'fissile weight is negative', ln);
  } else if (Math.abs(fissileMg) > Math.abs(weightMg) || (signed && fissileMg * weightMg < 0)) {
    errors.add(
      problemOf('FISSILE_EXCEEDS_ELEMENT', {
        fissile: formatWeight(fissileMg),
        weight: formatWeight(weightMg),
      }),
      `${path}.fissileWeight`,
      `fissile weight ${g(fissileMg)} g exceeds element weight ${g(weightMg)} g`,
      ln,
    );
  }
}

/** The ICR's period is one calendar month, and the report is not dated before it ends. */
function checkPeriod(
  report: IcrReport,
  readable: Readable,
  errors: ProblemList,
  warnings: ProblemList,
): void {
  const { from, to } = report.period;
  const hasPeriod = readable.has('period');
  if (!hasPeriod) {
    // an unreadable period is already reported; the lines' dates cannot be checked against it
  } else if (from > to) {
    errors.add(
      problemOf('PERIOD_INVALID.reversed', { from, to }),
      'period',
      `period starts ${from} after it ends ${to}`,
    );
  } else if (!isCalendarMonth(from, to)) {
    // domain.md §2: the ICR period is "the month".
    errors.add(
      problemOf('PERIOD_INVALID.notMonth', { from, to }),
      'period',
      `an ICR covers one calendar month, not ${from}..${to}`,
    );
  }
  if (hasPeriod && readable.has('reportDate') && report.reportDate < to) {
    warnings.add(
      problemOf('REPORT_DATE_EARLY', { date: report.reportDate, end: to }),
      'reportDate',
      `report dated ${report.reportDate}, before its period ends`,
    );
  }
}

/** In steps (steps.ts): it pauses every STEP_LINES lines. */
export function* checkIcr(
  report: IcrReport,
  ctx: ValidationContext,
  readable: Readable,
  errors: ProblemList,
  warnings: ProblemList,
): Steps<void> {
  const { from, to } = report.period;
  const hasPeriod = readable.has('period');
  checkPeriod(report, readable, errors, warnings);
  const ownState = ctx.mba?.state ?? ctx.submitterState;
  // The account checks (notices on record, correction targets) only look into the state's own MBA.
  const own = ownsMba(report, ctx);
  // The (batch, element) pairs per inventory change code. Those the report creates are the pairs
  // of the codes that create batches: no second set of them (decision 0051).
  const seenChange = new Map<string, BatchSet>();
  // Only the names on more than one new line can repeat a pair: only they are kept (decision 0058).
  const names = new RepeatedNames(report.lines.length);
  for (let i = 0; i < report.lines.length; i++) {
    if (i > 0 && i % STEP_LINES === 0) yield;
    const l = report.lines[i]!;
    if (l.corrects === undefined && l.deletes === undefined) names.add(l.batch);
  }
  const targets = ctx.correctionTargets;
  const notices = ctx.knownNotices;
  for (let i = 0; i < report.lines.length; i++) {
    if (i > 0 && i % STEP_LINES === 0) yield;
    const l = report.lines[i]!;
    const path = readable.path(i);
    const ln = l.line;
    checkLineBasics(l, path, ctx, errors, warnings);
    const ref = l.corrects ?? l.deletes;
    // A correction carries the date of the change it corrects, which may lie in an earlier month.
    if (hasPeriod && (ref === undefined ? l.date < from || l.date > to : l.date > to)) {
      errors.add(
        problemOf('DATE_OUTSIDE_PERIOD.outsidePeriod', { date: l.date, from, to }),
        `${path}.date`,
        `date ${l.date} is outside the period ${from}..${to}`,
        ln,
      );
    } else if (ctx.agreementStart !== undefined && l.date < ctx.agreementStart) {
      errors.add(
        problemOf('DATE_OUTSIDE_PERIOD.beforeAgreement', { date: l.date, start: ctx.agreementStart }),
        `${path}.date`,
        `date ${l.date} is before the agreement started`,
        ln,
      );
    }
    const info = ctx.icCodes.get(l.code);
    if (info === undefined) {
      errors.add(
        problemOf('UNKNOWN_IC_CODE', { code: l.code }),
        `${path}.code`,
        `inventory change code "${l.code}" is not known`,
        ln,
      );
    } else if (info.transfer !== undefined) {
      checkCounterpart(l, info.transfer, path, ownState, report.mba, errors);
    }
    if (l.notice !== undefined && own && notices?.has(l.notice) !== true) {
      errors.add(
        problemOf('NOTICE_UNKNOWN', { notice: l.notice }),
        `${path}.notice`,
        `no advance notice "${l.notice}" is on record`,
        ln,
      );
    }
    if (ref !== undefined) {
      const field = l.corrects !== undefined ? 'corrects' : 'deletes';
      const later = readable.has('reportNumber') && ref.reportNumber >= report.reportNumber;
      if (later || (own && targets?.has(lineRefKey(ref)) !== true)) {
        errors.add(
          problemOf('CORRECTION_TARGET_UNKNOWN', {
            reportNumber: ref.reportNumber,
            line: ref.line,
            mba: report.mba,
          }),
          `${path}.${field}`,
          `no earlier ICR line ${ref.reportNumber}:${ref.line} of ${report.mba} to correct`,
          ln,
        );
      }
      continue; // a correction restates its batch; the batch rules apply to new changes only
    }
    let seenOfCode = seenChange.get(l.code);
    if (seenOfCode === undefined) {
      seenOfCode = new BatchSet();
      seenChange.set(l.code, seenOfCode);
    }
    const repeats = names.mayRepeat(l.batch);
    if (repeats && seenOfCode.has(l.batch, l.element)) {
      errors.add(
        problemOf('BATCH_REUSED.twiceInReport', { batch: l.batch, code: l.code }),
        `${path}.batch`,
        `batch "${l.batch}" has a second ${l.code} line in this report`,
        ln,
      );
    } else {
      if (repeats) seenOfCode.add(l.batch, l.element);
      if (info?.createsBatch === true) {
        if (
          (repeats && createdByAnotherCode(seenChange, l, ctx)) ||
          ctx.bookBatches?.has(batchKey(l.batch, l.element)) === true
        ) {
          errors.add(
            problemOf('BATCH_REUSED.onBook', { batch: l.batch, element: l.element }),
            `${path}.batch`,
            `batch "${l.batch}" (${l.element}) is already on the book`,
            ln,
          );
        }
      }
    }
  }
}

/** A transfer line names its counterpart: another state for a foreign transfer, another MBA. */
function checkCounterpart(
  l: IcrReport['lines'][number],
  transfer: NonNullable<IcCodeInfo['transfer']>,
  path: string,
  ownState: string,
  mba: string,
  errors: ProblemList,
): void {
  const ln = l.line;
  if (l.counterpart === undefined) {
    errors.add(
      problemOf('FIELD_MISSING.counterpart', { code: l.code }),
      `${path}.counterpart`,
      `a ${l.code} line names the other state and MBA`,
      ln,
    );
  } else if (transfer === 'foreign' && l.counterpart.state === ownState) {
    errors.add(
      problemOf('COUNTERPART_INVALID.sameState', {}),
      `${path}.counterpart.state`,
      'a foreign transfer goes to another state',
      ln,
    );
  } else if (l.counterpart.mba !== undefined && l.counterpart.mba === mba) {
    errors.add(
      problemOf('COUNTERPART_INVALID.sameMba', {}),
      `${path}.counterpart.mba`,
      'a transfer goes to another MBA',
      ln,
    );
  }
}

/**
 * An earlier new line of another batch-creating code created this (batch, element) pair: the pair
 * is among that code's (a line of the same code with it was refused above as a second one).
 */
function createdByAnotherCode(
  seenChange: ReadonlyMap<string, BatchSet>,
  l: Pick<IcrLine, 'code' | 'batch' | 'element'>,
  ctx: ValidationContext,
): boolean {
  for (const [code, seen] of seenChange) {
    if (code !== l.code && ctx.icCodes.get(code)?.createsBatch === true && seen.has(l.batch, l.element))
      return true;
  }
  return false;
}

export function checkPit(
  report: PilReport | MbrReport,
  ctx: ValidationContext,
  readable: Readable,
  errors: ProblemList,
): void {
  if (!readable.has('pit')) return;
  if (readable.has('reportDate') && report.pit > report.reportDate) {
    errors.add(
      problemOf('DATE_OUTSIDE_PERIOD.pitAfterReport', { pit: report.pit, reportDate: report.reportDate }),
      'pit',
      `inventory date ${report.pit} is after the report date`,
    );
  } else if (ctx.previousPit !== undefined && report.pit <= ctx.previousPit) {
    errors.add(
      problemOf('DATE_OUTSIDE_PERIOD.pitNotAfterPrevious', { pit: report.pit, previous: ctx.previousPit }),
      'pit',
      `inventory date ${report.pit} is not after the previous ${ctx.previousPit}`,
    );
  } else if (ctx.agreementStart !== undefined && report.pit < ctx.agreementStart) {
    errors.add(
      problemOf('DATE_OUTSIDE_PERIOD.beforeAgreement', { date: report.pit, start: ctx.agreementStart }),
      'pit',
      `inventory date ${report.pit} is before the agreement started`,
    );
  }
}

/** In steps (steps.ts): it pauses every STEP_LINES lines. */
export function* checkInventory(
  report: PilReport,
  ctx: ValidationContext,
  readable: Readable,
  errors: ProblemList,
  warnings: ProblemList,
): Steps<void> {
  checkPit(report, ctx, readable, errors);
  const seen = new Set<string>();
  for (let i = 0; i < report.lines.length; i++) {
    if (i > 0 && i % STEP_LINES === 0) yield;
    const l = report.lines[i]!;
    const path = readable.path(i);
    checkLineBasics(l, path, ctx, errors, warnings);
    const bk = batchKey(l.batch, l.element);
    if (seen.has(bk)) {
      errors.add(
        problemOf('BATCH_REUSED.listedTwice', { batch: l.batch, element: l.element }),
        `${path}.batch`,
        `batch "${l.batch}" (${l.element}) is listed twice`,
        l.line,
      );
    }
    seen.add(bk);
  }
}
