import { DomainError } from '../errors.js';
import type { IsoDate } from '../reports/report.types.js';

/**
 * Calendar arithmetic on ISO `YYYY-MM-DD` dates as integer day numbers (days since 1970-01-01),
 * without Date objects: the engine compares and shifts millions of dates and must stay pure.
 * Algorithms: H. Hinnant, "chrono-compatible low-level date algorithms".
 */
export function toDayNumber(date: IsoDate): number {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  if (
    date.length !== 10 ||
    date[4] !== '-' ||
    date[7] !== '-' ||
    !Number.isInteger(y) ||
    !Number.isInteger(m) ||
    !Number.isInteger(d) ||
    m < 1 ||
    m > 12 ||
    d < 1 ||
    d > daysInMonth(y, m)
  ) {
    throw new DomainError('VALIDATION_FAILED', `not an ISO calendar date: ${date}`);
  }
  return daysFromCivil(y, m, d);
}

export function fromDayNumber(day: number): IsoDate {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function daysFromCivil(y0: number, m: number, d: number): number {
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Adds calendar months, clamping the day to the end of the target month (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: IsoDate, months: number): IsoDate {
  toDayNumber(date);
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = total - ny * 12 + 1;
  const nd = Math.min(d, daysInMonth(ny, nm));
  return `${String(ny).padStart(4, '0')}-${String(nm).padStart(2, '0')}-${String(nd).padStart(2, '0')}`;
}

export function endOfMonth(date: IsoDate): IsoDate {
  toDayNumber(date);
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  return `${date.slice(0, 8)}${String(daysInMonth(y, m)).padStart(2, '0')}`;
}

/**
 * Report deadline of an ICR for a change on `date`: 30 days after the end of the month in which
 * the change occurred (domain.md §2). Also the default grace period of transfer matching.
 */
export function icrDeadline(date: IsoDate): IsoDate {
  return addDays(endOfMonth(date), 30);
}

/**
 * The first date whose ICR deadline has not passed on `asOf`: a change dated before it is past
 * its deadline (asOf > icrDeadline(date)), one dated on or after it is not — the first of the
 * month 30 days before `asOf`. The form a query compares stored dates with.
 */
export function deadlinePassedBefore(asOf: IsoDate): IsoDate {
  return `${addDays(asOf, -30).slice(0, 7)}-01`;
}
