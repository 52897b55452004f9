import { describe, expect, it } from 'vitest';
import { evaluateBalanceAlarms } from './alarms.js';
import { SIGNIFICANT_QUANTITIES } from './constants.js';

const period = (to: string, mufMg: number, sigmaMuf: number, page = 0, fissileMufMg = 0) => ({
  to,
  mufMg,
  fissileMufMg,
  mufGrams: mufMg / 1000,
  sigmaMuf,
  page,
});

describe('evaluateBalanceAlarms (domain.md §6)', () => {
  it('raises MUF_3SIGMA strictly beyond 3σ, either sign', () => {
    const out = evaluateBalanceAlarms(
      [period('2024-01-31', 30_000, 10), period('2024-02-29', 30_001, 10), period('2024-03-31', -30_001, 10)],
      { sq: SIGNIFICANT_QUANTITIES.PU, timelinessMonths: 1 },
    );
    expect(out).toEqual([[], ['MUF_3SIGMA'], ['MUF_3SIGMA']]);
  });

  it('raises MUF_SQ at one SQ, and CUMUF_SQ over the timeliness window only', () => {
    // Pu, 1 month: 5 kg + 5 kg in consecutive monthly periods do not add up (window of 1 month).
    const pu = evaluateBalanceAlarms(
      [
        period('2024-01-31', 5_000_000, 1e9),
        period('2024-02-29', 5_000_000, 1e9),
        period('2024-03-31', 8_000_000, 1e9),
      ],
      { sq: SIGNIFICANT_QUANTITIES.PU, timelinessMonths: 1 },
    );
    expect(pu).toEqual([[], [], ['MUF_SQ', 'CUMUF_SQ']]);
    // LEU counts U-235 over 12 months: 30 + 30 + 20 kg U-235 ≥ 75 kg at the third period, and
    // after a year the first period leaves the window.
    const leu = evaluateBalanceAlarms(
      [
        period('2024-01-31', 0, 1e12, 0, 30_000_000),
        period('2024-06-30', 0, 1e12, 0, 30_000_000),
        period('2024-12-31', 0, 1e12, 0, 20_000_000),
        period('2025-01-31', 0, 1e12, 0, 0),
      ],
      { sq: SIGNIFICANT_QUANTITIES.LEU, timelinessMonths: 12 },
    );
    expect(leu).toEqual([[], [], ['CUMUF_SQ'], []]);
  });

  it('raises PAGE above h and ITEM_MUF for any non-zero MUF of an item MBA', () => {
    const out = evaluateBalanceAlarms([period('2024-01-31', 1, 1e9, 5), period('2024-02-29', 0, 1e9, 5.01)], {
      sq: SIGNIFICANT_QUANTITIES.PU,
      timelinessMonths: 1,
      itemMba: true,
    });
    expect(out).toEqual([['ITEM_MUF'], ['PAGE']]);
  });

  it('alarms on any MUF when σMUF is 0 and stays silent on a zero MUF', () => {
    const out = evaluateBalanceAlarms([period('2024-01-31', 1, 0), period('2024-02-29', 0, 0)], {
      sq: SIGNIFICANT_QUANTITIES.PU,
      timelinessMonths: 1,
    });
    expect(out).toEqual([['MUF_3SIGMA'], []]);
  });
});
