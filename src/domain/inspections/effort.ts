import { DomainError } from '../errors.js';
import { problemOf } from '../particulars.js';
import type { FacilityKind } from './notice.js';

/**
 * Custos decides: a man-year is 300 man-days, the definition in INFCIRC/153's list of terms
 * ("man-year of inspection ... 300 man-days, a man-day being a day during which a single
 * inspector has access to a facility at any time for a total of not more than eight hours"),
 * not 365 calendar days or ~220 working days.
 */
export const MAN_DAYS_PER_MAN_YEAR = 300;

export interface EffortInput {
  readonly facilityKind: FacilityKind;
  /** Inventory in effective kilograms. */
  readonly inventoryEkg: number;
  /** Annual throughput in effective kilograms. */
  readonly throughputEkg: number;
}

export interface EffortCap {
  /** E = max(inventory, throughput), ekg. */
  readonly effectiveKg: number;
  /** Maximum routine inspection effort per year, man-days. */
  readonly manDays: number;
  readonly rule: 'one-sixth-man-year' | 'thirty-root-e' | 'third-man-year-plus';
  /** E ≤ 5 ekg: at most one routine inspection a year (INFCIRC/153 paras 78-80). */
  readonly maxRoutineInspections?: 1;
}

/** Annual cap on routine inspection effort for one facility (domain.md §7; INFCIRC/153 paras 78-80). */
export function computeRoutineEffortCap(input: EffortInput): EffortCap {
  for (const [field, v] of [
    ['inventoryEkg', input.inventoryEkg],
    ['throughputEkg', input.throughputEkg],
  ] as const) {
    if (!Number.isFinite(v) || v < 0) {
      throw new DomainError('VALIDATION_FAILED', `${field} must be a finite number ≥ 0`, [
        { field, ...problemOf('OUT_OF_RANGE.notNegative', {}), message: String(v) },
      ]);
    }
  }
  const e = Math.max(input.inventoryEkg, input.throughputEkg);
  const small = e <= 5 ? ({ maxRoutineInspections: 1 } as const) : {};
  switch (input.facilityKind) {
    case 'reactor':
    case 'sealed-store':
      return { effectiveKg: e, manDays: MAN_DAYS_PER_MAN_YEAR / 6, rule: 'one-sixth-man-year', ...small };
    case 'pu-or-u-above-5pct':
      return {
        effectiveKg: e,
        manDays: Math.max(30 * Math.sqrt(e), 1.5 * MAN_DAYS_PER_MAN_YEAR),
        rule: 'thirty-root-e',
        ...small,
      };
    case 'other':
      return {
        effectiveKg: e,
        manDays: MAN_DAYS_PER_MAN_YEAR / 3 + 0.4 * e,
        rule: 'third-man-year-plus',
        ...small,
      };
  }
}
