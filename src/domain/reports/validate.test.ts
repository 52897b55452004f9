import { describe, expect, it } from 'vitest';
import { mergeDetails, parseReportJson, validateReport } from './index.js';
import type { Report } from './report.types.js';
import { baseContext, largeIcrJson } from './test-support.js';

const enc = new TextEncoder();
function report(value: unknown): Report {
  const r = parseReportJson(enc.encode(JSON.stringify(value)));
  if (!r.ok) throw new Error(JSON.stringify(r.details));
  return r.report;
}
const codes = (ds: readonly { code: string; line?: number }[]) => ds.map((d) => `${d.code}@${d.line ?? '-'}`);

describe('validateReport', () => {
  it('accepts a large valid ICR without problems', () => {
    const r = validateReport(report(largeIcrJson(500)), baseContext());
    expect(r).toEqual({ errors: [], warnings: [] });
  });

  it('numbers lines 1..n once each and keeps the ICR period to one calendar month', () => {
    const v = largeIcrJson(3) as { lines: { line: number }[]; period: unknown };
    v.lines[2]!.line = 2;
    v.period = { from: '2027-01-01', to: '2027-02-28' };
    const r = validateReport(report(v), baseContext());
    expect(codes(r.errors)).toEqual(['LINE_NUMBERING@2', 'PERIOD_INVALID@-']);
  });

  it('flags a batch changed twice with one code, and a receipt of a batch already received', () => {
    const v = largeIcrJson(4) as { lines: Record<string, unknown>[] };
    v.lines[2]!.batch = 'B-0'; // a second RF of B-0
    v.lines[3]!.batch = 'B-1'; // a second SD of B-1
    const r = validateReport(report(v), baseContext());
    expect(codes(r.errors)).toEqual(['BATCH_REUSED@3', 'BATCH_REUSED@4']);
  });

  it('flags a batch one receipt code created and another receives again, of the same element only', () => {
    const v = largeIcrJson(6) as { lines: Record<string, unknown>[] };
    const { counterpart: _c, notice: _n, ...received } = v.lines[0]!;
    v.lines[2] = { ...received, line: 3, code: 'RN' }; // B-0 (E) again, by another receipt code
    v.lines[4] = { ...received, line: 5, code: 'RS', batch: 'B-1' }; // B-1 was shipped, not created
    const r = validateReport(report(v), baseContext());
    expect(codes(r.errors)).toEqual(['BATCH_REUSED@3']);
  });

  it('lets a correction restate its batch and date from an earlier month', () => {
    const v = largeIcrJson(2) as { lines: Record<string, unknown>[] };
    v.lines[1] = { ...v.lines[0], line: 2, date: '2026-12-15', corrects: { reportNumber: 3, line: 2 } };
    expect(validateReport(report(v), baseContext()).errors).toEqual([]);
  });

  it('requires the five balance entries per element and refuses unknown entries', () => {
    const mbr = {
      type: 'MBR',
      mba: 'XA-R1',
      reportNumber: 7,
      reportDate: '2027-04-10',
      pit: '2027-03-31',
      reportingPerson: 'p',
      lineCount: 3,
      lines: [
        { line: 1, element: 'N', entry: 'PB', weight: 5 },
        { line: 2, element: 'N', entry: 'QQ', weight: 1 },
        { line: 3, element: 'N', entry: 'MUF', weight: -2 },
      ],
    };
    const r = validateReport(report(mbr), baseContext());
    expect(codes(r.errors)).toEqual(['UNKNOWN_IC_CODE@2', 'FIELD_MISSING@-']);
    expect(r.errors[1]?.message).toContain('BE, BEA, PE');
  });

  it('warns on a non-zero MUF in an item MBA and checks fissile arithmetic when every line has it', () => {
    const lines = [
      ['PB', 10, 1],
      ['BE', 10, 1],
      ['BEA', 10, 1],
      ['PE', 9, 1],
      ['MUF', 1, 0.5],
    ].map(([entry, weight, fissileWeight], i) => ({
      line: i + 1,
      element: 'E',
      entry,
      weight,
      fissileWeight,
    }));
    const mbr = { type: 'MBR', mba: 'XA-R1', reportNumber: 7, reportDate: '2027-04-10', pit: '2027-03-31' };
    const r = validateReport(
      report({ ...mbr, reportingPerson: 'p', lineCount: 5, lines }),
      baseContext({ mba: { code: 'XA-R1', state: 'XA', isItemMba: true } }),
    );
    expect(r.errors.map((e) => [e.code, e.field])).toEqual([
      ['BALANCE_ARITHMETIC', 'lines[4].fissileWeight'],
    ]);
    expect(codes(r.warnings)).toEqual(['ITEM_MUF_NONZERO@5']);
  });

  it('stops listing after maxDetails and says how many more there were', () => {
    const v = largeIcrJson(50) as { lines: Record<string, unknown>[] };
    for (const l of v.lines) l.kmp = 'NOPE';
    const r = validateReport(report(v), baseContext(), { maxDetails: 10 });
    expect(r.errors).toHaveLength(11);
    expect(r.errors[10]).toEqual({
      code: 'TOO_MANY_ERRORS',
      message: '40 further problems not listed',
      values: { count: 40 },
    });
  });

  it('checks transfer counterparts and future dates', () => {
    const v = largeIcrJson(2) as { lines: Record<string, unknown>[] };
    v.lines[0]!.counterpart = { state: 'XA' }; // an import from oneself
    v.lines[1]!.counterpart = { state: 'XA', mba: 'XA-R1' }; // a shipment to oneself
    const r = validateReport(report(v), baseContext({ today: '2027-02-01' }));
    expect(codes(r.errors)).toEqual([
      'DATE_OUTSIDE_PERIOD@-',
      'COUNTERPART_INVALID@1',
      'COUNTERPART_INVALID@2',
    ]);
  });
});

describe('validating what could be read of a report with format problems', () => {
  function partialOf(value: unknown) {
    const r = parseReportJson(enc.encode(JSON.stringify(value)));
    if (r.ok || r.partial === undefined) throw new Error('expected a partial report');
    return r;
  }

  it('names lines by their place in the document, not in the readable part', () => {
    const v = largeIcrJson(4) as { lines: Record<string, unknown>[] };
    v.lines[1]!.weight = 'twelve';
    v.lines[3]!.kmp = 'Z';
    const parsed = partialOf(v);
    expect(parsed.partial?.droppedLines).toBe(1);
    const r = validateReport(parsed.partial!.report, baseContext(), { partial: parsed.partial! });
    expect(r.errors.map((d) => `${d.field}@${d.line}:${d.code}`)).toEqual(['lines[3].kmp@4:UNKNOWN_KMP']);
  });

  it('does no balance arithmetic on an MBR with a line it could not read', () => {
    const mbr = {
      type: 'MBR',
      mba: 'XA-R1',
      reportNumber: 7,
      reportDate: '2027-04-10',
      pit: '2027-03-31',
      reportingPerson: 'p',
      lineCount: 5,
      lines: [
        { line: 1, element: 'N', entry: 'PB', weight: 5 },
        { line: 2, element: 'N', entry: 'BE', weight: 'five' },
        { line: 3, element: 'N', entry: 'BEA', weight: 5 },
        { line: 4, element: 'N', entry: 'PE', weight: 5 },
        { line: 5, element: 'N', entry: 'MUF', weight: 0 },
      ],
    };
    const parsed = partialOf(mbr);
    const r = validateReport(parsed.partial!.report, baseContext(), { partial: parsed.partial! });
    expect(r.errors).toEqual([]);
  });

  it('skips checks on header fields it could not read, and keeps the line count of the document', () => {
    const v = largeIcrJson(3) as Record<string, unknown> & { lines: Record<string, unknown>[] };
    v.reportNumber = 'seven';
    v.period = { from: 'soon', to: '2027-01-31' };
    v.lineCount = 4;
    v.lines[0]!.line = 'x';
    const parsed = partialOf(v);
    expect([...parsed.partial!.unreadable].sort()).toEqual(['period', 'reportNumber']);
    const r = validateReport(parsed.partial!.report, baseContext(), { partial: parsed.partial! });
    expect(codes(r.errors)).toEqual(['LINE_COUNT_MISMATCH@-']);
    expect(r.errors[0]?.message).toContain('has 3 lines');
  });

  it('gives no partial report when the type or the MBA cannot be read', () => {
    const v = largeIcrJson(2) as Record<string, unknown>;
    const noMba = parseReportJson(enc.encode(JSON.stringify({ ...v, mba: 7 })));
    expect(noMba.ok === false && noMba.partial).toBe(undefined);
    const noType = parseReportJson(enc.encode(JSON.stringify({ ...v, type: 'ICX' })));
    expect(noType.ok === false && noType.partial).toBe(undefined);
  });
});

describe('mergeDetails', () => {
  it('lists report-level problems first, then by line, and counts what it leaves out', () => {
    const merged = mergeDetails(
      [
        { line: 3, code: 'FIELD_FORMAT', message: 'a' },
        { code: 'TOO_MANY_ERRORS', message: '5 further problems not listed' },
      ],
      [
        { line: 1, code: 'UNKNOWN_KMP', message: 'b' },
        { code: 'REPORT_NUMBER_GAP', message: 'c' },
        { line: 3, code: 'UNKNOWN_KMP', message: 'd' },
      ],
      3,
    );
    expect(merged.map((d) => `${d.code}@${d.line ?? '-'}`)).toEqual([
      'REPORT_NUMBER_GAP@-',
      'UNKNOWN_KMP@1',
      'FIELD_FORMAT@3',
      'TOO_MANY_ERRORS@-',
    ]);
    expect(merged[3]?.message).toBe('6 further problems not listed');
  });
});
