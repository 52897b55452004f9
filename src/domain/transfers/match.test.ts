import { describe, expect, it } from 'vitest';
import { collectTransferAlarms, matchTransfers } from './match.js';
import type { TransferLine } from './transfer.types.js';

const ship = (over: Partial<TransferLine> = {}): TransferLine => ({
  id: 'S1',
  state: 'AA',
  mba: 'AA01',
  counterpart: { state: 'BB', mba: 'BB07' },
  code: 'SF',
  batch: 'LOT-1',
  element: 'E',
  date: '2024-03-10',
  weightMg: 100_000_000,
  fissileMg: 4_000_000,
  notice: 'N-1',
  random: 0.003,
  systematic: 0.004,
  ...over,
});
const receive = (over: Partial<TransferLine> = {}): TransferLine => ({
  id: 'R1',
  state: 'BB',
  mba: 'BB07',
  counterpart: { state: 'AA', mba: 'AA01' },
  code: 'RF',
  batch: 'LOT-1',
  element: 'E',
  date: '2024-03-20',
  weightMg: 99_900_000,
  fissileMg: 3_996_000,
  notice: 'N-1',
  random: 0.006,
  systematic: 0.008,
  ...over,
});

describe('matchTransfers (domain.md §6 SRD)', () => {
  it('matches across states with SRD = shipper − receiver and σ from both sides', () => {
    // σ² = 100 000 000² (0.003² + 0.004²) + 99 900 000² (0.006² + 0.008²)
    //    = 1e16 · 2.5e-5 + 9.98001e15 · 1e-4 = 2.5e11 + 9.98001e11 = 1.248001e12
    // σ = 1 117 139.7 mg; SRD = 100 000 mg ≤ 3σ → matched.
    const { matches, counts } = matchTransfers([ship()], [receive()], { asOf: '2024-06-01' });
    expect(counts).toEqual({ matched: 1, discrepant: 0, pending: 0, unmatched: 0 });
    expect(matches[0]!.srdMg).toBe(100_000);
    expect(matches[0]!.fissileSrdMg).toBe(4_000);
    expect(matches[0]!.sigmaMg).toBeCloseTo(Math.sqrt(1.248001e12), 6);
  });

  it('is discrepant beyond 3σ and uses the receiver measurement of a receipt booked at shipper value', () => {
    const exact = { random: 0.0001, systematic: 0 };
    const { matches } = matchTransfers(
      [ship(exact)],
      [
        receive({
          ...exact,
          weightMg: 100_000_000,
          fissileMg: 4_000_000,
          basis: 'N',
          measuredMg: 99_000_000,
          measuredFissileMg: 3_960_000,
        }),
      ],
      { asOf: '2024-06-01' },
    );
    // σ ≈ 14 072 mg; SRD = 1 000 000 mg.
    expect(matches[0]).toMatchObject({ status: 'discrepant', srdMg: 1_000_000, fissileSrdMg: 40_000 });
    expect(collectTransferAlarms(matches).map((a) => [a.mba, a.alarm.code, a.alarm.date])).toEqual([
      ['AA01', 'SRD_3SIGMA', '2024-03-10'],
      ['BB07', 'SRD_3SIGMA', '2024-03-20'],
    ]);
  });

  it('requires batch, element, states, MBAs and notice to agree; an unknown MBA on one side is a wildcard', () => {
    const opts = { asOf: '2024-04-01' };
    expect(matchTransfers([ship()], [receive({ batch: 'LOT-2' })], opts).counts.matched).toBe(0);
    expect(matchTransfers([ship()], [receive({ element: 'P' })], opts).counts.matched).toBe(0);
    expect(matchTransfers([ship()], [receive({ notice: 'N-2' })], opts).counts.matched).toBe(0);
    expect(matchTransfers([ship()], [receive({ mba: 'BB08' })], opts).counts.matched).toBe(0);
    expect(matchTransfers([ship()], [receive({ state: 'CC' })], opts).counts.matched).toBe(0);
    expect(matchTransfers([ship({ counterpart: { state: 'BB' } })], [receive()], opts).counts.matched).toBe(
      1,
    );
    // With two candidates the one naming both MBAs exactly wins.
    const { matches } = matchTransfers(
      [ship({ id: 'S0', counterpart: { state: 'BB' } }), ship({ id: 'S1' })],
      [receive()],
      opts,
    );
    expect(matches.map((m) => [m.shipment?.id, m.receipt?.id, m.status])).toEqual([
      ['S0', undefined, 'pending'],
      ['S1', 'R1', 'matched'],
    ]);
  });

  it('keeps a lone line pending until the receiver ICR deadline, then unmatched', () => {
    // Shipment on 10 March: deadline 30 April (30 days after 31 March).
    expect(matchTransfers([ship()], [], { asOf: '2024-04-30' }).matches[0]).toMatchObject({
      status: 'pending',
      deadline: '2024-04-30',
    });
    const late = matchTransfers([ship()], [receive({ batch: 'X' })], { asOf: '2024-05-01' });
    expect(late.counts).toEqual({ matched: 0, discrepant: 0, pending: 0, unmatched: 2 });
    expect(collectTransferAlarms(late.matches).map((a) => [a.mba, a.alarm.code])).toEqual([
      ['AA01', 'TRANSFER_UNMATCHED'],
      ['BB07', 'TRANSFER_UNMATCHED'],
    ]);
    expect(matchTransfers([ship()], [], { asOf: '2024-03-20', graceDays: 7 }).counts.unmatched).toBe(1);
  });
});
