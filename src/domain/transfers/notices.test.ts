import { describe, expect, it } from 'vitest';
import { checkNotices } from './notices.js';
import type { AdvanceNotice, TransferLine } from './transfer.types.js';

const line = (
  id: string,
  date: string,
  weightMg: number,
  over: Partial<TransferLine> = {},
): TransferLine => ({
  id,
  state: 'AA',
  mba: 'AA01',
  counterpart: { state: 'BB' },
  code: 'SF',
  batch: id,
  element: 'P',
  date,
  weightMg,
  ...over,
});
const notice = (reference: string, over: Partial<AdvanceNotice> = {}): AdvanceNotice => ({
  reference,
  kind: 'EXPORT',
  state: 'AA',
  otherState: 'BB',
  submitted: '2024-01-01',
  preparationDate: '2024-01-20',
  dispatchDate: '2024-01-25',
  arrivalDate: '2024-01-30',
  ...over,
});

describe('checkNotices (domain.md §2 advance notices)', () => {
  it('requires a notice above 1 ekg, not at or below it', () => {
    const f = checkNotices([line('a', '2024-02-01', 1_000_001), line('b', '2024-08-01', 1_000_000)], []);
    expect(f.map((x) => [x.code, x.transfer.id, x.reason])).toEqual([
      ['NOTICE_MISSING', 'a', 'OVER_THRESHOLD'],
    ]);
  });

  it('aggregates shipments to one state within 3 months', () => {
    // 0.4 + 0.4 + 0.3 = 1.1 ekg between 1 Jan and 31 Mar; the April shipment falls outside the
    // window of the first (1 Apr is 3 months after 1 Jan) but with the two before it adds up
    // 0.4 + 0.3 + 0.4 = 1.1 again. The one to another state does not count.
    const f = checkNotices(
      [
        line('a', '2024-01-01', 400_000),
        line('b', '2024-02-01', 400_000),
        line('c', '2024-03-31', 300_000, { notice: 'N1' }),
        line('d', '2024-04-01', 400_000),
        line('x', '2024-02-01', 900_000, { counterpart: { state: 'CC' } }),
        line('z', '2024-12-01', 400_000),
      ],
      [notice('N1', { preparationDate: '2024-03-20', submitted: '2024-03-01' })],
    );
    expect(f.map((x) => [x.code, x.transfer.id, x.reason])).toEqual([
      ['NOTICE_MISSING', 'a', 'AGGREGATE_OVER_THRESHOLD'],
      ['NOTICE_MISSING', 'b', 'AGGREGATE_OVER_THRESHOLD'],
      ['NOTICE_MISSING', 'd', 'AGGREGATE_OVER_THRESHOLD'],
    ]);
    expect(f[0]!.ekg).toBeCloseTo(1.1, 12);
  });

  it('flags a late export notice (< 14 days before preparation) and a late import notice', () => {
    const f = checkNotices(
      [
        line('ok', '2024-01-25', 2_000_000, { notice: 'E1' }),
        line('late', '2024-01-25', 2_000_000, { notice: 'E2' }),
        line('in', '2024-03-10', 2_000_000, { code: 'RF', notice: 'I1', counterpart: { state: 'BB' } }),
        line('in-ok', '2024-03-10', 2_000_000, { code: 'RF', notice: 'I2', counterpart: { state: 'BB' } }),
        line('wrong-kind', '2024-03-10', 2_000_000, {
          code: 'RF',
          notice: 'E1',
          counterpart: { state: 'BB' },
        }),
        line('domestic', '2024-03-10', 9_000_000, { code: 'SD' }),
      ],
      [
        notice('E1', { submitted: '2024-01-06' }),
        notice('E2', { submitted: '2024-01-07' }),
        notice('I1', { kind: 'IMPORT', submitted: '2024-03-11' }),
        notice('I2', { kind: 'IMPORT', submitted: '2024-03-10' }),
      ],
    );
    expect(f.map((x) => [x.code, x.transfer.id, x.reason])).toEqual([
      ['NOTICE_LATE', 'late', 'EXPORT_LEAD_TIME'],
      ['NOTICE_LATE', 'in', 'IMPORT_AFTER_RECEIPT'],
      ['NOTICE_MISSING', 'wrong-kind', 'OVER_THRESHOLD'],
    ]);
  });

  it('counts uranium by effective kilograms', () => {
    // 10 t of LEU at 3 %: 10 000 kg × 0.03² = 9 ekg.
    const f = checkNotices(
      [line('u', '2024-01-01', 10_000_000_000, { element: 'E', fissileMg: 300_000_000 })],
      [],
    );
    expect(f[0]!.ekg).toBeCloseTo(9, 9);
  });
});
