import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reportValue } from './arbitraries.test-support.js';
import { formatReportCsv, formatReportJson, parseReportCsv, parseReportJson } from './index.js';

const enc = new TextEncoder();

describe('JSON → model → CSV → model → JSON', () => {
  it('is the identity on generated valid reports (both delimiters, with and without BOM)', () => {
    fc.assert(
      fc.property(reportValue, fc.constantFrom(',', ';'), fc.boolean(), (value, delimiter, bom) => {
        const first = parseReportJson(enc.encode(JSON.stringify(value)));
        if (!first.ok) throw new Error(JSON.stringify(first.details));
        const csv = formatReportCsv(first.report, { delimiter: delimiter as ',' | ';', bom });
        const second = parseReportCsv(enc.encode(csv));
        if (!second.ok) throw new Error(`${JSON.stringify(second.details)}\n${csv}`);
        expect(second.report).toStrictEqual(first.report);
        expect(JSON.parse(formatReportJson(second.report))).toStrictEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 800 },
    );
  });

  it('keeps exported cells inert in a spreadsheet and reads them back', () => {
    const value = {
      type: 'MBR',
      mba: 'XA-R1',
      reportNumber: 1,
      reportDate: '2027-04-10',
      pit: '2027-03-31',
      reportingPerson: '=HYPERLINK("http://evil")',
      lineCount: 1,
      note: "'@SUM(A1)",
      lines: [{ line: 1, element: 'E', entry: 'MUF', weight: -0.5 }],
    };
    const first = parseReportJson(enc.encode(JSON.stringify(value)));
    if (!first.ok) throw new Error(JSON.stringify(first.details));
    const csv = formatReportCsv(first.report, { bom: false });
    const cells = csv.split(/\r\n/).flatMap((row) => row.split(','));
    for (const cell of cells) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+\-@]/);
    expect(csv).toContain("'-0.5");
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(csv).toContain("note,''@SUM(A1)");
    const back = parseReportCsv(enc.encode(csv));
    expect(back.ok && JSON.parse(formatReportJson(back.report))).toStrictEqual(value);
  });

  it('reads spreadsheet habits: padded rows, spaces around codes, decimal comma with semicolons', () => {
    const csv =
      'type;PIL;;;\r\nmba; XA-R1 ;;;\r\nreportNumber;2;;;\r\nreportDate;2027-04-10;;;\r\npit;2027-03-31;;;\r\n' +
      'reportingPerson;Ann;;;\r\nlineCount;1;;;\r\n;;;;\r\nline;batch;kmp;element;weight;;\r\n1;B-1;1;E;1234,567;;\r\n';
    const r = parseReportCsv(enc.encode(csv));
    if (!r.ok) throw new Error(JSON.stringify(r.details));
    expect(r.report.mba).toBe('XA-R1');
    expect(r.report.lines[0]).toEqual({ line: 1, batch: 'B-1', kmp: '1', element: 'E', weightMg: 1234567 });
  });

  it('refuses a thousands separator where commas separate cells', () => {
    const csv =
      'type,PIL\nmba,XA-R1\nreportNumber,2\nreportDate,2027-04-10\npit,2027-03-31\nreportingPerson,Ann\nlineCount,1\nline,batch,kmp,element,weight\n1,B-1,1,E,"1,234"\n';
    const r = parseReportCsv(enc.encode(csv));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.details.map((d) => [d.code, d.field])).toEqual([['FIELD_FORMAT', 'lines[0].weight']]);
  });
});
