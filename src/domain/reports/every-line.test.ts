import { describe, expect, it } from 'vitest';
import { parseReportCsv, parseReportJson, validateReport } from './index.js';
import { baseContext } from './test-support.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** Issue 16 item 6: an empty file gets one clear problem; every line reports all its problems. */
describe('empty reports and every problem of every line', () => {
  it('answers one problem for an empty file, JSON or CSV', () => {
    const blank = [new Uint8Array(0), enc('\uFEFF'), enc(' \r\n\n')];
    const parsed = [
      ...blank.flatMap((b) => [parseReportCsv(b), parseReportJson(b)]),
      parseReportCsv(enc(';;;\n,,\n')),
    ];
    for (const p of parsed) {
      expect(p.ok).toBe(false);
      if (!p.ok) {
        expect(p.details).toHaveLength(1);
        expect(p.details[0]).toMatchObject({ code: 'MALFORMED', message: expect.stringMatching(/empty/) });
      }
    }
  });

  it('reports a line’s unknown KMP, code and date although its element is invalid', () => {
    const report = {
      type: 'ICR',
      mba: 'XA-R1',
      reportNumber: 7,
      reportDate: '2027-02-10',
      period: { from: '2027-01-01', to: '2027-01-31' },
      reportingPerson: 'A. Operator',
      lineCount: 1,
      lines: [
        {
          line: 1,
          date: '2027-03-05',
          code: 'XX',
          batch: 'B-1',
          kmp: 'Z',
          element: 'Q',
          weight: -5,
          isotope: 'W',
          basis: 'M',
        },
      ],
    };
    const parsed = parseReportJson(enc(JSON.stringify(report)));
    expect(parsed.ok).toBe(false);
    if (parsed.ok || parsed.partial === undefined) throw new Error('expected a partial report');
    const checked = validateReport(parsed.partial.report, baseContext(), { partial: parsed.partial });
    const all = [...parsed.details, ...checked.errors].map((d) => `${d.code} ${d.field}`).sort();
    expect(all).toEqual([
      'DATE_OUTSIDE_PERIOD lines[0].date',
      'NEGATIVE_WEIGHT lines[0].weight',
      'UNKNOWN_ELEMENT lines[0].element',
      'UNKNOWN_IC_CODE lines[0].code',
      'UNKNOWN_ISOTOPE lines[0].isotope',
      'UNKNOWN_KMP lines[0].kmp',
    ]);
  });

  it('says "has 1 line", not "has 1 lines" (issue 16 item 10)', () => {
    const report = {
      type: 'ICR',
      mba: 'XA-R1',
      reportNumber: 7,
      reportDate: '2027-02-10',
      period: { from: '2027-01-01', to: '2027-01-31' },
      reportingPerson: 'A. Operator',
      lineCount: 2,
      lines: [{ line: 1, date: '2027-01-20', code: 'RS', batch: 'B-1', kmp: 'A', element: 'N', weight: 5 }],
    };
    const parsed = parseReportJson(enc(JSON.stringify(report)));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.details));
    const mismatch = validateReport(parsed.report, baseContext()).errors.find(
      (d) => d.code === 'LINE_COUNT_MISMATCH',
    );
    expect(mismatch?.message).toBe('lineCount says 2 but the report has 1 line');
  });
});
