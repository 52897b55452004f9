import { describe, expect, it } from 'vitest';
import type { DomainError, ErrorDetail } from '../domain/errors.js';
import { parseMeasurementCsv } from './inspections.js';

function problems(text: string, stratum?: string): string[] {
  try {
    parseMeasurementCsv(text, stratum);
  } catch (err) {
    return ((err as DomainError).details as readonly ErrorDetail[]).map(
      (d) => `${d.line} ${d.field} ${d.code}`,
    );
  }
  return [];
}

describe('parseMeasurementCsv', () => {
  it('groups rows by stratum and reads empty cells as not measured / not checked', () => {
    const out = parseMeasurementCsv(
      '\uFEFFstratum,itemId,declared,measured,present,sealIntact\r\n' +
        'a,X-1,1000,999.5,yes,\r\n' +
        'b,Y-1,0,,absent,broken\r\n' +
        'a,X-2,1e3,1000,,\r\n',
    );
    expect([...out.keys()]).toEqual(['a', 'b']);
    expect(out.get('a')).toEqual([
      { itemId: 'X-1', declared: 1000, measured: 999.5, present: true, sealIntact: null },
      { itemId: 'X-2', declared: 1000, measured: 1000, present: null, sealIntact: null },
    ]);
    expect(out.get('b')).toEqual([
      { itemId: 'Y-1', declared: 0, measured: null, present: false, sealIntact: false },
    ]);
  });

  it('uses --stratum when the column is absent', () => {
    expect(parseMeasurementCsv('itemId,declared\nZ,1\n', 'fuel').get('fuel')).toHaveLength(1);
    expect(problems('itemId,declared\nZ,1\n')).toEqual(['1 stratum FIELD_MISSING']);
  });

  it('gathers every problem with its line before anything is sent', () => {
    expect(problems('itemId,declared,measured,weight\n', 's')).toEqual(['1 weight FIELD_UNKNOWN']);
    expect(problems('itemId,declared,measured,present\n,abc,0x10,maybe\nok,1,Infinity,\n', 's')).toEqual([
      '2 itemId FIELD_INVALID',
      '2 declared FIELD_INVALID',
      '2 measured FIELD_INVALID',
      '2 present FIELD_INVALID',
      '3 measured FIELD_INVALID',
    ]);
  });
});
