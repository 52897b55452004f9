/** Checks of a report's header: signature, MBA and its owner, numbering, line count and dates. */
import { problemOf } from '../particulars.js';
import type { ProblemList } from './problems.js';
import type { Readable } from './readable.js';
import type { Report } from './report.types.js';
import type { SignatureOutcome, ValidationContext } from './validation.types.js';

export function checkHeader(
  report: Report,
  ctx: ValidationContext,
  readable: Readable,
  errors: ProblemList,
): void {
  if (ctx.signature !== undefined && ctx.signature !== 'VALID') {
    errors.add(problemOf(ctx.signature, {}), 'signature', signatureMessage[ctx.signature]);
  }
  if (ctx.mba === undefined || ctx.mba.code !== report.mba || ctx.mba.state !== ctx.submitterState) {
    // One answer for an unknown MBA and another state's (issue 15 item 10): two codes would tell
    // a state which of another state's MBA codes exist.
    errors.add(
      problemOf('UNKNOWN_MBA', { mba: report.mba, state: ctx.submitterState }),
      'mba',
      `MBA "${report.mba}" is not a registered MBA of ${ctx.submitterState}`,
    );
  }
  const n = report.reportNumber;
  if (!readable.has('reportNumber') || !ownsMba(report, ctx)) {
    // nothing to compare (another state's numbering is not ours to see)
  } else if (ctx.existingReportNumbers.has(n)) {
    errors.add(
      problemOf('REPORT_DUPLICATE', { type: report.type, number: n, mba: report.mba }),
      'reportNumber',
      `${report.type} number ${n} for ${report.mba} already exists`,
    );
  } else if (n !== ctx.lastReportNumber + 1) {
    errors.add(
      problemOf('REPORT_NUMBER_GAP', {
        type: report.type,
        mba: report.mba,
        expected: ctx.lastReportNumber + 1,
        found: n,
      }),
      'reportNumber',
      `${report.type} numbers for ${report.mba} are sequential: expected ${ctx.lastReportNumber + 1}, got ${n}`,
    );
  }
  const count = readable.lineCount ?? report.lines.length;
  if (readable.has('lineCount') && report.lineCount !== count) {
    errors.add(
      problemOf('LINE_COUNT_MISMATCH', { declared: report.lineCount, found: count }),
      'lineCount',
      `lineCount says ${report.lineCount} but the report has ${count} line${count === 1 ? '' : 's'}`,
    );
  }
  if (readable.has('reportDate') && ctx.today !== undefined && report.reportDate > ctx.today) {
    errors.add(
      problemOf('DATE_OUTSIDE_PERIOD.afterToday', { date: report.reportDate, today: ctx.today }),
      'reportDate',
      `report date ${report.reportDate} is after today (${ctx.today})`,
    );
  }
  // Lines are numbered 1..n, each once, in any order (n counts unreadable lines too).
  if (count > 0) {
    const seen = new Uint8Array(count + 1);
    for (let i = 0; i < report.lines.length; i++) {
      const ln = (report.lines[i] as { line: number }).line;
      if (ln > count) {
        errors.add(
          problemOf('LINE_NUMBERING.beyond', { count }),
          `${readable.path(i)}.line`,
          `line numbers run from 1 to ${count}`,
          ln,
        );
      } else if (seen[ln] === 1) {
        errors.add(
          problemOf('LINE_NUMBERING.twice', {}),
          `${readable.path(i)}.line`,
          `line number ${ln} is used twice`,
          ln,
        );
      } else {
        seen[ln] = 1;
      }
    }
  }
}

/** The report's MBA is registered and belongs to the submitting state. */
export function ownsMba(report: Report, ctx: ValidationContext): boolean {
  return ctx.mba !== undefined && ctx.mba.code === report.mba && ctx.mba.state === ctx.submitterState;
}

const signatureMessage: Record<Exclude<SignatureOutcome, 'VALID'>, string> = {
  SIGNATURE_INVALID: 'the signature does not verify over the submitted bytes',
  KEY_UNKNOWN: 'the signing key is not registered',
  KEY_NOT_VALID: 'the signing key was not valid at the report date',
};
