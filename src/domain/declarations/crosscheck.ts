import { addDays } from '../deadlines/index.js';
import {
  type ApDeadlineRules,
  annualDeclarationDue,
  INFCIRC540_ARTICLE_3,
  quarterlyExportDue,
} from './deadlines.js';
import { quarterEnd } from './validate.js';

/**
 * The cross-checks of issue 19 item 5: an Annex II export (Art. 2.a.(ix)(a)) against the
 * receiving State's confirmation (Art. 2.a.(ix)(b)), a source-material export (Art. 2.a.(vi)(b))
 * against the receiving State's import (Art. 2.a.(vi)(c)). The pairing itself runs in SQL
 * (store/declaration-checks.repo.ts); what is decided here is when a lone item becomes a finding.
 * The findings are the alarms ANNEX_II_UNMATCHED, ANNEX_II_DISCREPANT, SOURCE_MATERIAL_UNMATCHED
 * and SOURCE_MATERIAL_DISCREPANT (domain/accounting ALARM_CODES).
 */

/** Art. 3.g: the importing State confirms within 60 days of the Agency's request. */
export const CONFIRMATION_DAYS = 60;

/**
 * Annex II items dated before this day are past their grace period: the export's quarter was
 * due (Art. 3.d) and the importing State has had CONFIRMATION_DAYS more to confirm (Custos takes
 * the export declaration as the Agency's request under Art. 3.g).
 */
export function annexIIUnmatchedBefore(asOf: string, rules: ApDeadlineRules = INFCIRC540_ARTICLE_3): string {
  let year = Number(asOf.slice(0, 4));
  let quarter = (Math.floor((Number(asOf.slice(5, 7)) - 1) / 3) + 1) as 1 | 2 | 3 | 4;
  // At most a few quarters back: the grace is the quarter's due date plus 60 days.
  for (;;) {
    if (addDays(quarterlyExportDue(year, quarter, rules), CONFIRMATION_DAYS) < asOf)
      return addDays(quarterEnd(year, quarter), 1);
    if (quarter === 1) {
      year--;
      quarter = 4;
    } else quarter = (quarter - 1) as 1 | 2 | 3;
  }
}

/**
 * Source-material items dated before this day are past their grace period: both States'
 * declarations of that calendar year were due by 15 May of the next (Art. 3.c).
 */
export function sourceMaterialUnmatchedBefore(
  asOf: string,
  rules: ApDeadlineRules = INFCIRC540_ARTICLE_3,
): string {
  let year = Number(asOf.slice(0, 4));
  while (annualDeclarationDue(year, rules, 'sourceMaterial') >= asOf) year--;
  return `${year + 1}-01-01`;
}
