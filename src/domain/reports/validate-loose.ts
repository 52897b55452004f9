/**
 * The lines that could not be read whole (issue 16 item 6: "every problem at once" holds for every
 * line): each of their fields that did read gets the checks that need that field alone, so a line
 * with an invalid element still reports its unknown KMP, its unknown code or its date outside the
 * period. Checks that need the whole line or other lines (batches, corrections, counterparts) wait
 * until the line reads.
 */

import { problemOf } from '../particulars.js';
import { DEFAULT_BASIS_CODES, DEFAULT_ISOTOPE_CODES } from './codes.js';
import type { LooseLine } from './parse.types.js';
import type { ProblemList } from './problems.js';
import type { Readable } from './readable.js';
import type { ElementCode, Report } from './report.types.js';
import { STEP_LINES, type Steps } from './steps.js';
import { checkWeights } from './validate-lines.js';
import type { ValidationContext } from './validation.types.js';

/** In steps (steps.ts): it pauses every STEP_LINES lines. */
export function* checkLooseLines(
  report: Report,
  loose: readonly LooseLine[],
  ctx: ValidationContext,
  readable: Readable,
  errors: ProblemList,
): Steps<void> {
  if (report.type !== 'ICR' && report.type !== 'PIL' && report.type !== 'INITIAL') return;
  const period = report.type === 'ICR' && readable.has('period') ? report.period : undefined;
  let n = 0;
  for (const l of loose) {
    if (++n % STEP_LINES === 0) yield;
    const path = `lines[${l.position}]`;
    const ln = l.line;
    if (l.kmp !== undefined && ctx.mba?.state === ctx.submitterState && !ctx.kmps.has(l.kmp)) {
      errors.add(
        problemOf('UNKNOWN_KMP', { kmp: l.kmp }),
        `${path}.kmp`,
        `KMP "${l.kmp}" is not registered`,
        ln,
      );
    }
    if (
      l.element !== undefined &&
      ctx.elements !== undefined &&
      !ctx.elements.has(l.element as ElementCode)
    ) {
      errors.add(
        problemOf('UNKNOWN_ELEMENT', { element: l.element }),
        `${path}.element`,
        `element ${l.element} is not covered by the agreement`,
        ln,
      );
    }
    if (l.weightMg !== undefined) checkWeights(l.weightMg, l.fissileMg, false, path, ln, errors);
    else if (l.fissileMg !== undefined && l.fissileMg < 0)
      errors.add(problemOf('NEGATIVE_WEIGHT', {}), `${path}.fissileWeight`, 'fissile weight is negative', ln);
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
    if (l.code !== undefined && !ctx.icCodes.has(l.code)) {
      errors.add(
        problemOf('UNKNOWN_IC_CODE', { code: l.code }),
        `${path}.code`,
        `inventory change code "${l.code}" is not known`,
        ln,
      );
    }
    if (l.date !== undefined && period !== undefined) {
      const outside = l.correction === true ? l.date > period.to : l.date < period.from || l.date > period.to;
      if (outside) {
        errors.add(
          problemOf('DATE_OUTSIDE_PERIOD.outsidePeriod', { date: l.date, from: period.from, to: period.to }),
          `${path}.date`,
          `date ${l.date} is outside the period ${period.from}..${period.to}`,
          ln,
        );
      }
    }
  }
}
