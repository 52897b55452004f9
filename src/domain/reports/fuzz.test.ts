import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REPORT_DETAIL_CODES } from '../errors.js';
import { kindOf, particularTypes } from '../particulars.js';
import { reportValue } from './arbitraries.test-support.js';
import { formatReportCsv, formatReportJson, parseReportCsv, parseReportJson } from './index.js';
import type { ParseResult } from './parse.types.js';

/**
 * Hostile input: the parsers never throw and answer either a report or details with codes. In
 * total 10 100 generated and mutated documents. A document that parses must also round-trip.
 */
const enc = new TextEncoder();

function checkOutcome(result: ParseResult): void {
  if (result.ok) {
    const again = parseReportCsv(enc.encode(formatReportCsv(result.report)));
    expect(again.ok && again.report).toStrictEqual(result.report);
    return;
  }
  expect(result.details.length).toBeGreaterThan(0);
  for (const d of result.details) {
    expect(REPORT_DETAIL_CODES).toContain(d.code);
    expect(typeof d.message).toBe('string');
    // Each problem carries exactly the particulars its kind declares (decision 0052).
    const types = particularTypes(kindOf(d));
    expect(types, kindOf(d)).toBeDefined();
    expect(Object.keys(d.values ?? {}).sort(), kindOf(d)).toEqual(Object.keys(types ?? {}).sort());
  }
}

function both(bytes: Uint8Array): void {
  checkOutcome(parseReportJson(bytes));
  checkOutcome(parseReportCsv(bytes));
}

// Splice one of a few structural characters (or a random byte) in, or cut a slice out.
const mutation = fc.record({
  at: fc.nat(),
  cut: fc.nat({ max: 8 }),
  insert: fc.oneof(
    fc.constantFrom(
      '"',
      ',',
      ';',
      '\n',
      '\r',
      '{',
      '}',
      '[',
      ']',
      ':',
      '-',
      '=',
      "'",
      '1e400',
      '0.0001',
      'null',
      '',
    ),
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

const validJsonText = reportValue.map((v) => JSON.stringify(v));
const validCsvText = reportValue.chain((v) => {
  const r = parseReportJson(enc.encode(JSON.stringify(v)));
  return fc.constant(r.ok ? formatReportCsv(r.report, { bom: false }) : '');
});

describe('parsers under hostile input', () => {
  it('random bytes (3000)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), both), { numRuns: 3000 });
  });

  it('mutated valid JSON (3000)', () => {
    fc.assert(
      fc.property(validJsonText, fc.array(mutation, { minLength: 1, maxLength: 4 }), (text, ms) =>
        both(enc.encode(mutate(text, ms))),
      ),
      { numRuns: 3000 },
    );
  });

  it('mutated valid CSV (3000)', () => {
    fc.assert(
      fc.property(validCsvText, fc.array(mutation, { minLength: 1, maxLength: 4 }), (text, ms) =>
        both(enc.encode(mutate(text, ms))),
      ),
      { numRuns: 3000 },
    );
  });

  it('valid reports with one value replaced by arbitrary JSON, huge numbers included (1000)', () => {
    const hostile = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.constantFrom(
        1e308,
        -1e308,
        5e-324,
        2 ** 53,
        2 ** 53 + 2,
        -0,
        123456789012345.67,
        '1e999999',
        '9'.repeat(400),
      ),
    );
    fc.assert(
      fc.property(reportValue, fc.nat(), hostile, (value, pick, replacement) => {
        const v = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
        const lines = v.lines as Record<string, unknown>[];
        const target =
          lines.length > 0 && pick % 2 === 0 ? (lines[pick % lines.length] as Record<string, unknown>) : v;
        const keys = Object.keys(target);
        target[keys[pick % keys.length] as string] = replacement;
        both(enc.encode(JSON.stringify(v)));
      }),
      { numRuns: 1000 },
    );
  });

  it('deep nesting and long inputs (100, and one of depth 10^6)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('[', '{"a":', '"'), (depth, open) => {
        both(enc.encode(`{"type":"ICR","lines":${open.repeat(depth)}`));
        both(enc.encode(`${'['.repeat(depth)}${']'.repeat(depth)}`));
      }),
      { numRuns: 100 },
    );
    both(enc.encode('['.repeat(1_000_000)));
    both(enc.encode(`{"type":"MBR","lines":[${'{"a":'.repeat(100_000)}`));
  });

  it('answers structural problems with their codes', () => {
    const codes = (r: ParseResult) => (r.ok ? [] : r.details.map((d) => d.code));
    expect(codes(parseReportJson(new Uint8Array([0xff, 0xfe, 0x00])))).toEqual(['MALFORMED']);
    expect(codes(parseReportJson(enc.encode('[1,2]')))).toEqual(['MALFORMED']);
    expect(codes(parseReportJson(enc.encode('{"type":"ICR"')))).toEqual(['MALFORMED']);
    expect(codes(parseReportCsv(new Uint8Array([0xc3, 0x28])))).toEqual(['MALFORMED']);
    expect(codes(parseReportCsv(enc.encode('type,ICR\nnote,"a"b\n')))).toEqual(['MALFORMED']);
    const many = { type: 'PIL', lines: Array.from({ length: 3000 }, () => ({})) };
    const r = parseReportJson(enc.encode(JSON.stringify(many)));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.details).toHaveLength(1001);
      expect(r.details[1000]?.code).toBe('TOO_MANY_ERRORS');
    }
    // formatReportJson is total on what the parser accepts
    const ok = parseReportJson(
      enc.encode(
        '{"type":"IMPORT_NOTICE","mba":"M","reportNumber":1,"reportDate":"2027-01-01","reportingPerson":"p","lineCount":0,"notice":{"reference":"R","otherState":"XB","element":"N","weight":"1.5","preparationDate":"2027-01-01","dispatchDate":"2027-01-02","arrivalDate":"2027-01-03"}}',
      ),
    );
    expect(ok.ok && JSON.parse(formatReportJson(ok.report)).notice.weight).toBe(1.5);
  });
});
