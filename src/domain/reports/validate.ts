/**
 * Report validation against the registry and the account (issue "Validation: every problem at
 * once"). Pure: the service fills a ValidationContext from the database; nothing here reads a
 * clock or a store. Field paths and line numbers follow build-report.ts.
 */
import { DEFAULT_MAX_DETAILS, ProblemList } from './problems.js';
import { Readable } from './readable.js';
import type { Report } from './report.types.js';
import { runSteps, type Steps } from './steps.js';
import { checkHeader } from './validate-header.js';
import { checkIcr, checkInventory } from './validate-lines.js';
import { checkLooseLines } from './validate-loose.js';
import { checkMbr } from './validate-mbr.js';
import { checkNotice } from './validate-notice.js';
import type { PartialValidation, ValidationContext, ValidationResult } from './validation.types.js';

interface ValidateOptions {
  readonly maxDetails?: number;
  readonly partial?: PartialValidation;
}

/** Every problem of a parsed report, at once. Errors refuse the report; warnings are stored with it. */
export function validateReport(
  report: Report,
  ctx: ValidationContext,
  options: ValidateOptions = {},
): ValidationResult {
  return runSteps(validateReportSteps(report, ctx, options));
}

/** validateReport in steps (steps.ts): the same checks, pausing every STEP_LINES lines. */
export function* validateReportSteps(
  report: Report,
  ctx: ValidationContext,
  options: ValidateOptions = {},
): Steps<ValidationResult> {
  const max = options.maxDetails ?? DEFAULT_MAX_DETAILS;
  const errors = new ProblemList(max);
  const warnings = new ProblemList(max);
  const readable = new Readable(options.partial);
  checkHeader(report, ctx, readable, errors);
  switch (report.type) {
    case 'ICR':
      yield* checkIcr(report, ctx, readable, errors, warnings);
      break;
    case 'PIL':
    case 'INITIAL':
      yield* checkInventory(report, ctx, readable, errors, warnings);
      break;
    case 'MBR':
      checkMbr(report, ctx, readable, errors, warnings);
      break;
    default:
      checkNotice(report, ctx, errors, warnings);
  }
  yield* checkLooseLines(report, options.partial?.loose ?? [], ctx, readable, errors);
  return { errors: errors.done(), warnings: warnings.done() };
}
