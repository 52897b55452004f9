import { describe, expect, it } from 'vitest';
import { computeBookInventory } from './balance.js';
import { computeBalances } from './balance-oracle.test-support.js';
import { computeEffectiveLines } from './effective.js';
import { icr, item } from './golden.fixture.js';

/*
 * Hand-computed LEU balance (element E, mg), one period (31 Jan, 29 Feb]:
 *   PB  = 10 000 000                   fissile 400 000 (4 %)
 *   RD  =  2 000 000                   fissile  80 000
 *   RF  =  1 000 000                   fissile  45 000
 *   SD  =  1 500 000                   fissile  60 000
 *   LD  =     10 001                   fissile     400
 *   X   = 3 000 000, Y = 1 510 001     fissile X 125 000, Y 60 400
 *   BE  = 10 000 000 + 3 000 000 − 1 510 001 = 11 489 999      fissile 464 600
 *   SRD = 2 000 (shipper − receiver)                          fissile 80
 *   BEA = 11 487 999                                           fissile 464 520
 *   PE  = 11 480 000                                           fissile 464 200
 *   MUF = BEA − PE = 7 999 (an apparent loss of 7.999 g)       fissile 320
 * A line dated on the closing PIT belongs to the period; one dated on the opening PIT does not.
 */
const input = {
  inventories: [
    {
      date: '2024-02-29',
      lines: [item('b2', 'I', 'E', 6_000_000, 242_200), item('b3', 'I', 'E', 5_480_000, 222_000)],
    },
    { date: '2024-01-31', lines: [item('b1', 'I', 'E', 10_000_000, 400_000)] },
  ],
  lines: computeEffectiveLines([
    icr(1, 1, '2024-01-31', 'RD', 'F', 'E', 123_456, { fissileMg: 1 }),
    icr(2, 1, '2024-02-02', 'RD', 'F', 'E', 2_000_000, { fissileMg: 80_000 }),
    icr(2, 2, '2024-02-10', 'RF', 'F', 'E', 1_000_000, { fissileMg: 45_000 }),
    icr(2, 3, '2024-02-20', 'SD', 'F', 'E', 1_500_000, { fissileMg: 60_000 }),
    icr(2, 4, '2024-02-29', 'LD', 'F', 'E', 10_001, { fissileMg: 400 }),
    icr(3, 1, '2024-03-01', 'RD', 'F', 'E', 777, { fissileMg: 30 }),
  ]).lines,
  srd: [{ date: '2024-02-15', element: 'E' as const, srdMg: 2_000, fissileSrdMg: 80 }],
};

describe('computeBalances (domain.md §4, exact mg)', () => {
  it('matches the hand computation, with increases and decreases by code', () => {
    const [seq] = computeBalances(input);
    expect(seq!.element).toBe('E');
    const [p] = seq!.periods;
    expect(p).toMatchObject({
      from: '2024-01-31',
      to: '2024-02-29',
      pbMg: 10_000_000,
      increasesMg: { RD: 2_000_000, RF: 1_000_000 },
      decreasesMg: { SD: 1_500_000, LD: 10_001 },
      xMg: 3_000_000,
      yMg: 1_510_001,
      beMg: 11_489_999,
      srdMg: 2_000,
      beaMg: 11_487_999,
      peMg: 11_480_000,
      mufMg: 7_999,
    });
    expect(p!.fissile).toMatchObject({
      pbMg: 400_000,
      beMg: 464_600,
      beaMg: 464_520,
      peMg: 464_200,
      mufMg: 320,
    });
  });

  it('takes signs from the code set passed as data', () => {
    const [seq] = computeBalances({ ...input, codeSigns: { RD: 1, RF: 1, SD: -1, LD: 1 } });
    expect(seq!.periods[0]!.increasesMg).toEqual({ RD: 2_000_000, RF: 1_000_000, LD: 10_001 });
    expect(() => computeBalances({ ...input, codeSigns: { RD: 1 } })).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_IC_CODE' }),
    );
  });

  it('refuses two physical inventories on one date', () => {
    expect(() =>
      computeBalances({ ...input, inventories: [...input.inventories, { date: '2024-01-31', lines: [] }] }),
    ).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
  });
});

describe('computeBookInventory', () => {
  it('starts from the latest physical inventory and adds the changes since, less SRD', () => {
    expect(computeBookInventory(input, 'E', '2024-02-15')).toEqual({
      element: 'E',
      date: '2024-02-15',
      weightMg: 10_000_000 + 2_000_000 + 1_000_000 - 2_000,
      fissileMg: 400_000 + 80_000 + 45_000 - 80,
      basedOn: '2024-01-31',
    });
    expect(computeBookInventory(input, 'E', '2024-03-05').weightMg).toBe(11_480_000 + 777);
    expect(computeBookInventory(input, 'E', '2024-01-31').weightMg).toBe(10_000_000);
    expect(computeBookInventory(input, 'P', '2024-03-05').weightMg).toBe(0);
    // Before any inventory the book is the sum of the changes so far.
    expect(computeBookInventory(input, 'E', '2024-01-31').basedOn).toBe('2024-01-31');
    expect(computeBookInventory({ ...input, inventories: [] }, 'E', '2024-01-31')).toMatchObject({
      weightMg: 123_456,
      basedOn: undefined,
    });
  });
});
