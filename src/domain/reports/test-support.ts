/**
 * Builders shared by the tests and the bench (not exported from index.ts): a valid context and
 * large valid reports.
 */
import { DEFAULT_IC_CODES } from './codes.js';
import type { ValidationContext } from './validation.types.js';

export function baseContext(overrides: Partial<ValidationContext> = {}): ValidationContext {
  return {
    mba: { code: 'XA-R1', state: 'XA' },
    submitterState: 'XA',
    kmps: new Map([
      ['A', { kind: 'flow' }],
      ['B', { kind: 'flow' }],
      ['1', { kind: 'inventory' }],
    ]),
    icCodes: DEFAULT_IC_CODES,
    lastReportNumber: 6,
    existingReportNumbers: new Set([1, 2, 3, 4, 5, 6]),
    bookBatches: new Set(['E:B-OLD']),
    correctionTargets: new Set(['3:2']),
    knownNotices: new Set(['EXP-2027-003']),
    ...overrides,
  };
}

/** JSON value of a valid ICR with `n` lines (receipts and shipments of distinct batches). */
export function largeIcrJson(n: number): Record<string, unknown> {
  const lines: Record<string, unknown>[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const receipt = i % 2 === 0;
    lines[i] = {
      line: i + 1,
      date: `2027-01-${String((i % 31) + 1).padStart(2, '0')}`,
      code: receipt ? 'RF' : 'SD',
      batch: `B-${i}`,
      kmp: receipt ? 'A' : 'B',
      element: 'E',
      weight: 125000.5 + (i % 1000),
      fissileWeight: 4500.25,
      isotope: 'G',
      basis: receipt ? 'N' : 'M',
      form: 'U2',
      counterpart: receipt ? { state: 'XB', mba: 'XB-F1' } : { state: 'XA', mba: 'XA-F2' },
      ...(receipt ? { notice: 'EXP-2027-003' } : {}),
    };
  }
  return {
    type: 'ICR',
    mba: 'XA-R1',
    reportNumber: 7,
    reportDate: '2027-02-10',
    period: { from: '2027-01-01', to: '2027-01-31' },
    reportingPerson: 'Bench Person',
    lineCount: n,
    note: 'bench',
    lines,
  };
}
