/** fast-check generators of valid report JSON values (tests only; not exported from index.ts). */
import fc from 'fast-check';
import { MAX_WEIGHT_MG } from './weight.js';

// Characters that stress CSV quoting, formula neutralisation and UTF-8.
const tricky = fc.constantFrom(
  'a',
  'Z',
  '7',
  '-',
  '=',
  '+',
  '@',
  "'",
  ' ',
  ',',
  ';',
  '"',
  'é',
  '\u{1F600}',
  '.',
  '#',
);
const code = fc.stringMatching(/^[A-Z0-9][A-Z0-9._-]{0,5}$/);
const name = fc.string({ unit: tricky, minLength: 1, maxLength: 10 }).filter((s) => s.trim() === s);
const person = fc.string({ unit: tricky, minLength: 1, maxLength: 20 });
const note = fc.string({
  unit: fc.oneof(tricky, fc.constantFrom('\n', '\r\n', '\t', '\r')),
  minLength: 1,
  maxLength: 30,
});
const date = fc
  .record({
    y: fc.integer({ min: 1990, max: 2099 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
  })
  .map(({ y, m, d }) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
const grams = fc.integer({ min: 0, max: MAX_WEIGHT_MG }).map((mg) => mg / 1000);
const signedGrams = fc
  .integer({ min: -MAX_WEIGHT_MG, max: MAX_WEIGHT_MG })
  .map((mg) => (mg === 0 ? 0 : mg / 1000));
const element = fc.constantFrom('P', 'E', 'N', 'D', 'T');
const posInt = fc.integer({ min: 1, max: 1_000_000 });
const lineRef = fc.record({ reportNumber: posInt, line: posInt });

const header = {
  mba: code,
  reportNumber: posInt,
  reportDate: date,
  reportingPerson: person,
  lineCount: fc.integer({ min: 0, max: 1000 }),
  note,
};
const headerRequired = [
  'type',
  'mba',
  'reportNumber',
  'reportDate',
  'reportingPerson',
  'lineCount',
  'lines',
] as const;

const icrLine = fc
  .record(
    {
      line: posInt,
      date,
      code,
      batch: name,
      kmp: code,
      element,
      weight: grams,
      fissileWeight: grams,
      isotope: code,
      basis: code,
      form: code,
      counterpart: fc.record({ state: code, mba: code }, { requiredKeys: ['state'] }),
      notice: name,
      fix: fc.option(fc.record({ kind: fc.constantFrom('corrects', 'deletes'), ref: lineRef }), {
        nil: undefined,
      }),
    },
    { requiredKeys: ['line', 'date', 'code', 'batch', 'kmp', 'element', 'weight'] },
  )
  .map(({ fix, ...l }) => (fix === undefined ? l : { ...l, [fix.kind]: fix.ref }));

const inventoryLine = fc.record(
  {
    line: posInt,
    item: name,
    batch: name,
    kmp: code,
    element,
    weight: grams,
    fissileWeight: grams,
    isotope: code,
    basis: code,
    form: code,
  },
  { requiredKeys: ['line', 'batch', 'kmp', 'element', 'weight'] },
);

const mbrLine = fc.record(
  {
    line: posInt,
    element,
    entry: fc.oneof(fc.constantFrom('PB', 'BE', 'SRD', 'BEA', 'PE', 'MUF'), code),
    weight: signedGrams,
    fissileWeight: signedGrams,
  },
  { requiredKeys: ['line', 'element', 'entry', 'weight'] },
);

const required = [...headerRequired];
export const icrReportValue = fc.record(
  {
    type: fc.constant('ICR'),
    ...header,
    period: fc.record({ from: date, to: date }),
    lines: fc.array(icrLine, { maxLength: 6 }),
  },
  { requiredKeys: [...required, 'period'] },
);
export const inventoryReportValue = fc.record(
  {
    type: fc.constantFrom('PIL', 'INITIAL'),
    ...header,
    pit: date,
    lines: fc.array(inventoryLine, { maxLength: 6 }),
  },
  { requiredKeys: [...required, 'pit'] },
);
export const mbrReportValue = fc.record(
  { type: fc.constant('MBR'), ...header, pit: date, lines: fc.array(mbrLine, { maxLength: 8 }) },
  { requiredKeys: [...required, 'pit'] },
);
export const noticeReportValue = fc.record(
  {
    type: fc.constantFrom('EXPORT_NOTICE', 'IMPORT_NOTICE'),
    ...header,
    notice: fc.record(
      {
        reference: name,
        otherState: code,
        otherMba: code,
        element,
        weight: grams,
        fissileWeight: grams,
        form: code,
        batches: fc.array(name, { maxLength: 4 }),
        preparationDate: date,
        dispatchDate: date,
        arrivalDate: date,
      },
      {
        requiredKeys: [
          'reference',
          'otherState',
          'element',
          'weight',
          'preparationDate',
          'dispatchDate',
          'arrivalDate',
        ],
      },
    ),
    lines: fc.constant([]),
  },
  { requiredKeys: [...required, 'notice'] },
);

/** Any structurally valid report as its JSON value (validation may still find problems). */
export const reportValue: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  icrReportValue,
  inventoryReportValue,
  mbrReportValue,
  noticeReportValue,
);
