import { describe, expect, it } from 'vitest';
import { categorise, computeEkg, SIGNIFICANT_QUANTITIES, timelinessMonths } from './constants.js';
import { addMonths, deadlinePassedBefore, fromDayNumber, icrDeadline, toDayNumber } from './dates.js';

describe('constants (domain.md §4–§5)', () => {
  it('computes effective kilograms', () => {
    expect(computeEkg('E', 10_000_000, 300_000)).toBeCloseTo(0.009, 12); // 10 kg at 3 %
    expect(computeEkg('P', 2_500_000)).toBe(2.5);
    expect(computeEkg('N', 10_000_000_000)).toBeCloseTo(1, 12); // 10 t natural: × 0.0001
    expect(computeEkg('D', 20_000_000_000)).toBeCloseTo(1, 12); // 20 t depleted: × 0.00005
    expect(computeEkg('T', 20_000_000_000)).toBeCloseTo(1, 12);
    expect(computeEkg('E', 1_000_000, 7_000)).toBeCloseTo(0.0001, 12); // 0.7 %
    expect(computeEkg('E', 1_000_000, 900_000)).toBeCloseTo(0.81, 12); // 90 %
    expect(computeEkg('E', 1_000_000)).toBe(1); // enrichment unknown: conservative
  });

  it('categorises balances and gives SQ and timeliness', () => {
    expect(categorise('E', 0.93)).toBe('HEU');
    expect(categorise('E', 0.2)).toBe('HEU');
    expect(categorise('E', 0.045)).toBe('LEU');
    expect(categorise('E', 0.9, 'J')).toBe('U233');
    expect(categorise('P', 0)).toBe('PU');
    expect(categorise('N', 0.00711)).toBe('NATURAL');
    expect(categorise('D', 0.003)).toBe('DEPLETED');
    expect(categorise('T', 0)).toBe('THORIUM');
    expect(SIGNIFICANT_QUANTITIES.PU).toEqual({ category: 'PU', basis: 'element', mg: 8_000_000 });
    expect(SIGNIFICANT_QUANTITIES.HEU.mg).toBe(25_000_000);
    expect(SIGNIFICANT_QUANTITIES.LEU).toMatchObject({ basis: 'fissile', mg: 75_000_000 });
    expect(SIGNIFICANT_QUANTITIES.NATURAL.mg).toBe(10_000_000_000);
    expect([timelinessMonths('PU'), timelinessMonths('PU', true), timelinessMonths('LEU')]).toEqual([
      1, 3, 12,
    ]);
  });

  it('does calendar arithmetic', () => {
    expect(fromDayNumber(toDayNumber('2024-02-29'))).toBe('2024-02-29');
    expect(toDayNumber('1970-01-01')).toBe(0);
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2024-03-31', -1)).toBe('2024-02-29');
    expect(icrDeadline('2024-02-10')).toBe('2024-03-30');
    expect(() => toDayNumber('2024-02-30')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});

describe('deadlinePassedBefore', () => {
  it('splits the dates whose ICR deadline has passed from the others, on every day of four years', () => {
    // Every evaluation date over four years (two leap Februaries), against every change date from
    // three months before it: before the cut exactly when asOf > icrDeadline(date).
    for (let a = toDayNumber('2023-01-01'); a <= toDayNumber('2026-12-31'); a++) {
      const asOf = fromDayNumber(a);
      const cut = deadlinePassedBefore(asOf);
      for (let d = a - 95; d <= a; d++) {
        const date = fromDayNumber(d);
        expect(date < cut, `${date} on ${asOf}`).toBe(asOf > icrDeadline(date));
      }
    }
  });
});
