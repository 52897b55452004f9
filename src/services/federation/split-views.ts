import { DomainError } from '../../domain/errors.js';
import type { Principal } from '../../domain/policy/index.js';
import { createFederationRepo } from '../../store/federation.repo.js';
import type { FedSplitViewRow } from '../../store/schema.types.js';
import type { Ports } from '../ports.js';
import { appendRecord } from '../records.js';
import { enforce } from '../scope.js';
import { peerRevocationContent } from './peers.js';

/** What an administrator may decide about a split view (decision 0043). */
export const SPLIT_VIEW_ACTIONS = ['resume', 'revoke'] as const;
export type SplitViewAction = (typeof SPLIT_VIEW_ACTIONS)[number];
/**
 * Why a split view was found: two roots for one size, the log's own proof showing another history
 * for the smaller tree (both proven offline); a smaller tree signed after a larger one the log
 * cannot prove consistent, or a proof from the log that does not verify (not provable offline).
 */
export const SPLIT_VIEW_CAUSES = ['same-size', 'other-history', 'no-proof', 'bad-proof'] as const;

export interface SplitView {
  readonly id: string;
  readonly origin: string;
  readonly peer: string | null;
  readonly reason: string;
  /** True when the evidence proves the split view offline (custos proof verify-split-view). */
  readonly proven: boolean;
  readonly cause: FedSplitViewRow['cause'];
  readonly via: string;
  readonly detectedAt: string;
  readonly status: FedSplitViewRow['status'];
  readonly decidedAt: string | null;
  readonly decidedBy: string | null;
  readonly note: string | null;
}

function toSplitView(r: FedSplitViewRow): SplitView {
  return {
    id: r.id,
    origin: r.origin,
    peer: r.peer_id,
    reason: r.reason,
    proven: Number(r.proven) === 1,
    cause: r.cause,
    via: r.via,
    detectedAt: r.detected_at,
    status: r.status,
    decidedAt: r.decided_at,
    decidedBy: r.decided_by,
    note: r.note,
  };
}

/** What the decision's log record commits to (the audit rebuilds it from the row). */
export function splitViewDecisionContent(r: FedSplitViewRow) {
  return {
    id: r.id,
    origin: r.origin,
    peer: r.peer_id,
    action: r.status === 'revoked' ? 'revoke' : 'resume',
    decidedAt: r.decided_at,
    decidedBy: r.decided_by,
    note: r.note,
  };
}

/**
 * Split views as administrators see and decide them: the list, the evidence file, and the
 * decision (a logged record): `resume` takes the log's current history from now on (the
 * checkpoints seen before are retired, kept for the record) and forwarding starts again; `revoke`
 * also revokes the peer (its own logged record), so nothing flows with it any more.
 */
export function createSplitViewService(ports: Ports) {
  const repo = createFederationRepo(ports.db);
  return {
    async list(p: Principal, limit: number, offset: number): Promise<SplitView[]> {
      enforce(p, 'federation.admin', 'all');
      return (await repo.splitViewPage(limit, offset)).map(toSplitView);
    },
    /**
     * The evidence file (custos/split-view@v1 with the log's key). Any signed-in user may fetch
     * it: it holds only the log's public checkpoints, and the cases it opened cite it.
     */
    async evidence(_p: Principal, id: string): Promise<unknown> {
      const row = await repo.getSplitView(id);
      if (!row) throw new DomainError('NOT_FOUND', `no split view ${id}`);
      return JSON.parse(row.evidence) as unknown;
    },
    async decide(
      p: Principal,
      id: string,
      input: { action: SplitViewAction; note?: string | undefined },
    ): Promise<{ logIndex: number; status: FedSplitViewRow['status'] }> {
      enforce(p, 'federation.admin', 'all');
      const at = ports.clock.now().toISOString();
      const status = input.action === 'revoke' ? 'revoked' : 'resumed';
      const logIndex = await ports.db.kysely.transaction().execute(async (tx) => {
        const row = await repo.getSplitView(id, tx);
        if (!row) throw new DomainError('NOT_FOUND', `no split view ${id}`);
        if (!(await repo.decideSplitView(tx, id, { status, at, by: p.userId, note: input.note ?? null })))
          throw new DomainError('CONFLICT', `split view ${id} was already decided (${row.status})`);
        if (input.action === 'resume') await repo.retireCheckpoints(tx, row.origin, at);
        if (input.action === 'revoke' && row.peer_id !== null) {
          const peer = await repo.getPeer(row.peer_id, tx);
          if (peer && (await repo.revokePeer(tx, peer.id, at, p.userId)))
            await appendRecord(tx, ports, {
              kind: 'peer-revocation',
              id: `peer-revocation:${peer.id}`,
              content: peerRevocationContent({ ...peer, revoked_at: at, revoked_by: p.userId }),
              subjectState: null,
              subjectOrg: null,
              at,
              by: p.userId,
            });
        }
        const decided: FedSplitViewRow = {
          ...row,
          status,
          decided_at: at,
          decided_by: p.userId,
          note: input.note ?? null,
        };
        return appendRecord(tx, ports, {
          kind: 'split-view-decision',
          id: `split-view-decision:${id}`,
          content: splitViewDecisionContent(decided),
          subjectState: null,
          subjectOrg: null,
          at,
          by: p.userId,
        });
      });
      ports.logger.warn({ splitView: id, action: input.action, by: p.userId }, 'split view decided');
      return { logIndex, status };
    },
  };
}
