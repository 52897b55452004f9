import { describe, expect, it } from 'vitest';
import type { InventoryListing } from './balance.js';
import { balanceInputOf, computeBalances } from './balance-oracle.test-support.js';
import { bookedReceiptOf, computeEffectiveLines, type SourcedIcrLine } from './effective.js';
import { evaluateMba, type MbaEvaluationInput } from './evaluate.js';

/*
 * Hand-computed case (domain.md §4). U (element E), PIT 2024-01-31 with 5 000 g (fissile 200 g),
 * PIT 2024-02-29 with 5 985 g (fissile 239.5 g). On 2024-02-10 a receipt RD of batch R-1 from
 * XB-F1 is booked at the shipper's value, 1 000 g (fissile 40 g), basis N; the receiver then
 * measures 990 g (fissile 39.5 g) and reports it as a correction with basis M.
 *   PB 5 000, X = RD 1 000, BE 6 000, SRD = 1 000 − 990 = 10, BEA 5 990, PE 5 985, MUF 5.
 *   Fissile: PB 200, RD 40, BE 240, SRD 0.5, BEA 239.5, PE 239.5, MUF 0.
 */
const kmpErrors = {
  I: { random: 0.002, systematic: 0.001 },
  S: { random: 0.01, systematic: 0.005 },
  R: { random: 0.003, systematic: 0.002 },
};

const inventories: InventoryListing[] = [
  {
    date: '2024-01-31',
    lines: [{ line: 1, batch: 'INV', kmp: 'I', element: 'E', weightMg: 5_000_000, fissileMg: 200_000 }],
  },
  {
    date: '2024-02-29',
    lines: [{ line: 1, batch: 'INV', kmp: 'I', element: 'E', weightMg: 5_985_000, fissileMg: 239_500 }],
  },
];

const receipt: SourcedIcrLine = {
  reportNumber: 1,
  line: 1,
  date: '2024-02-10',
  code: 'RD',
  batch: 'R-1',
  kmp: 'S',
  element: 'E',
  weightMg: 1_000_000,
  fissileMg: 40_000,
  isotope: 'G',
  basis: 'N',
  counterpart: { state: 'XB', mba: 'XB-F1' },
};

const measurement: SourcedIcrLine = {
  ...receipt,
  reportNumber: 2,
  line: 1,
  kmp: 'R',
  weightMg: 990_000,
  fissileMg: 39_500,
  basis: 'M',
  corrects: { reportNumber: 1, line: 1 },
};

const input = (icrLines: SourcedIcrLine[]): MbaEvaluationInput => ({
  mba: 'XA-F1',
  inventories,
  icrLines,
  kmpErrors,
});

const period = (icrLines: SourcedIcrLine[]) => evaluateMba(input(icrLines)).elements[0]!.periods[0]!;

describe('SRD adjustment of a receipt booked at the shipper’s value and measured by the receiver', () => {
  it('keeps the booked value in BE and enters SRD = booked − measured, so BEA holds the measurement', () => {
    const p = period([receipt, measurement]);
    expect(p).toMatchObject({ pb: 5000, increases: { RD: 1000 }, be: 6000, srd: 10, bea: 5990, pe: 5985 });
    expect(p.muf).toBe(5);
    expect(p.exact).toMatchObject({ xMg: 1_000_000, beMg: 6_000_000, srdMg: 10_000, beaMg: 5_990_000 });
    expect(p.exact.mufMg).toBe(5_000);
    expect(p.fissile).toEqual({
      pb: 200,
      increases: { RD: 40 },
      decreases: {},
      be: 240,
      srd: 0.5,
      bea: 239.5,
      pe: 239.5,
      muf: 0,
    });
  });

  it('gives the MUF, σMUF and SITMUF of simply correcting the weight', () => {
    const adjusted = period([receipt, measurement]);
    // The same correction of a receipt booked at the receiver's own estimate is ordinary.
    const ordinary = period([{ ...receipt, basis: 'E' }, measurement]);
    expect(ordinary).toMatchObject({ increases: { RD: 990 }, be: 5990, srd: 0, bea: 5990 });
    expect(adjusted.exact.mufMg).toBe(ordinary.exact.mufMg);
    expect(adjusted.fissile.muf).toBe(ordinary.fissile.muf);
    expect(adjusted.sigmaMuf).toBe(ordinary.sigmaMuf);
    expect(adjusted.sitmuf).toBe(ordinary.sitmuf);
    expect(adjusted.sigmaMuf).toBeGreaterThan(0);
  });

  it('adjusts nothing until the receiver has measured', () => {
    expect(period([receipt])).toMatchObject({
      increases: { RD: 1000 },
      be: 6000,
      srd: 0,
      bea: 6000,
      muf: 15,
    });
  });

  it('takes the last shipper-valued version as booked, past the receiver’s earlier measurements', () => {
    const revised = {
      ...receipt,
      reportNumber: 2,
      line: 1,
      weightMg: 1_004_000,
      corrects: measurement.corrects,
    };
    const first = { ...measurement, reportNumber: 3 };
    const second = {
      ...measurement,
      reportNumber: 4,
      weightMg: 992_000,
      corrects: { reportNumber: 3, line: 1 },
    };
    const p = period([receipt, revised, first, second]);
    expect(p).toMatchObject({ increases: { RD: 1004 }, srd: 12, bea: 5992 });
  });

  it('treats any other correction as ordinary: the corrected value replaces the booked one', () => {
    const cases: [string, SourcedIcrLine[]][] = [
      ['another batch', [receipt, { ...measurement, batch: 'R-2' }]],
      ['another code', [receipt, { ...measurement, code: 'RF' }]],
      ['another date', [receipt, { ...measurement, date: '2024-02-11' }]],
      ['another shipper', [receipt, { ...measurement, counterpart: { state: 'XB', mba: 'XB-F2' } }]],
      ['a shipper-value basis', [receipt, { ...measurement, basis: 'F' }]],
      ['no basis', [receipt, { ...measurement, basis: undefined }]],
      ['a receipt booked at an own measurement', [{ ...receipt, basis: 'M' }, measurement]],
      [
        'a receipt without a counterpart',
        [
          { ...receipt, counterpart: undefined },
          { ...measurement, counterpart: undefined },
        ],
      ],
    ];
    for (const [why, lines] of cases) {
      const p = period(lines);
      expect(p.srd, why).toBe(0);
      expect(p.bea, why).toBe(p.be);
      expect(p.exact.xMg, why).toBe(990_000);
    }
    // A changed element leaves nothing of element E in the period.
    const other = evaluateMba(input([receipt, { ...measurement, element: 'P' }]));
    expect(other.elements.find((e) => e.element === 'E')!.periods[0]!.exact.xMg).toBe(0);
    expect(other.elements.find((e) => e.element === 'P')!.periods[0]!.srd).toBe(0);
  });

  it('removes the receipt entirely when it is deleted afterwards', () => {
    const deletion: SourcedIcrLine = {
      ...receipt,
      reportNumber: 3,
      corrects: undefined,
      deletes: { reportNumber: 1, line: 1 },
    };
    const p = period([receipt, measurement, deletion]);
    expect(p).toMatchObject({ increases: {}, be: 5000, srd: 0, bea: 5000, muf: -985 });
    // A correction after a deletion reinstates the line as reported, with nothing booked before it.
    const again = { ...measurement, reportNumber: 4, corrects: { reportNumber: 1, line: 1 } };
    expect(period([receipt, measurement, deletion, again])).toMatchObject({ increases: { RD: 990 }, srd: 0 });
  });

  it('gives, when the measurement arrives in a later report, the one-pass balance of the effective view', () => {
    const after = evaluateMba(input([measurement, receipt]));
    expect(after.elements[0]!.periods[0]).toMatchObject({ be: 6000, srd: 10, bea: 5990 });
    // And it is the one-pass balance of the effective view's balance inputs.
    const view = computeEffectiveLines([receipt, measurement]);
    expect(computeBalances({ inventories, ...balanceInputOf(view) })[0]!.periods[0]).toEqual(
      after.elements[0]!.periods[0]!.exact,
    );
    // The effective view itself is unchanged: the measurement is the line in force.
    expect(view.lines).toEqual([measurement]);
    expect(bookedReceiptOf(view.entries[0]!, { RD: 1 })).toBe(receipt);
  });
});
