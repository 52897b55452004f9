import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type ErrorDetail, REPORT_DETAIL_CODES } from '../errors.js';
import { kindOf, particularTypes } from '../particulars.js';
import { parseReportCsv, parseReportJson, type ValidationContext, validateReport } from './index.js';
import type { ElementCode } from './report.types.js';
import { baseContext } from './test-support.js';
import { parseWeight } from './weight.js';

/**
 * Golden reports: each fixtures/<name>.json|.csv comes with <name>.expect.json listing the exact
 * problems (code, line, field) it must produce, and the context overrides it is checked against.
 */
const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

interface Expectation {
  context?: Record<string, unknown>;
  parse?: boolean;
  sameAs?: string;
  /** Cut the lists at this many details (TOO_MANY_ERRORS); the default maximum otherwise. */
  maxDetails?: number;
  errors: { code: string; line?: number; field?: string }[];
  warnings?: { code: string; line?: number; field?: string }[];
}

const mg = (grams: unknown): number => {
  const r = parseWeight(grams as number);
  if (!r.ok) throw new Error(`bad fixture weight ${String(grams)}`);
  return r.mg;
};

function contextFrom(json: Record<string, unknown> = {}): ValidationContext {
  const o: Record<string, unknown> = { ...json };
  if (o.mba === null) o.mba = undefined;
  for (const key of ['previousPe', 'pilTotals'] as const) {
    const v = o[key] as Record<string, number> | undefined;
    if (v !== undefined) o[key] = new Map(Object.entries(v).map(([e, g]) => [e as ElementCode, mg(g)]));
  }
  const icr = o.icrTotals as Record<string, Record<string, number>> | undefined;
  if (icr !== undefined) {
    o.icrTotals = new Map(
      Object.entries(icr).map(([e, codes]) => [
        e,
        new Map(Object.entries(codes).map(([c, g]) => [c, mg(g)])),
      ]),
    );
  }
  return baseContext(o as Partial<ValidationContext>);
}

const key = (d: { code: string; line?: number; field?: string }) =>
  `${d.code}|${d.line ?? ''}|${d.field ?? ''}`;
const keys = (ds: readonly ErrorDetail[] | Expectation['errors']) => ds.map(key).sort();

/**
 * Problems whose particulars are not what domain/particulars.ts declares for their kind (decision
 * 0052): the browser words each from exactly those values, so a missing or extra one is a defect.
 */
function undeclared(ds: readonly ErrorDetail[]): string[] {
  return ds.flatMap((d) => {
    const kind = kindOf(d);
    const types = particularTypes(kind);
    if (types === undefined) return [`${kind}: not a declared kind`];
    const want = Object.keys(types).sort().join(',');
    const got = Object.keys(d.values ?? { missing: true })
      .sort()
      .join(',');
    return want === got ? [] : [`${kind}: values ${got || '(none)'}, declared ${want || '(none)'}`];
  });
}

const files = readdirSync(dir).filter((f) => /\.(json|csv)$/.test(f) && !f.endsWith('.expect.json'));
const expectationOf = (file: string): Expectation =>
  JSON.parse(readFileSync(join(dir, file.replace(/\.(json|csv)$/, '.expect.json')), 'utf8')) as Expectation;

describe('golden reports', () => {
  it('has a fixture for every report detail code', () => {
    const produced = new Set(
      files.flatMap((f) => {
        const e = expectationOf(f);
        return [...e.errors, ...(e.warnings ?? [])].map((d) => d.code);
      }),
    );
    expect(REPORT_DETAIL_CODES.filter((code) => !produced.has(code))).toEqual([]);
  });

  for (const file of files) {
    it(file, () => {
      const bytes = readFileSync(join(dir, file));
      const expectation = expectationOf(file);
      const options = expectation.maxDetails === undefined ? {} : { maxDetails: expectation.maxDetails };
      const parsed = file.endsWith('.csv') ? parseReportCsv(bytes, options) : parseReportJson(bytes, options);
      if (expectation.parse === true) {
        expect(parsed.ok).toBe(false);
        if (!parsed.ok) expect(keys(parsed.details)).toEqual(keys(expectation.errors));
        if (!parsed.ok) expect(undeclared(parsed.details)).toEqual([]);
        return;
      }
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.details));
      if (expectation.sameAs !== undefined) {
        const other = parseReportJson(readFileSync(join(dir, expectation.sameAs)));
        expect(other.ok && other.report).toEqual(parsed.report);
      }
      const result = validateReport(parsed.report, contextFrom(expectation.context), options);
      expect(keys(result.errors)).toEqual(keys(expectation.errors));
      expect(keys(result.warnings)).toEqual(keys(expectation.warnings ?? []));
      expect(undeclared([...result.errors, ...result.warnings])).toEqual([]);
    });
  }
});
