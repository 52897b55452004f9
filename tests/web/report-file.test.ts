import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  bytesToSign,
  capProblems,
  convertFromWindows1252,
  readReportBytes,
  sha256Hex,
  truncateRow,
} from '../../web/src/report-file.js';

/** The submit page's reading of a file (issue 16 items 4, 6, 8; docs/decisions/0024). */
describe('report file in the browser', () => {
  it('refuses a Windows-1252 file instead of signing replacement characters', () => {
    const cp1252 = Uint8Array.from([...Buffer.from('reportingPerson,Ren'), 0xe9, ...Buffer.from('\n')]);
    expect(readReportBytes(cp1252)).toEqual({ ok: false, problem: 'not-utf8' });
    // Only on the user's explicit choice, and the result is what gets signed.
    const text = convertFromWindows1252(cp1252);
    expect(text).toBe('reportingPerson,René\n');
    expect(Buffer.from(bytesToSign(text, false)).toString('utf8')).toBe('reportingPerson,René\n');
  });

  it('says a 0-byte file is empty', () => {
    expect(readReportBytes(new Uint8Array(0))).toEqual({ ok: false, problem: 'empty' });
  });

  it('signs the file’s exact bytes, BOM and CRLF kept, so the user’s SHA-256 matches', () => {
    const file = Buffer.from('\uFEFFtype,ICR\r\nmba,XA-S1\r\nrené,1\r\n', 'utf8');
    const read = readReportBytes(file);
    expect(read).toMatchObject({ ok: true, bom: true, text: 'type,ICR\r\nmba,XA-S1\r\nrené,1\r\n' });
    if (!read.ok) return;
    const signed = bytesToSign(read.text, read.bom);
    expect(Buffer.from(signed).equals(file)).toBe(true);
    expect(sha256Hex(signed)).toBe(createHash('sha256').update(file).digest('hex'));
  });

  it('caps a thousand problems and cuts long rows', () => {
    const details = [
      ...Array.from({ length: 1000 }, (_, i) => ({ code: 'INVALID', message: `p${i}` })),
      { code: 'TOO_MANY_ERRORS', message: '199000 further problems not listed' },
    ];
    const capped = capProblems(details);
    expect(capped.shown).toHaveLength(200);
    expect(capped.hidden).toBe(800 + 199_000);
    expect(capped.total).toBe(200_000);
    const row = 'x,'.repeat(200_000);
    expect(truncateRow(row).length).toBeLessThan(220);
    expect(truncateRow('short')).toBe('short');
  });
});
