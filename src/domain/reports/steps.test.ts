import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reportValue } from './arbitraries.test-support.js';
import { parseReportCsvWhole } from './csv-whole.test-support.js';
import { formatReportCsv, parseReportCsv, parseReportCsvSteps, parseReportJson } from './index.js';
import { runSteps } from './steps.js';
import { largeIcrJson } from './test-support.js';

/**
 * Decision 0034: the CSV reader reads one record at a time in steps. It must answer exactly as
 * the whole-file reader did (every record, then the tree, then the model): the same report, the
 * same details in the same order, the same partial report.
 */
const enc = new TextEncoder();

const mutation = fc.record({
  at: fc.nat(),
  cut: fc.nat({ max: 8 }),
  insert: fc.oneof(
    fc.constantFrom('"', ',', ';', '\n', '\r', '\r\n', 'line,', 'x', '=', "'", ''),
    fc.string({ maxLength: 3 }),
  ),
});

function mutate(text: string, ms: readonly { at: number; cut: number; insert: string }[]): string {
  let s = text;
  for (const m of ms) {
    const at = s.length === 0 ? 0 : m.at % s.length;
    s = s.slice(0, at) + m.insert + s.slice(at + m.cut);
  }
  return s;
}

const csvText = fc
  .tuple(reportValue, fc.constantFrom(',', ';') as fc.Arbitrary<',' | ';'>, fc.boolean())
  .map(([v, delimiter, bom]) => {
    const r = parseReportJson(enc.encode(JSON.stringify(v)));
    return r.ok ? formatReportCsv(r.report, { delimiter, bom }) : '';
  });

function same(text: string): void {
  const bytes = enc.encode(text);
  expect(parseReportCsv(bytes)).toStrictEqual(parseReportCsvWhole(bytes));
  // Decoded three bytes at a time (decision 0067): the pieces end anywhere, inside characters too.
  expect(runSteps(parseReportCsvSteps(bytes, {}, 3))).toStrictEqual(parseReportCsvWhole(bytes));
  expect(parseReportCsv(bytes, { maxDetails: 3 })).toStrictEqual(
    parseReportCsvWhole(bytes, { maxDetails: 3 }),
  );
}

describe('the streamed CSV reader answers as the whole-file reader', () => {
  it('on generated valid reports, both separators, with and without BOM (500)', () => {
    fc.assert(fc.property(csvText, same), { numRuns: 500 });
  });

  it('on mutated generated reports (2000)', () => {
    fc.assert(
      fc.property(csvText, fc.array(mutation, { minLength: 1, maxLength: 4 }), (text, ms) =>
        same(mutate(text, ms)),
      ),
      { numRuns: 2000 },
    );
  });

  it('on layout problems, late CSV errors, notices and unknown types with rows, and many lines', () => {
    const big = parseReportJson(enc.encode(JSON.stringify(largeIcrJson(1500))));
    if (!big.ok) throw new Error('the large ICR must parse');
    const icr = formatReportCsv(big.report, { bom: false });
    same(icr);
    // Problems in lines spread over many steps, and the text stops being CSV on the last row.
    same(icr.replace(/\r\n(7\d),/g, '\r\n$1,,,x,'));
    same(icr.replace(/\r\n(1[0-9]{2}),/g, '\r\n$1,2027-99-01,'));
    same(`${icr}1501,"unclosed\r\n`);
    same(icr.replace('type,ICR', 'type,NOPE'));
    same(icr.replace('type,ICR', 'type,EXPORT_NOTICE'));
    same(icr.replace(/^line,/m, 'line,extra,'));
    same(icr.replace(/^line,.*$/m, ''));
    same('type,ICR\r\nmba,XA-R1\r\nline,date\r\n1,2027-01-01\r\n');
    same('');
    same(',;\r\n \r\n');
  });

  it('on bodies cut in pieces: characters cut between pieces, bytes not UTF-8 after the CSV broke off', () => {
    // Decision 0067: the body is decoded a piece at a time (64 KiB); cut into pieces of a few
    // bytes, a body must read as the whole-file reader reads it, wherever a piece ends.
    const big = parseReportJson(enc.encode(JSON.stringify(largeIcrJson(300))));
    if (!big.ok) throw new Error('the large ICR must parse');
    const icr = formatReportCsv(big.report);
    // Two-, three- and four-byte characters in every batch name: pieces end inside them.
    const wide = icr.replace(/^(\d+),([^,]*),([^,]*),([^,\r]*),/gm, '$1,$2,$3,$4é€😀,');
    const cut = (bytes: Uint8Array, pieceBytes: number) =>
      runSteps(parseReportCsvSteps(bytes, { maxDetails: 5 }, pieceBytes));
    const sameCut = (text: string | Uint8Array) => {
      const bytes = typeof text === 'string' ? enc.encode(text) : text;
      const whole = parseReportCsvWhole(bytes, { maxDetails: 5 });
      for (const size of [1, 2, 3, 5, 7, 64, 4099]) expect(cut(bytes, size)).toStrictEqual(whole);
      return whole;
    };
    expect(sameCut(wide).ok).toBe(true);
    sameCut(wide.replace(/\r\n(1[0-9]{2}),/g, '\r\n$1,2027-99-01,'));
    // A quoted cell spanning pieces, the text broken off as CSV halfway, blank bodies.
    sameCut(wide.replace('\r\n100,', '\r\n"100\r\n,'));
    sameCut(wide.replace('\r\n200,', '\r\n200,x"y,'));
    sameCut(' \r\n;,\r\n\t');
    sameCut(`\uFEFF\r\n\r\n${wide}`);
    const notUtf8 = (tail: number[], text = wide) => {
      const r = sameCut(new Uint8Array([...enc.encode(text), ...tail]));
      expect(r.ok ? [] : r.details.map((d) => d.code)).toEqual(['MALFORMED']);
    };
    notUtf8([0xff]);
    notUtf8([0xe2, 0x82]);
    notUtf8([0x0d, 0x0a, 0xed, 0xa0, 0x80]);
    notUtf8([0xff], wide.replace('\r\n50,', '\r\n50,x"y,'));
    notUtf8([0xff], ' \r\n ');
  }, 120_000);
});
