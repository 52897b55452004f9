import { describe, expect, it } from 'vitest';
import { computeRoutineEffortCap } from './effort.js';

describe('computeRoutineEffortCap (man-year = 300 man-days)', () => {
  it('gives reactors and sealed stores 1/6 man-year = 50 man-days', () => {
    expect(
      computeRoutineEffortCap({ facilityKind: 'reactor', inventoryEkg: 900, throughputEkg: 300 }),
    ).toEqual({
      effectiveKg: 900,
      manDays: 50,
      rule: 'one-sixth-man-year',
    });
    expect(
      computeRoutineEffortCap({ facilityKind: 'sealed-store', inventoryEkg: 10, throughputEkg: 20 })
        .effectiveKg,
    ).toBe(20);
  });
  it('gives Pu / U > 5 % facilities 30·√E man-days, at least 1.5 man-years', () => {
    expect(
      computeRoutineEffortCap({ facilityKind: 'pu-or-u-above-5pct', inventoryEkg: 100, throughputEkg: 0 })
        .manDays,
    ).toBe(450);
    expect(
      computeRoutineEffortCap({ facilityKind: 'pu-or-u-above-5pct', inventoryEkg: 0, throughputEkg: 400 })
        .manDays,
    ).toBe(600);
  });
  it('gives other facilities 1/3 man-year + 0.4·E man-days', () => {
    expect(
      computeRoutineEffortCap({ facilityKind: 'other', inventoryEkg: 50, throughputEkg: 10 }).manDays,
    ).toBe(120);
  });
  it('limits E ≤ 5 ekg to one routine inspection a year', () => {
    expect(
      computeRoutineEffortCap({ facilityKind: 'other', inventoryEkg: 5, throughputEkg: 1 }),
    ).toMatchObject({
      maxRoutineInspections: 1,
      manDays: 102,
    });
  });
  it('refuses negative or non-finite amounts', () => {
    expect(() =>
      computeRoutineEffortCap({ facilityKind: 'other', inventoryEkg: -1, throughputEkg: 0 }),
    ).toThrowError(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() =>
      computeRoutineEffortCap({ facilityKind: 'other', inventoryEkg: 0, throughputEkg: Number.NaN }),
    ).toThrowError(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});
