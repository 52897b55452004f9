import { addDays, dueDateUnder, toDayNumber, utcDateOf } from '../deadlines/index.js';
import {
  type DeadlineRule,
  findObligation,
  type Instrument,
  type LegalObligation,
  MODEL_INSTRUMENTS,
} from '../legal/index.js';
import type { DeclarationArticle } from './articles.js';
import { quarterEnd, quarterOf } from './validate.js';

/** One Article 3 deadline: the rule as its provision states it, and the provision's citation. */
export interface ApRule {
  readonly deadline: DeadlineRule;
  readonly ref: string;
}

/**
 * The deadline rules of INFCIRC/540 Article 3 as data, taken from the provisions binding the State
 * (the legal register, decision 0031), so these functions only compute. Every date is UTC.
 */
export interface ApDeadlineRules {
  /** Art. 3.a: initial declarations, from entry into force (model: 180 days). */
  readonly initial: ApRule;
  /** Art. 3.b: annual updates for the preceding calendar year (model: 15 May). */
  readonly annualUpdate: ApRule;
  /** Art. 3.c: source-material exports and imports for the preceding calendar year (model: 15 May). */
  readonly sourceMaterial: ApRule;
  /** Art. 3.d: Annex II exports, from the end of each quarter (model: 60 days). */
  readonly annexIIExports: ApRule;
  /**
   * A due date on a Saturday or Sunday: `keep` (the Protocol names a calendar date, so 15 May is
   * 15 May whatever the weekday) unless a provision says `next-working-day`.
   */
  readonly weekend: 'keep' | 'next-working-day';
}

/** The AP report types of the legal register's model texts (domain/legal model-texts.ts). */
const AP_REPORT_TYPES = {
  initial: 'AP_INITIAL',
  annualUpdate: 'AP_ANNUAL_UPDATE',
  sourceMaterial: 'AP_SOURCE_MATERIAL',
  annexIIExports: 'AP_ANNEX_II_EXPORTS',
} as const;

/**
 * The Article 3 rules from the instruments binding a State, in the order they apply
 * (legal.instrumentsBinding); a rule none of them states comes from the model Additional
 * Protocol, so a State whose register says nothing keeps the INFCIRC/540 figures.
 */
export function apDeadlineRulesFrom(instruments: readonly Instrument[]): ApDeadlineRules {
  const rule = (reportType: string): ApRule => {
    const match = (o: LegalObligation): o is Extract<LegalObligation, { kind: 'report' }> =>
      o.kind === 'report' && o.reportType === reportType;
    const found = findObligation(instruments, match) ?? findObligation(MODEL_INSTRUMENTS, match);
    // The model texts state each of the four, so this cannot be missing.
    if (!found) throw new Error(`no rule for ${reportType} in the model texts`);
    return { deadline: found.obligation.deadline, ref: found.basis.ref };
  };
  return {
    initial: rule(AP_REPORT_TYPES.initial),
    annualUpdate: rule(AP_REPORT_TYPES.annualUpdate),
    sourceMaterial: rule(AP_REPORT_TYPES.sourceMaterial),
    annexIIExports: rule(AP_REPORT_TYPES.annexIIExports),
    weekend: 'keep',
  };
}

/** The figures of the model Additional Protocol (INFCIRC/540 Art. 3). */
export const INFCIRC540_ARTICLE_3: ApDeadlineRules = apDeadlineRulesFrom([]);

/** Art. 3.a: the articles of the initial declaration, updated each year by 15 May (Art. 3.b). */
export const INITIAL_ARTICLES: readonly DeclarationArticle[] = [
  '2.a.i',
  '2.a.iii',
  '2.a.iv',
  '2.a.v',
  '2.a.vi.a',
  '2.a.vii',
  '2.a.x',
  '2.b',
];
/** Art. 3.c: source-material exports and imports, each year by 15 May for the preceding year. */
export const ANNUAL_TRADE_ARTICLES: readonly DeclarationArticle[] = ['2.a.vi.b', '2.a.vi.c'];

function onWorkingDay(date: string, rules: ApDeadlineRules): string {
  if (rules.weekend === 'keep') return date;
  // Day 0 (1970-01-01) was a Thursday: weekday 0 is Sunday, 6 Saturday.
  const weekday = (((toDayNumber(date) + 4) % 7) + 7) % 7;
  return weekday === 6 ? addDays(date, 2) : weekday === 0 ? addDays(date, 1) : date;
}

/** Art. 3.a: the initial declarations are due as the rule says after entry into force. */
export function initialDeclarationDue(entryIntoForce: string, rules = INFCIRC540_ARTICLE_3): string {
  return onWorkingDay(dueDateUnder(rules.initial.deadline, entryIntoForce), rules);
}

/** Art. 3.b/3.c: the declaration for calendar year `year` (model: 15 May of `year + 1`). */
export function annualDeclarationDue(
  year: number,
  rules = INFCIRC540_ARTICLE_3,
  which: 'annualUpdate' | 'sourceMaterial' = 'annualUpdate',
): string {
  return onWorkingDay(dueDateUnder(rules[which].deadline, `${year}-12-31`), rules);
}

/** Art. 3.d: the Annex II exports of a quarter (model: 60 days after the quarter's end). */
export function quarterlyExportDue(
  year: number,
  quarter: 1 | 2 | 3 | 4,
  rules = INFCIRC540_ARTICLE_3,
): string {
  return onWorkingDay(dueDateUnder(rules.annexIIExports.deadline, quarterEnd(year, quarter)), rules);
}

/** What a declaration answers, from its period: a calendar year, a quarter, or (else) the initial one. */
export function declarationCovers(
  article: DeclarationArticle,
  period: { readonly from: string; readonly to: string },
):
  | { kind: 'annual'; year: number }
  | { kind: 'quarterly'; year: number; quarter: 1 | 2 | 3 | 4 }
  | { kind: 'initial' } {
  if (article === '2.a.ix') {
    const q = quarterOf(period.from, period.to);
    if (q) return { kind: 'quarterly', ...q };
  }
  const y = period.from.slice(0, 4);
  if (period.from === `${y}-01-01` && period.to === `${y}-12-31`) return { kind: 'annual', year: Number(y) };
  return { kind: 'initial' };
}

export type ApObligationStatus = 'upcoming' | 'met' | 'late' | 'missing';

export interface ApObligation {
  /** `AP:<article>:initial`, `AP:<article>:<year>` or `AP:2.a.ix:<year>-Q<n>`. */
  readonly id: string;
  readonly article: DeclarationArticle;
  readonly kind: 'initial' | 'annual' | 'quarterly';
  /** The protocol (agreement) that creates the obligation. */
  readonly agreement: string;
  /** The provision the deadline comes from, as cited on screen. */
  readonly ref: string;
  /** The period to declare (annual and quarterly obligations). */
  readonly period?: { readonly from: string; readonly to: string };
  readonly dueDate: string;
  readonly status: ApObligationStatus;
  readonly daysLate?: number;
  readonly daysOverdue?: number;
  readonly daysRemaining?: number;
  readonly submittedAt?: string;
  readonly declarationId?: string;
}

/** A declaration as the deadlines see it: what it answers and when it was submitted. */
export interface ReceivedDeclaration {
  readonly id: string;
  readonly article: DeclarationArticle;
  readonly period: { readonly from: string; readonly to: string };
  readonly submittedAt: string;
  readonly supplements?: string | null;
}

export interface ApObligationsInput {
  readonly protocol: { readonly id: string; readonly entryIntoForce: string };
  readonly declarations: readonly ReceivedDeclaration[];
  readonly today: string;
  readonly rules?: ApDeadlineRules;
}

interface Owed {
  readonly id: string;
  readonly article: DeclarationArticle;
  readonly kind: ApObligation['kind'];
  readonly ref: string;
  readonly period?: { readonly from: string; readonly to: string };
  readonly dueDate: string;
}

function owed(eif: string, today: string, rules: ApDeadlineRules): Owed[] {
  const out: Owed[] = [];
  const initialDue = initialDeclarationDue(eif, rules);
  for (const article of INITIAL_ARTICLES)
    out.push({
      id: `AP:${article}:initial`,
      article,
      kind: 'initial',
      ref: rules.initial.ref,
      dueDate: initialDue,
    });
  const thisYear = Number(today.slice(0, 4));
  // Only periods that have ended are owed. Art. 3.b updates the initial information, so the first
  // update is for the year in which the initial declaration falls due; Art. 3.c trade runs from
  // the year of entry into force.
  const annual = (
    articles: readonly DeclarationArticle[],
    firstYear: number,
    which: 'annualUpdate' | 'sourceMaterial',
  ) => {
    for (let year = firstYear; year < thisYear; year++)
      for (const article of articles)
        out.push({
          id: `AP:${article}:${year}`,
          article,
          kind: 'annual',
          ref: rules[which].ref,
          period: { from: `${year}-01-01`, to: `${year}-12-31` },
          dueDate: annualDeclarationDue(year, rules, which),
        });
  };
  annual(INITIAL_ARTICLES, Number(initialDue.slice(0, 4)), 'annualUpdate');
  annual(ANNUAL_TRADE_ARTICLES, Number(eif.slice(0, 4)), 'sourceMaterial');
  for (let year = Number(eif.slice(0, 4)); year <= thisYear; year++) {
    for (const quarter of [1, 2, 3, 4] as const) {
      const end = quarterEnd(year, quarter);
      if (end < eif || end >= today) continue;
      out.push({
        id: `AP:2.a.ix:${year}-Q${quarter}`,
        article: '2.a.ix',
        kind: 'quarterly',
        ref: rules.annexIIExports.ref,
        period: { from: quarterStart(year, quarter), to: end },
        dueDate: quarterlyExportDue(year, quarter, rules),
      });
    }
  }
  return out;
}

function quarterStart(year: number, quarter: 1 | 2 | 3 | 4): string {
  return `${year}-${String((quarter - 1) * 3 + 1).padStart(2, '0')}-01`;
}

function keyOf(d: ReceivedDeclaration): string | undefined {
  if (d.supplements) return undefined;
  const c = declarationCovers(d.article, d.period);
  if (c.kind === 'initial') return `AP:${d.article}:initial`;
  if (c.kind === 'annual') return `AP:${d.article}:${c.year}`;
  return `AP:2.a.ix:${c.year}-Q${c.quarter}`;
}

/**
 * A State's Article 3 obligations as of `today`: each is met by the earliest original declaration
 * (a supplement amends, it does not answer) of its article whose period is the one owed — a
 * calendar year for annual ones, the quarter for Annex II exports, any other period for the
 * initial declaration. On time when submitted (UTC date) on or before the due date.
 */
export function computeApObligations(input: ApObligationsInput): ApObligation[] {
  const rules = input.rules ?? INFCIRC540_ARTICLE_3;
  const { today } = input;
  toDayNumber(today, 'today');
  const first = new Map<string, ReceivedDeclaration>();
  for (const d of input.declarations) {
    const key = keyOf(d);
    if (key === undefined) continue;
    const seen = first.get(key);
    if (!seen || d.submittedAt < seen.submittedAt) first.set(key, d);
  }
  return owed(input.protocol.entryIntoForce, today, rules).map((o): ApObligation => {
    const base = { ...o, agreement: input.protocol.id };
    const d = first.get(o.id);
    if (d) {
      const late = toDayNumber(utcDateOf(d.submittedAt)) - toDayNumber(o.dueDate);
      return late > 0
        ? { ...base, status: 'late', daysLate: late, submittedAt: d.submittedAt, declarationId: d.id }
        : { ...base, status: 'met', submittedAt: d.submittedAt, declarationId: d.id };
    }
    const remaining = toDayNumber(o.dueDate) - toDayNumber(today);
    return remaining < 0
      ? { ...base, status: 'missing', daysOverdue: -remaining }
      : { ...base, status: 'upcoming', daysRemaining: remaining };
  });
}
