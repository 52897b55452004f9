import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { buildMatrix, type CompatibilityEntry } from './compatibility.js';
import { formatMatrixCsv, formatMatrixHtml, MATRIX_CSV_COLUMNS } from './compatibility-export.js';

const entry: CompatibilityEntry = {
  state: 'XA',
  provision: 'INFCIRC/153 para 62',
  version: 2,
  status: 'conflicting',
  domestic: {
    act: 'Nuclear Energy Act, 2019',
    section: '§ 12 "Reports"',
    text: '=HYPERLINK("http://x") <script>alert(1)</script>\nsecond line',
    inForceFrom: '2020-01-01',
    institution: 'regulator',
  },
  note: '-90 days instead of 30',
  evidence: null,
  step: null,
  at: '2026-12-01T10:00:00.000Z',
  by: 'u1',
};
const matrix = buildMatrix(
  'XA',
  [
    { ref: 'INFCIRC/153 para 7', instrument: 'INFCIRC-153', text: 'accounting' },
    { ref: 'INFCIRC/153 para 62', instrument: 'INFCIRC-153', text: 'initial report' },
  ],
  new Map([[entry.provision, entry]]),
);

describe('formatMatrixCsv', () => {
  it('writes one row per provision that csv-parse reads back, text kept whole', () => {
    const rows = parse(formatMatrixCsv(matrix)) as string[][];
    expect(rows[0]).toEqual([...MATRIX_CSV_COLUMNS]);
    expect(rows).toHaveLength(3);
    expect(rows[1]).toEqual([
      'XA',
      'INFCIRC/153 para 7',
      'INFCIRC-153',
      'not-reviewed',
      ...Array(10).fill(''),
    ]);
    const r = rows[2] as string[];
    expect(r.slice(0, 6)).toEqual([
      'XA',
      'INFCIRC/153 para 62',
      'INFCIRC-153',
      'conflicting',
      'Nuclear Energy Act, 2019',
      '§ 12 "Reports"',
    ]);
    expect(r[12]).toBe('2');
  });
  it('neutralises cells a spreadsheet would run as formulas', () => {
    const r = (parse(formatMatrixCsv(matrix)) as string[][])[2] as string[];
    expect(r[6]?.startsWith(`'=HYPERLINK`)).toBe(true);
    expect(r[10]).toBe(`'-90 days instead of 30`);
  });
});

describe('formatMatrixHtml', () => {
  const html = formatMatrixHtml(matrix, '2026-12-06T02:00:00.000Z');
  it('escapes everything that comes from the data and carries no script', () => {
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('§ 12 &quot;Reports&quot;');
  });
  it('prints: summary, gaps, then every provision, with print CSS', () => {
    expect(html).toContain('@page');
    expect(html).toContain('Gaps (1)');
    expect(html).toContain('All provisions (2)');
    expect(html.indexOf('Gaps (1)')).toBeLessThan(html.indexOf('All provisions (2)'));
    expect(html).toContain('<th scope="row">Not reviewed</th><td>1</td>');
  });
});
