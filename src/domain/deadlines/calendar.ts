import { DomainError } from '../errors.js';
import { problemOf } from '../particulars.js';
import type { IsoDate } from '../reports/report.types.js';

/**
 * UTC calendar arithmetic on ISO `YYYY-MM-DD` strings. Every deadline in Custos is a calendar
 * date in UTC (domain.md §2 counts "days after the end of the month"; no time zone is named, so
 * Custos fixes UTC for every party). Days are counted as whole calendar days.
 */

/** A calendar month `YYYY-MM`. */
export type IsoMonth = string;

const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;
// An explicit offset is required: a timestamp without one has no defined UTC date.
const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A value that is not a date (`YYYY-MM-DD`), a month (`YYYY-MM`) or a timestamp with its offset. */
function invalid(
  field: string,
  value: string,
  what: 'date' | 'month' | 'timestamp' = 'date',
): DomainError<'VALIDATION_FAILED'> {
  const kind =
    what === 'date'
      ? 'DATE_INVALID.value'
      : what === 'month'
        ? 'DATE_INVALID.month'
        : 'DATE_INVALID.timestamp';
  return new DomainError('VALIDATION_FAILED', `${field} is not a valid ${what}: ${value}`, [
    { field, ...problemOf(kind, { value }), message: `not a valid ${what}: ${value}` },
  ]);
}

/** Day number (days since 1970-01-01) of an ISO date; throws VALIDATION_FAILED on a non-date. */
export function toDayNumber(date: IsoDate, field = 'date'): number {
  const m = DATE_RE.exec(date);
  if (!m) throw invalid(field, date);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  // Date.UTC maps years 0..99 to 1900..1999; safeguards dates are all well after 1900.
  if (y < 1900) throw invalid(field, date);
  const ms = Date.UTC(y, mo - 1, d);
  if (fromDayNumber(ms / DAY_MS) !== date) throw invalid(field, date);
  return ms / DAY_MS;
}

export function fromDayNumber(day: number): IsoDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** `to − from` in whole calendar days. */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toDayNumber(to) - toDayNumber(from);
}

export function monthOf(date: IsoDate): IsoMonth {
  toDayNumber(date);
  return date.slice(0, 7);
}

function monthParts(month: IsoMonth): [number, number] {
  const m = MONTH_RE.exec(month);
  const y = Number(m?.[1]);
  const mo = Number(m?.[2]);
  if (!m || y < 1900 || mo < 1 || mo > 12) throw invalid('month', month, 'month');
  return [y, mo];
}

export function lastDayOfMonth(month: IsoMonth): IsoDate {
  const [y, mo] = monthParts(month);
  // Day 0 of the next month is the last day of this one.
  return fromDayNumber(Date.UTC(y, mo, 0) / DAY_MS);
}

export function nextMonth(month: IsoMonth): IsoMonth {
  const [y, mo] = monthParts(month);
  return mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
}

/** Milliseconds since the epoch of an ISO 8601 timestamp with an explicit offset. */
export function toEpochMs(timestamp: string, field = 'timestamp'): number {
  if (!TIMESTAMP_RE.test(timestamp)) throw invalid(field, timestamp, 'timestamp');
  // Date.parse rolls 2025-02-30 over into March; the calendar part must be a real date.
  toDayNumber(timestamp.slice(0, 10), field);
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) throw invalid(field, timestamp, 'timestamp');
  return ms;
}

/** The UTC calendar date on which an instant falls. */
export function utcDateOf(timestamp: string, field = 'timestamp'): IsoDate {
  return new Date(toEpochMs(timestamp, field)).toISOString().slice(0, 10);
}
