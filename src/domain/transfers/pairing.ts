import { compatible, pairOf } from './match.js';
import type { TransferLine, TransferMatch } from './transfer.types.js';

/** The pairs of one match key: `pairs[i]` is shipment i's match, or undefined while it is alone. */
export interface KeyPairing {
  readonly pairs: readonly (TransferMatch | undefined)[];
  /** Indices of the receipts left alone. */
  readonly loneReceipts: readonly number[];
}

/**
 * The greedy pairing of matchTransfers within one match key (batch, element, shipper and
 * receiver state, notice): lines pair only within a key, so a changed line re-pairs its key
 * alone. Shipments and receipts come in the order matchTransfers takes them (MBA, then effective
 * position); each receipt takes the first free shipment whose MBAs agree, preferring one where
 * both sides name each other's MBA.
 */
export function pairKey(
  shipments: readonly TransferLine[],
  receipts: readonly TransferLine[],
  sigmaFactor = 3,
): KeyPairing {
  const partner = new Int32Array(shipments.length).fill(-1);
  const loneReceipts: number[] = [];
  for (let j = 0; j < receipts.length; j++) {
    const r = receipts[j]!;
    let best = -1;
    let bestScore = 0;
    for (let i = 0; i < shipments.length; i++) {
      if (partner[i] !== -1) continue;
      const score = compatible(shipments[i]!, r);
      if (score > bestScore) {
        best = i;
        bestScore = score;
        if (score === 2) break;
      }
    }
    if (best >= 0) partner[best] = j;
    else loneReceipts.push(j);
  }
  const pairs = shipments.map((s, i) => {
    const j = partner[i]!;
    return j < 0 ? undefined : pairOf(s, receipts[j]!, sigmaFactor);
  });
  return { pairs, loneReceipts };
}

/**
 * The flow a line belongs to for the notice rule (checkNotices groups by it): direction, the
 * reporting state and the other state; undefined for a domestic transfer code.
 */
const EXPORT_CODES: ReadonlySet<string> = new Set(['SF']);
const IMPORT_CODES: ReadonlySet<string> = new Set(['RF']);

export function noticeFlowOf(
  line: Pick<TransferLine, 'code' | 'state' | 'counterpart'>,
  exportCodes: ReadonlySet<string> = EXPORT_CODES,
  importCodes: ReadonlySet<string> = IMPORT_CODES,
): string | undefined {
  const direction = exportCodes.has(line.code) ? 'EXPORT' : importCodes.has(line.code) ? 'IMPORT' : undefined;
  return direction === undefined
    ? undefined
    : `${direction}\u0001${line.state}\u0001${line.counterpart.state}`;
}

/** Directions of the flows of cross-border lines that the notice rule does not cover. */
const OTHER_FLOWS = { ship: 'SHIP', receive: 'RECEIVE' } as const;

/**
 * The flow a stored transfer row carries (eval_transfers.flow): the notice flow of an export or
 * import line, else, for a line whose other side is another state (a domestic code within a
 * regional community), SHIP or RECEIVE with the two states — so that every cross-border line can
 * be found by the states it joins (the transfer list, decision 0083); undefined within one state.
 */
export function transferFlowOf(
  line: Pick<TransferLine, 'code' | 'state' | 'counterpart'>,
  ship: boolean,
): string | undefined {
  const notice = noticeFlowOf(line);
  if (notice !== undefined || line.counterpart.state === line.state) return notice;
  return `${ship ? OTHER_FLOWS.ship : OTHER_FLOWS.receive}\u0001${line.state}\u0001${line.counterpart.state}`;
}

/** Whether a stored flow is one the notice rule checks (an export or import flow). */
export function isNoticeFlow(flow: string): boolean {
  return flow.startsWith('EXPORT\u0001') || flow.startsWith('IMPORT\u0001');
}

/**
 * The flows a state's shipments to `to` are stored under: exports, and cross-border shipments
 * under a domestic code (transferFlowOf).
 */
export function shipmentFlows(from: string, to: string): string[] {
  return [`EXPORT\u0001${from}\u0001${to}`, `${OTHER_FLOWS.ship}\u0001${from}\u0001${to}`];
}
