/** Calendar dates as ISO `YYYY-MM-DD` strings (report.types.ts), checked without a clock. */
import type { IsoDate } from './report.types.js';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** True for a real calendar date in years 1000..9999 (ISO text order then equals date order). */
export function isIsoDate(text: string): boolean {
  const m = DATE_RE.exec(text);
  if (m === null) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Whether `from`..`to` is exactly one calendar month (ICR period, domain.md §2). */
export function isCalendarMonth(from: IsoDate, to: IsoDate): boolean {
  const a = DATE_RE.exec(from);
  const b = DATE_RE.exec(to);
  if (a === null || b === null) return false;
  const year = Number(a[1]);
  const month = Number(a[2]);
  return a[1] === b[1] && a[2] === b[2] && a[3] === '01' && Number(b[3]) === daysInMonth(year, month);
}

/** Whole days from `a` to `b` (b − a); both must be valid ISO dates. */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return (Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000;
}
