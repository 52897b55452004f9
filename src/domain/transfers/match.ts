import type { DatedAlarm } from '../accounting/index.js';
import { addDays, icrDeadline } from '../accounting/index.js';
import type { IsoDate } from '../reports/report.types.js';
import { matchHash } from './match-key.js';
import type { TransferLine, TransferMatch, TransferStatus } from './transfer.types.js';

export interface MatchOptions {
  /** The date of evaluation: a lone transfer past its deadline on this date is unmatched. */
  readonly asOf: IsoDate;
  /**
   * Days after the transfer's date before a lone transfer is unmatched. Default: the receiver's
   * ICR deadline, 30 days after the end of the month of the transfer (domain.md §2).
   */
  readonly graceDays?: number;
  /** Multiple of σ beyond which an SRD is discrepant; 3 unless configured. */
  readonly sigmaFactor?: number;
}

export interface MatchResult {
  readonly matches: readonly TransferMatch[];
  readonly counts: Readonly<Record<TransferStatus, number>>;
}

/** @internal The match key as one string: lines match only within one key (see matchHash). */
export function matchKeyOf(line: TransferLine, shipment: boolean): string {
  const shipper = shipment ? line.state : line.counterpart.state;
  const receiver = shipment ? line.counterpart.state : line.state;
  return `${line.batch}\u0001${line.element}\u0001${shipper}\u0001${receiver}\u0001${line.notice ?? ''}`;
}

/** @internal Whether shipment `s` and receipt `r` have one match key (matchKeyOf of each, field by field). */
export function sameKey(s: TransferLine, r: TransferLine): boolean {
  return (
    s.batch === r.batch &&
    s.element === r.element &&
    s.state === r.counterpart.state &&
    s.counterpart.state === r.state &&
    (s.notice ?? '') === (r.notice ?? '')
  );
}

/** @internal MBAs must agree where both sides name them (an exporter may not know the receiving MBA). */
export function compatible(s: TransferLine, r: TransferLine): 0 | 1 | 2 {
  const shipperOk = r.counterpart.mba === undefined || r.counterpart.mba === s.mba;
  const receiverOk = s.counterpart.mba === undefined || s.counterpart.mba === r.mba;
  if (!shipperOk || !receiverOk) return 0;
  return r.counterpart.mba !== undefined && s.counterpart.mba !== undefined ? 2 : 1;
}

function variance(line: TransferLine, weight: number): number {
  const r = line.random ?? 0;
  const s = line.systematic ?? 0;
  return weight * weight * (r * r + s * s);
}

/**
 * Matches every shipment line with the receiver's receipt line across state boundaries
 * (hash join on batch, element, shipper and receiver state and MBA, notice reference; O(n)).
 * A pair gives SRD = shipper − receiver with σ² = the shipper's random + systematic variance of
 * the batch + the receiver's (domain.md §6) and is discrepant when |SRD| > 3σ. A lone line is
 * pending until its grace period ends, then unmatched. Matches come in shipment order, then the
 * lone receipts in receipt order.
 */
export function matchTransfers(
  shipments: readonly TransferLine[],
  receipts: readonly TransferLine[],
  opts: MatchOptions,
): MatchResult {
  const factor = opts.sigmaFactor ?? 3;
  const deadlines = new Map<IsoDate, IsoDate>();
  const deadlineOf = (date: IsoDate): IsoDate => {
    let d = deadlines.get(date);
    if (d === undefined) {
      d = opts.graceDays === undefined ? icrDeadline(date) : addDays(date, opts.graceDays);
      deadlines.set(date, d);
    }
    return d;
  };
  // Open addressing, linear probing, load ≤ 1/2; slot holds shipment index + 1.
  let size = 16;
  while (size < shipments.length * 2) size *= 2;
  const mask = size - 1;
  const slots = new Int32Array(size);
  // matchHash is 48 bits: a float64 holds it exactly; the slot index uses its low 32 bits.
  const hashes = new Float64Array(shipments.length);
  for (let i = 0; i < shipments.length; i++) {
    const s = shipments[i]!;
    const h = matchHash(s.batch, s.element, s.state, s.counterpart.state, s.notice ?? '');
    hashes[i] = h;
    let at = h & mask;
    while (slots[at] !== 0) at = (at + 1) & mask;
    slots[at] = i + 1;
  }
  const partner = new Int32Array(shipments.length).fill(-1);
  const loneReceipts: number[] = [];
  for (let j = 0; j < receipts.length; j++) {
    const r = receipts[j]!;
    const h = matchHash(r.batch, r.element, r.counterpart.state, r.state, r.notice ?? '');
    let best = -1;
    let bestScore = 0;
    for (let at = h & mask; slots[at] !== 0; at = (at + 1) & mask) {
      const i = slots[at]! - 1;
      if (hashes[i] !== h || partner[i] !== -1) continue;
      const s = shipments[i]!;
      if (!sameKey(s, r)) continue;
      const score = compatible(s, r);
      if (score > bestScore) {
        best = i;
        bestScore = score;
        if (score === 2) break;
      }
    }
    if (best >= 0) partner[best] = j;
    else loneReceipts.push(j);
  }
  const counts: Record<TransferStatus, number> = { matched: 0, discrepant: 0, pending: 0, unmatched: 0 };
  const matches: TransferMatch[] = new Array(shipments.length + loneReceipts.length);
  let m = 0;
  for (let i = 0; i < shipments.length; i++) {
    const s = shipments[i]!;
    const j = partner[i]!;
    if (j < 0) {
      const deadline = deadlineOf(s.date);
      const status: TransferStatus = opts.asOf > deadline ? 'unmatched' : 'pending';
      counts[status]++;
      matches[m++] = { status, shipment: s, deadline };
      continue;
    }
    const pair = pairOf(s, receipts[j]!, factor);
    counts[pair.status]++;
    matches[m++] = pair;
  }
  for (const j of loneReceipts) {
    const r = receipts[j]!;
    const deadline = deadlineOf(r.date);
    const status: TransferStatus = opts.asOf > deadline ? 'unmatched' : 'pending';
    counts[status]++;
    matches[m++] = { status, receipt: r, deadline };
  }
  return { matches, counts };
}

/** @internal A shipment and its receipt: SRD, its σ and the status (matchTransfers). */
export function pairOf(s: TransferLine, r: TransferLine, factor: number): TransferMatch {
  const received = r.measuredMg ?? r.weightMg;
  const receivedFissile = r.measuredFissileMg ?? r.fissileMg ?? 0;
  const srdMg = s.weightMg - received;
  const sigmaMg = Math.sqrt(variance(s, s.weightMg) + variance(r, received));
  const status: TransferStatus = Math.abs(srdMg) > factor * sigmaMg ? 'discrepant' : 'matched';
  return {
    status,
    shipment: s,
    receipt: r,
    srdMg,
    fissileSrdMg: (s.fissileMg ?? 0) - receivedFissile,
    sigmaMg,
  };
}

export interface LocatedAlarm {
  readonly state: string;
  readonly mba: string;
  readonly alarm: DatedAlarm;
}

/**
 * Transfer alarms for the MBAs concerned: SRD_3SIGMA for a discrepant pair (on both sides, at
 * each side's line date), TRANSFER_UNMATCHED for a lone line past its grace period (on the
 * side that reported it).
 */
export function collectTransferAlarms(matches: readonly TransferMatch[]): LocatedAlarm[] {
  const out: LocatedAlarm[] = [];
  const add = (line: TransferLine, code: DatedAlarm['code']): void => {
    out.push({
      state: line.state,
      mba: line.mba,
      alarm: { date: line.date, code, element: line.element, ref: line.id },
    });
  };
  for (const m of matches) {
    if (m.status === 'discrepant') {
      add(m.shipment!, 'SRD_3SIGMA');
      add(m.receipt!, 'SRD_3SIGMA');
    } else if (m.status === 'unmatched') {
      add((m.shipment ?? m.receipt)!, 'TRANSFER_UNMATCHED');
    }
  }
  return out;
}
