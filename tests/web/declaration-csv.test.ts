import { describe, expect, it } from 'vitest';
import { itemsFromCsv, parseCsv } from '../../web/src/pages/legal/csv.js';

describe('the browser CSV reader for declaration uploads', () => {
  it('reads quotes, doubled quotes, commas and line breaks in quotes, CRLF, a BOM', () => {
    expect(parseCsv('\ufeffa,b\r\n"x, ""y""","two\nlines"\n')).toEqual([
      ['a', 'b'],
      ['x, "y"', 'two\nlines'],
    ]);
  });
  it('turns rows under a header into items, leaving empty cells out', () => {
    expect(itemsFromCsv('annexRef,quantity,note\n5.1,12,\n')).toEqual([{ annexRef: '5.1', quantity: '12' }]);
    expect(itemsFromCsv('')).toEqual([]);
  });
});
