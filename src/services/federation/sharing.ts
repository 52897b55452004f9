import type { LedgerAck } from '../../domain/federation/index.js';
import type { Principal } from '../../domain/policy/index.js';
import { createSharingRepo } from '../../store/federation-sharing.repo.js';
import type { Ports } from '../ports.js';
import { assertReportReadable } from '../reports/queries.js';

export function createSharingLedger(ports: Ports) {
  const sharing = createSharingRepo(ports.db);
  /**
   * The state's sharing ledger (issue 17 item 2): every record about the state queued for a
   * peer, when it was delivered and the receiver's signed acknowledgement; for the state's own
   * users and the inspectorates that see it (data.read).
   */
  return async function sharingLedger(p: Principal, state: string, after: number, limit: number) {
    await assertReportReadable(ports, p, state);
    const rows = await sharing.ledgerPage(state, after, limit);
    const periods = await sharing.sendingPeriods(state);
    return {
      state,
      // The arrangements that send the state's records: from when, until when (decision 0044).
      arrangements: periods.map((a) => ({
        id: a.id,
        peerName: a.peer_name,
        peerOrigin: a.peer_origin,
        kinds: JSON.parse(a.kinds) as string[],
        from: a.from_date,
        to: a.to_date,
      })),
      items: rows.map((r) => ({
        peer: r.peer_id,
        peerName: r.peer_name,
        peerOrigin: r.peer_origin,
        // The public key its acknowledgement verifies with (the browser checks it).
        peerNodeKey: r.peer_node_key,
        logIndex: r.log_index,
        recordId: r.record_id,
        kind: r.kind,
        status: r.status,
        queuedAt: r.created_at,
        deliveredAt: r.delivered_at,
        acknowledgement: r.ack === null ? null : (JSON.parse(r.ack) as LedgerAck),
      })),
      next: rows.length === limit ? (rows[rows.length - 1]?.log_index ?? null) : null,
    };
  };
}
