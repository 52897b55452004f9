/** Checks of an export or import notice (domain.md §2). */
import { problemOf } from '../particulars.js';
import { daysBetween } from './dates.js';
import type { ProblemList } from './problems.js';
import type { NoticeReport } from './report.types.js';
import { checkWeights } from './validate-lines.js';
import type { ValidationContext } from './validation.types.js';

/** domain.md §2: an export is notified at least this many days before its preparation. */
const EXPORT_NOTICE_DAYS = 14;

export function checkNotice(
  report: NoticeReport,
  ctx: ValidationContext,
  errors: ProblemList,
  warnings: ProblemList,
): void {
  const n = report.notice;
  checkWeights(n.weightMg, n.fissileMg, false, 'notice', undefined, errors);
  if (ctx.elements !== undefined && !ctx.elements.has(n.element)) {
    errors.add(
      problemOf('UNKNOWN_ELEMENT', { element: n.element }),
      'notice.element',
      `element ${n.element} is not covered by the agreement`,
    );
  }
  if (n.element === 'E' && n.fissileMg === undefined) {
    warnings.add(
      problemOf('FISSILE_MISSING', {}),
      'notice.fissileWeight',
      'enriched uranium without its U-235 weight',
    );
  }
  if (ctx.knownNotices?.has(n.reference) === true) {
    errors.add(
      problemOf('REPORT_DUPLICATE.notice', { reference: n.reference }),
      'notice.reference',
      `notice reference "${n.reference}" is already used`,
    );
  }
  if (n.otherState === (ctx.mba?.state ?? ctx.submitterState)) {
    errors.add(
      problemOf('COUNTERPART_INVALID.sameState', {}),
      'notice.otherState',
      'an international transfer involves another state',
    );
  }
  if (n.dispatchDate < n.preparationDate) {
    errors.add(problemOf('DATE_ORDER.dispatch', {}), 'notice.dispatchDate', 'dispatch is before preparation');
  }
  if (n.arrivalDate < n.dispatchDate) {
    errors.add(problemOf('DATE_ORDER.arrival', {}), 'notice.arrivalDate', 'arrival is before dispatch');
  }
  // domain.md §2: export notice ≥ 2 weeks before preparation; import no later than taking responsibility.
  if (
    report.type === 'EXPORT_NOTICE' &&
    daysBetween(report.reportDate, n.preparationDate) < EXPORT_NOTICE_DAYS
  ) {
    warnings.add(
      problemOf('NOTICE_RULE_VIOLATED.export', { days: EXPORT_NOTICE_DAYS }),
      'notice.preparationDate',
      'an export is notified at least 14 days before preparation',
    );
  }
  if (report.type === 'IMPORT_NOTICE' && report.reportDate > n.arrivalDate) {
    warnings.add(
      problemOf('NOTICE_RULE_VIOLATED.import', {}),
      'notice.arrivalDate',
      'an import is notified no later than its arrival',
    );
  }
}
