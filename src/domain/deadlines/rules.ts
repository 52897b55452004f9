import {
  type DeadlineRule,
  findObligation,
  type Instrument,
  type LegalObligation,
  MODEL_INSTRUMENTS,
  type ProvisionBasis,
} from '../legal/index.js';
import type { IsoDate } from '../reports/report.types.js';
import { addDays, lastDayOfMonth, monthOf } from './calendar.js';

/** A deadline rule and the provision it comes from (issue 19: every deadline cites its basis). */
export interface ReportingRule {
  readonly deadline: DeadlineRule;
  readonly basis: ProvisionBasis;
}

/** The report types the accounting engine computes obligations for (domain.md §2). */
const ACCOUNTING_REPORTS = ['INITIAL', 'ICR', 'PIL', 'MBR', 'EXPORT_NOTICE', 'IMPORT_NOTICE'] as const;
type AccountingReport = (typeof ACCOUNTING_REPORTS)[number];

export type ReportingRules = Readonly<Record<AccountingReport, ReportingRule>>;

type ReportObligation = Extract<LegalObligation, { kind: 'report' }>;

/**
 * The rule for `reportType` from the instruments binding a state (in the order they apply, see
 * legal.instrumentsBinding), or from the model texts when none of them states one: a state whose
 * register is empty keeps the model's figures (decision 0031).
 */
export function reportingRuleFor(
  instruments: readonly Instrument[],
  reportType: string,
): ReportingRule | undefined {
  const match = (o: LegalObligation): o is ReportObligation =>
    o.kind === 'report' && o.reportType === reportType;
  const found = findObligation(instruments, match) ?? findObligation(MODEL_INSTRUMENTS, match);
  return found && { deadline: found.obligation.deadline, basis: found.basis };
}

/** Every accounting report's rule for a state (see reportingRuleFor). */
export function reportingRulesFrom(instruments: readonly Instrument[]): ReportingRules {
  const out: Partial<Record<AccountingReport, ReportingRule>> = {};
  for (const type of ACCOUNTING_REPORTS) {
    const rule = reportingRuleFor(instruments, type);
    // The model texts state every accounting report's rule, so this cannot be missing.
    if (!rule) throw new Error(`no rule for ${type} in the model texts`);
    out[type] = rule;
  }
  return out as ReportingRules;
}

function lastDayOfQuarter(date: IsoDate): IsoDate {
  const month = Number(date.slice(5, 7));
  const end = Math.ceil(month / 3) * 3;
  return lastDayOfMonth(`${date.slice(0, 4)}-${String(end).padStart(2, '0')}`);
}

/**
 * The due date a rule gives for its anchor date (UTC calendar days, domain.md §2, §8):
 * `end-of-month`, `end-of-month-of-entry-into-force` and `end-of-quarter` count from the last day
 * of the anchor's month or quarter; `annual` is month/day of the year after the anchor's year (the
 * calendar year reported); `without-delay` is the anchor's own day. A weekend or holiday moves
 * nothing: no provision says otherwise.
 */
export function dueDateUnder(rule: DeadlineRule, anchor: IsoDate): IsoDate {
  switch (rule.anchor) {
    case 'end-of-month':
    case 'end-of-month-of-entry-into-force':
      return addDays(lastDayOfMonth(monthOf(anchor)), rule.days);
    case 'end-of-quarter':
      monthOf(anchor);
      return addDays(lastDayOfQuarter(anchor), rule.days);
    case 'entry-into-force':
    case 'pit':
    case 'event':
      return addDays(anchor, rule.days);
    case 'annual': {
      monthOf(anchor);
      const year = Number(anchor.slice(0, 4)) + 1;
      return `${year}-${String(rule.month).padStart(2, '0')}-${String(rule.day).padStart(2, '0')}`;
    }
    case 'without-delay':
      return addDays(anchor, 0);
  }
}
