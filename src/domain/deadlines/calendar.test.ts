import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, lastDayOfMonth, nextMonth, toDayNumber, utcDateOf } from './calendar.js';

describe('calendar', () => {
  it('counts UTC calendar days', () => {
    expect(toDayNumber('1970-01-02')).toBe(1);
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(daysBetween('2025-03-02', '2025-03-30')).toBe(28);
  });
  it('knows month ends, leap years included', () => {
    expect(lastDayOfMonth('2024-02')).toBe('2024-02-29');
    expect(lastDayOfMonth('2100-02')).toBe('2100-02-28');
    expect(lastDayOfMonth('2025-12')).toBe('2025-12-31');
    expect(nextMonth('2025-12')).toBe('2026-01');
  });
  it('takes the UTC date of an instant with an offset', () => {
    expect(utcDateOf('2025-05-01T00:30:00+02:00')).toBe('2025-04-30');
    expect(utcDateOf('2025-04-30T23:59:59.999Z')).toBe('2025-04-30');
  });
  it('refuses non-dates and offset-less instants', () => {
    for (const bad of ['2025-02-30', '2025-13-01', '25-01-01', '0099-01-01']) {
      expect(() => toDayNumber(bad)).toThrowError(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    }
    expect(() => utcDateOf('2025-05-01T00:30:00')).toThrowError(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => utcDateOf('2025-02-30T00:00:00Z')).toThrowError(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });
  it('names each refused value as a problem with its rule and value, for the page to word (decision 0064)', () => {
    const problemOfThrown = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as { details: unknown[] }).details[0];
      }
      return undefined;
    };
    expect(problemOfThrown(() => toDayNumber('2025-02-30', 'today'))).toMatchObject({
      field: 'today',
      code: 'DATE_INVALID',
      rule: 'value',
      values: { value: '2025-02-30' },
    });
    expect(problemOfThrown(() => utcDateOf('2025-05-01T00:30:00', 'submittedAt'))).toMatchObject({
      field: 'submittedAt',
      code: 'DATE_INVALID',
      rule: 'timestamp',
      values: { value: '2025-05-01T00:30:00' },
    });
    expect(problemOfThrown(() => lastDayOfMonth('2025-13'))).toMatchObject({
      code: 'DATE_INVALID',
      rule: 'month',
      values: { value: '2025-13' },
    });
  });
});
