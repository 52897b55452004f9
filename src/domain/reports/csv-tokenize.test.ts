import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tokenizeCsv } from './csv-tokenize.js';

/** csv-parse is the reference: on well-formed CSV both must read the same records. */
function reference(text: string, delimiter: ',' | ';'): string[][] {
  return parse(text, {
    delimiter,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
  }) as string[][];
}

const cell = fc.string({
  unit: fc.constantFrom('a', 'b', ' ', ',', ';', '"', '\n', '\r', '\r\n', 'é', "'", '='),
  maxLength: 6,
});

describe('tokenizeCsv', () => {
  it('reads what csv-stringify writes exactly as csv-parse does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { maxLength: 6 }),
        fc.constantFrom(',', ';'),
        fc.constantFrom('\n', '\r\n'),
        (records, delimiter, eol) => {
          const text = stringify(records, {
            delimiter: delimiter as ',' | ';',
            record_delimiter: eol,
            quoted_match: /[\r\n]/,
          });
          const mine = tokenizeCsv(text, delimiter as ',' | ';');
          expect(mine.ok).toBe(true);
          if (mine.ok) {
            expect(mine.records).toEqual(reference(text, delimiter as ',' | ';'));
            expect(mine.records).toEqual(records.filter((r) => r.some((c) => c.trim() !== '')));
          }
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('refuses what csv-parse refuses in strict mode', () => {
    for (const bad of ['a,"b', 'a,"b"c', 'a,b"c', '"a""']) {
      expect(tokenizeCsv(bad, ',').ok, bad).toBe(false);
      expect(() => reference(bad, ','), bad).toThrow();
    }
  });

  it('skips blank and all-empty rows and accepts a missing final line break', () => {
    expect(tokenizeCsv('a,b\r\n\r\n,,\n;\nc', ',')).toEqual({
      ok: true,
      records: [['a', 'b'], [';'], ['c']],
    });
    expect(tokenizeCsv('', ',')).toEqual({ ok: true, records: [] });
    expect(tokenizeCsv('"x\r\ny",""""\r', ',')).toEqual({ ok: true, records: [['x\r\ny', '"']] });
  });
});
