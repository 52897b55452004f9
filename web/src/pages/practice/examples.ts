import type { Report } from '../../../../src/domain/reports/index.js';

export type ExampleType = Report['type'];

/** The report types in the order a new MBA meets them. */
export const EXAMPLE_TYPES: readonly ExampleType[] = [
  'INITIAL',
  'ICR',
  'PIL',
  'MBR',
  'EXPORT_NOTICE',
  'IMPORT_NOTICE',
];

/** Where the example is set: the operator's own MBA and one of its KMPs, and the partner state's. */
export interface ExamplePlace {
  readonly mba: string;
  readonly kmp: string;
  readonly otherState: string;
  readonly otherMba: string;
}

/**
 * A worked example of each report type (issue 16 item 13), in the JSON layout the API takes
 * (docs/csv-format.md gives the CSV one), set in the operator's own MBA so that checking it in
 * practice mode asks the real registry about a real place. Weights are grams; the MBR adds up.
 * The numbers and dates are illustrative: the practice verdict says what the account expects.
 */
export function exampleReport(type: ExampleType, at: ExamplePlace): object {
  const header = { type, mba: at.mba, reportingPerson: 'A. Operator' };
  const batch = (n: number, weight: number, fissile: number) => ({
    batch: `B-${n}`,
    kmp: at.kmp,
    element: 'E',
    weight,
    fissileWeight: fissile,
    isotope: 'G',
    basis: 'M',
    form: 'U2',
  });
  switch (type) {
    case 'INITIAL':
      return {
        ...header,
        reportNumber: 1,
        reportDate: '2027-01-20',
        pit: '2027-01-01',
        lineCount: 2,
        lines: [
          { line: 1, ...batch(1, 500000, 20000) },
          { line: 2, ...batch(2, 250000.125, 10000.005) },
        ],
      };
    case 'ICR':
      return {
        ...header,
        reportNumber: 1,
        reportDate: '2027-02-10',
        period: { from: '2027-01-01', to: '2027-01-31' },
        lineCount: 1,
        lines: [
          {
            line: 1,
            date: '2027-01-14',
            code: 'RD',
            ...batch(3, 1000, 40),
            counterpart: { state: at.otherState, mba: at.otherMba },
          },
        ],
      };
    case 'PIL':
      return {
        ...header,
        reportNumber: 1,
        reportDate: '2027-04-10',
        pit: '2027-03-31',
        lineCount: 2,
        lines: [
          { line: 1, ...batch(1, 500000, 20000) },
          { line: 2, ...batch(3, 1000, 40) },
        ],
      };
    case 'MBR': {
      // PB + increases − decreases = BE; MUF = BE − PE.
      const entry = (line: number, e: string, weight: number) => ({ line, element: 'E', entry: e, weight });
      return {
        ...header,
        reportNumber: 1,
        reportDate: '2027-04-10',
        pit: '2027-03-31',
        lineCount: 5,
        lines: [
          entry(1, 'PB', 750000.125),
          entry(2, 'RD', 1000),
          entry(3, 'BE', 751000.125),
          entry(4, 'PE', 751000.125),
          entry(5, 'MUF', 0),
        ],
      };
    }
    case 'EXPORT_NOTICE':
    case 'IMPORT_NOTICE':
      return {
        ...header,
        reportNumber: 1,
        reportDate: '2027-01-02',
        lineCount: 0,
        notice: {
          reference: type === 'EXPORT_NOTICE' ? 'EXP-2027-001' : 'IMP-2027-001',
          otherState: at.otherState,
          otherMba: at.otherMba,
          element: 'E',
          weight: 125000.5,
          fissileWeight: 4500.25,
          form: 'U2',
          batches: ['B-17'],
          preparationDate: '2027-01-20',
          dispatchDate: '2027-01-25',
          arrivalDate: '2027-01-28',
        },
        lines: [],
      };
  }
}
