import { describe, expect, it } from 'vitest';
import { Refusal } from '../../src/services/federation/inbox-reading.js';
import { prepareReport } from '../../src/services/federation/inbox-store.js';
import { icr, transferLine } from '../fixtures/reports.js';

/** A forwarded ICR's record content (reportContent's shape) and its signed original. */
function forwarded(lineCount: number) {
  const lines = [1, 2].map((n) => transferLine(n, `2026-01-1${n}`, 'SD', `S${n}`, 'B', 'XA-S1'));
  const body = icr(1, '2026-01', lines, { mba: 'XA-F1', lineCount });
  const content = {
    id: 'report:1',
    state: 'XA',
    organisation: 'xa-ssac',
    mba: 'XA-F1',
    type: 'ICR',
    reportNumber: 1,
    reportDate: '2026-01-31',
    period: { from: '2026-01-01', to: '2026-01-31' },
    pit: null,
    lineCount,
    bodySha256: 'ab',
    bodyFormat: 'json',
    keyId: 'k',
    signature: 's',
    submittedAt: '2026-02-01T00:00:00.000Z',
    submittedBy: 'xa-ssac.submitter',
  };
  return {
    record: { kind: 'report', id: 'report:1', leafId: 'report:1', content, salt: '' },
    original: { bytes: new TextEncoder().encode(JSON.stringify(body)) },
  };
}

describe('a forwarded report checked against its signed original', () => {
  it('is taken when its record counts the lines its original holds', () => {
    const { record, original } = forwarded(2);
    expect(prepareReport(record, original).row.line_count).toBe(2);
  });

  it('is refused when its record says another number of lines (the book counts by it, decision 0109)', () => {
    const { record, original } = forwarded(3);
    let refused: unknown;
    try {
      prepareReport(record, original);
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(Refusal);
    expect((refused as Refusal).code).toBe('REPORT_INVALID');
    expect((refused as Refusal).message).toBe('the signed original holds 2 lines, its record says 3');
  });
});
