/** Federation between sovereign nodes (issue 17, decision 0027): the door of this folder. */
import { DomainError } from '../../domain/errors.js';
import type { Principal } from '../../domain/policy/index.js';
import { createFederationRepo } from '../../store/federation.repo.js';
import type { LogNode } from '../log/index.js';
import type { Ports } from '../ports.js';
import { findVisibleRecord } from '../record-access.js';
import { enforce } from '../scope.js';
import { createArrangementService } from './arrangements.js';
import { createDelivery } from './delivery.js';
import { authenticatePeerRequest, type ReceivedRequest } from './http-signature.js';
import { createInbox } from './inbox.js';
import { ensureNodeKey } from './node-key.js';
import { createPeerService } from './peers.js';
import { buildProvenanceChain } from './provenance-chain.js';
import { createSharingLedger } from './sharing.js';
import { createSplitViewService } from './split-views.js';
import { assertNotHalted, createCrossWitness } from './witnessing.js';

export { FORWARDABLE_KINDS } from './arrangements.js';
export { buildBundle } from './bundle.js';
export { INBOX_PATH } from './delivery.js';
export { signRequest } from './http-signature.js';
export { ensureNodeKey } from './node-key.js';
export { SPLIT_VIEW_ACTIONS, SPLIT_VIEW_CAUSES } from './split-views.js';
export { CHECKPOINTS_PATH } from './witnessing.js';

/** The node's identity as its peers register it: log origin, log verifier key, node key. */
export interface NodeIdentity {
  readonly origin: string;
  readonly logKey: string;
  readonly nodeKey: string;
  readonly keyId: string;
}

/** The exchange's body `{after, limit}`, read leniently (defaults: from the start, 100). */
function exchangeRequest(body: Uint8Array): { after: string; limit: number } {
  let parsed: { after?: unknown; limit?: unknown } | null;
  try {
    parsed = JSON.parse(new TextDecoder().decode(body)) as typeof parsed;
  } catch {
    throw new DomainError('BAD_REQUEST', 'the body is not JSON');
  }
  const after = typeof parsed?.after === 'string' ? parsed.after : '';
  const limit = Number.isSafeInteger(parsed?.limit) ? Math.min(100, Math.max(1, Number(parsed?.limit))) : 100;
  return { after, limit };
}

// long: the door of the folder: one short method per route over the services beside it
export function createFederation(ports: Ports, log: LogNode) {
  const nodeKey = ensureNodeKey(ports);
  const repo = createFederationRepo(ports.db);
  const witness = createCrossWitness(ports, log, nodeKey);
  const inbox = createInbox(ports, nodeKey, witness);
  const delivery = createDelivery(ports, log, nodeKey, (peerId) => witness.nudge(peerId));
  log.onCheckpoint(() => delivery.poke());
  return {
    nodeKey,
    peers: createPeerService(ports),
    arrangements: createArrangementService(ports),
    delivery,
    /** Cross-witnessing and checkpoint exchange (decision 0043). */
    witness,
    splitViews: createSplitViewService(ports),
    identity(p: Principal): NodeIdentity {
      enforce(p, 'federation.admin', 'all');
      return {
        origin: ports.config.logOrigin,
        logKey: log.keys.vkey,
        nodeKey: nodeKey.publicKey,
        keyId: nodeKey.keyId,
      };
    },
    /** A peer's signed inbox request: authenticate it, then apply its bundles in order. */
    async receive(req: ReceivedRequest) {
      const peer = await authenticatePeerRequest(ports, req);
      // Nothing from a log seen split until an administrator decides (decision 0043).
      await assertNotHalted(ports.db.kysely, repo, peer.origin);
      witness.nudge(peer.id);
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder().decode(req.body));
      } catch {
        throw new DomainError('BAD_REQUEST', 'the body is not JSON');
      }
      const { bundles, acks } = (parsed ?? {}) as { bundles?: unknown; acks?: unknown };
      if (!Array.isArray(bundles))
        throw new DomainError('BAD_REQUEST', 'the body must be {"bundles": [...]}');
      // `"acks": "batch"`: one signature over the batch's acknowledgements (decision 0070).
      return inbox.receive(peer, bundles, acks === 'batch');
    },
    /** A peer asks for the checkpoints this node has seen (signed like the inbox). */
    async exchange(req: ReceivedRequest) {
      await authenticatePeerRequest(ports, req);
      const { after, limit } = exchangeRequest(req.body);
      return witness.exchangePage(after, limit);
    },
    async deadLetters(p: Principal, limit: number, offset: number) {
      enforce(p, 'federation.admin', 'all');
      const page = await repo.deadLetterPage(limit, offset);
      return {
        total: page.total,
        limit,
        offset,
        items: page.items.map((r) => ({
          direction: r.direction,
          peer: r.peer_id,
          source: r.source,
          index: r.idx,
          recordId: r.record_id,
          code: r.code,
          reason: r.reason,
          at: r.at,
        })),
      };
    },
    sharingLedger: createSharingLedger(ports),
    /** A received record's provenance chain as a file, checked offline (browser, CLI). */
    provenanceChain(p: Principal, id: string) {
      return buildProvenanceChain(ports, log.reader, log.keys.vkey, p, id);
    },
    /**
     * A record's provenance chain: for a record received from a peer, the source log, its index
     * and leaf hash, the source's receipt (tlog-proof) as received, and this node's own record of
     * the reception; for a record of this node, its own log entry.
     */
    async provenance(p: Principal, id: string) {
      const rec = await findVisibleRecord(ports, p, id);
      const own = {
        origin: ports.config.logOrigin,
        logIndex: rec.log_index,
        receiptUrl: `/api/records/${encodeURIComponent(rec.id)}/receipt`,
      };
      const received = rec.kind === 'received' ? await repo.inboxByRecord(rec.id) : undefined;
      return {
        id: rec.id,
        kind: received?.kind ?? rec.kind,
        chain: [
          ...(received
            ? [
                {
                  origin: received.source,
                  logIndex: received.idx,
                  leafHash: received.leaf_hash,
                  proof: received.proof,
                  receiptUrl: null,
                },
              ]
            : []),
          { ...own, leafHash: null, proof: null },
        ],
      };
    },
  };
}

export type Federation = ReturnType<typeof createFederation>;
