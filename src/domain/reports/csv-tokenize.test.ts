import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvRecords, type TokenizeError, tokenizeCsv } from './csv-tokenize.js';

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

  it('reads the same records and error from a text cut in pieces, however it is cut', () => {
    // A big body is decoded and read a piece at a time (decision 0067): records, the row of an
    // error and its reason must not depend on where the pieces end.
    const all = (text: string, delimiter: ',' | ';', cuts: number[]) => {
      const bounds = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
      const pieces: string[] = [];
      let at = 0;
      for (const b of bounds) {
        pieces.push(text.slice(at, b));
        at = b;
      }
      pieces.push(text.slice(at));
      const first = pieces.shift() as string;
      const source = csvRecords(first, delimiter, () => pieces.shift());
      const records: string[][] = [];
      for (;;) {
        const next = source.next();
        if (next.done) return { records, error: next.value as TokenizeError | undefined };
        records.push(next.value);
      }
    };
    const whole = (text: string, delimiter: ',' | ';') => all(text, delimiter, []);
    const unit = fc.constantFrom('a', 'bb', ' ', ',', ';', '"', '""', '\n', '\r', '\r\n', 'é', '=');
    fc.assert(
      fc.property(
        fc.string({ unit, maxLength: 40 }),
        fc.constantFrom(',', ';'),
        fc.array(fc.nat(), { maxLength: 8 }),
        (text, delimiter, cuts) => {
          const d = delimiter as ',' | ';';
          expect(all(text, d, cuts)).toEqual(whole(text, d));
          expect(
            all(
              text,
              d,
              [...text].map((_, i) => i),
            ),
          ).toEqual(whole(text, d));
        },
      ),
      { numRuns: 3000 },
    );
    // A quoted field over many pieces, and a CRLF cut between two.
    const long = `"${'x'.repeat(5000)}""y",z\r\nq,r`;
    const cuts = Array.from({ length: 600 }, (_, i) => i * 9);
    expect(all(long, ',', cuts)).toEqual(whole(long, ','));
    expect(all('a,b\r\nc', ',', [4])).toEqual({ records: [['a', 'b'], ['c']], error: undefined });
  });
});
