import { DomainError } from '../errors.js';
import type { ProvisionBasis } from '../legal/index.js';
import { problemOf } from '../particulars.js';
import type { IsoDate, ReportType } from '../reports/report.types.js';
import {
  daysBetween,
  type IsoMonth,
  lastDayOfMonth,
  monthOf,
  nextMonth,
  toDayNumber,
  toEpochMs,
  utcDateOf,
} from './calendar.js';
import type {
  AgreementInForce,
  MbaSchedule,
  Obligation,
  ObligationsInput,
  ReceivedReport,
} from './deadlines.types.js';
import { dueDateUnder, type ReportingRules, reportingRulesFrom } from './rules.js';

/**
 * A rejected attempt dates the obligation if an accepted report follows within this many days
 * (Custos decides; not a figure of any agreement, so it is no provision).
 */
export const DEFAULT_REJECTION_CURE_DAYS = 30;

function obligationId(type: ReportType, mba: string, subject?: string): string {
  return subject === undefined ? `${type}:${mba}` : `${type}:${mba}:${subject}`;
}

function governingAgreement(state: string, agreements: readonly AgreementInForce[], today: IsoDate) {
  const todayDay = toDayNumber(today, 'today');
  const inForce = agreements
    .filter((a) => a.type !== 'AP' && a.parties.includes(state))
    .filter((a) => toDayNumber(a.entryIntoForce, 'entryIntoForce') <= todayDay)
    .sort((a, b) => a.entryIntoForce.localeCompare(b.entryIntoForce) || a.id.localeCompare(b.id));
  // Under a joint regime (e.g. a regional agreement plus a trilateral one) the state reports once
  // on the shared record, so obligations run from the earliest reporting agreement in force.
  return inForce[0];
}

interface Expected {
  readonly id: string;
  readonly type: ReportType;
  readonly mba: string;
  readonly dueDate: IsoDate;
  readonly month?: IsoMonth;
  readonly pit?: IsoDate;
  readonly reference?: string;
  readonly basis: ProvisionBasis;
}

/**
 * Custos decides: an ICR is expected for EVERY calendar month of an MBA's activity, a "nil"
 * ICR (no lines) when nothing changed. INFCIRC/153 para 63 only requires an ICR for months in
 * which a change occurred or was established, but then silence is ambiguous: a missing report
 * and a quiet month look the same, and `missing` could never be raised. A nil report turns
 * silence into a positive, logged statement and costs the state one empty report a month.
 *
 * Months run from the month after entry into force (the initial report covers the material up
 * to the end of that month) or from the month of `activeFrom` for an MBA created later, to the
 * month of `activeUntil` or the last month that has fully ended before `today`.
 */
function expectedIcrMonths(mba: MbaSchedule, eifMonth: IsoMonth, today: IsoDate): IsoMonth[] {
  const startFromActivity = mba.activeFrom === undefined ? undefined : monthOf(mba.activeFrom);
  let month =
    startFromActivity !== undefined && startFromActivity > eifMonth ? startFromActivity : nextMonth(eifMonth);
  const lastMonth = mba.activeUntil === undefined ? undefined : monthOf(mba.activeUntil);
  const months: IsoMonth[] = [];
  while (lastDayOfMonth(month) < today && (lastMonth === undefined || month <= lastMonth)) {
    months.push(month);
    month = nextMonth(month);
  }
  return months;
}

function expectedObligations(input: ObligationsInput, agreement: AgreementInForce): Expected[] {
  const eif = agreement.entryIntoForce;
  const eifMonth = monthOf(eif);
  // The figures come from the provisions binding the state (issue 19), the model texts' otherwise.
  const rules = input.rules ?? reportingRulesFrom([]);
  const due = (type: keyof ReportingRules, anchor: IsoDate) => ({
    dueDate: dueDateUnder(rules[type].deadline, anchor),
    basis: rules[type].basis,
  });
  const out: Expected[] = [];
  for (const mba of input.mbas) {
    const existedAtEif = mba.activeFrom === undefined || mba.activeFrom <= lastDayOfMonth(eifMonth);
    if (existedAtEif) {
      out.push({
        id: obligationId('INITIAL', mba.mba),
        type: 'INITIAL',
        mba: mba.mba,
        ...due('INITIAL', eif),
      });
    }
    for (const month of expectedIcrMonths(mba, eifMonth, input.today)) {
      out.push({
        id: obligationId('ICR', mba.mba, month),
        type: 'ICR',
        mba: mba.mba,
        month,
        ...due('ICR', `${month}-01`),
      });
    }
    for (const pit of [...new Set(mba.pits)]) {
      toDayNumber(pit, 'pit');
      // A planned PIT owes nothing until it has happened.
      if (pit > input.today) continue;
      for (const type of ['PIL', 'MBR'] as const) {
        out.push({
          id: obligationId(type, mba.mba, pit),
          type,
          mba: mba.mba,
          pit,
          ...due(type, pit),
        });
      }
    }
    for (const s of mba.shipments ?? []) {
      const type = s.direction === 'export' ? 'EXPORT_NOTICE' : 'IMPORT_NOTICE';
      out.push({
        id: obligationId(type, mba.mba, s.reference),
        type,
        mba: mba.mba,
        reference: s.reference,
        ...due(type, s.direction === 'export' ? s.preparationDate : s.responsibilityDate),
      });
    }
  }
  return out;
}

/** The obligation ids a received report speaks to. An ICR serves every month its period touches. */
function obligationIdsOf(report: ReceivedReport): string[] {
  switch (report.type) {
    case 'INITIAL':
      return [obligationId('INITIAL', report.mba)];
    case 'ICR': {
      if (!report.period) return [];
      const last = monthOf(report.period.to);
      const ids: string[] = [];
      for (let m = monthOf(report.period.from); m <= last; m = nextMonth(m))
        ids.push(obligationId('ICR', report.mba, m));
      return ids;
    }
    case 'PIL':
    case 'MBR':
      return report.pit === undefined ? [] : [obligationId(report.type, report.mba, report.pit)];
    case 'EXPORT_NOTICE':
    case 'IMPORT_NOTICE':
      return report.noticeReference === undefined
        ? []
        : [obligationId(report.type, report.mba, report.noticeReference)];
  }
}

function judge(
  expected: Expected,
  attempts: readonly ReceivedReport[],
  input: ObligationsInput,
  agreement: string,
) {
  const cureDays = input.options?.rejectionCureDays ?? DEFAULT_REJECTION_CURE_DAYS;
  const sorted = [...attempts].sort((a, b) => toEpochMs(a.submittedAt) - toEpochMs(b.submittedAt));
  const rejected = sorted.filter((a) => a.outcome === 'rejected');
  const accepted = sorted.find((a) => a.outcome === 'accepted');
  const base = { ...expected, agreement, rejectedAttempts: rejected.length };
  if (!accepted) {
    const remaining = daysBetween(input.today, expected.dueDate);
    return remaining >= 0
      ? ({ ...base, status: 'upcoming', daysRemaining: remaining } as const)
      : ({ ...base, status: 'missing', daysOverdue: -remaining } as const);
  }
  // A state that tried on time and was refused keeps its date if it cures the report promptly
  // (the rejection's log receipt is its proof); otherwise the accepted report dates it.
  const acceptedDate = utcDateOf(accepted.submittedAt);
  const tried = rejected.find(
    (r) =>
      toEpochMs(r.submittedAt) <= toEpochMs(accepted.submittedAt) &&
      daysBetween(utcDateOf(r.submittedAt), acceptedDate) <= cureDays,
  );
  const dating = tried ?? accepted;
  const late = daysBetween(expected.dueDate, utcDateOf(dating.submittedAt));
  const common = { ...base, submittedAt: dating.submittedAt, acceptedAt: accepted.submittedAt };
  return late > 0
    ? ({ ...common, status: 'late', daysLate: late } as const)
    : ({ ...common, status: 'met' } as const);
}

/**
 * Every reporting obligation of one state with its due date and status as of `today`
 * (domain.md §2; `GET /api/states/:code/timeliness`). Due dates are UTC calendar dates and a
 * submission on the due date itself is on time. Sorted by due date, then id.
 */
export function computeObligations(input: ObligationsInput): Obligation[] {
  toDayNumber(input.today, 'today');
  const agreement = governingAgreement(input.state, input.agreements, input.today);
  if (!agreement) return [];
  const mbaCodes = new Set<string>();
  for (const m of input.mbas) {
    if (mbaCodes.has(m.mba)) {
      throw new DomainError('VALIDATION_FAILED', `MBA listed twice: ${m.mba}`, [
        {
          field: 'mbas',
          ...problemOf('DUPLICATE.value', { value: m.mba }),
          message: `${m.mba} listed twice`,
        },
      ]);
    }
    mbaCodes.add(m.mba);
  }
  const attemptsById = new Map<string, ReceivedReport[]>();
  for (const r of input.reports) {
    toEpochMs(r.submittedAt, 'submittedAt');
    for (const id of obligationIdsOf(r)) {
      const list = attemptsById.get(id) ?? [];
      list.push(r);
      attemptsById.set(id, list);
    }
  }
  return expectedObligations(input, agreement)
    .map((e): Obligation => judge(e, attemptsById.get(e.id) ?? [], input, agreement.id))
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.id.localeCompare(b.id));
}
