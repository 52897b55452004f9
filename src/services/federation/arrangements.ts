import { DomainError } from '../../domain/errors.js';
import type { Principal } from '../../domain/policy/index.js';
import { createFederationRepo, enqueueForwarding } from '../../store/federation.repo.js';
import type { FedArrangementRow } from '../../store/schema.types.js';
import type { Ports } from '../ports.js';
import { appendRecord } from '../records.js';
import { enforce } from '../scope.js';

/**
 * The record kinds an arrangement may name today: what a receiver can store and check (a report
 * is checked against its state's key, which arrives as a forwarded key registration first).
 */
export const FORWARDABLE_KINDS = ['key-registration', 'report'] as const;
export type ForwardableKind = (typeof FORWARDABLE_KINDS)[number];

export interface ArrangementInput {
  readonly peer: string;
  readonly direction: 'send' | 'receive';
  readonly states: readonly string[];
  readonly kinds: readonly ForwardableKind[];
  /** YYYY-MM-DD: records logged on or after this day. */
  readonly from: string;
}

export interface Arrangement {
  readonly id: string;
  readonly peer: string;
  readonly direction: 'send' | 'receive';
  readonly states: string[];
  readonly kinds: string[];
  readonly from: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

export function toArrangement(r: FedArrangementRow): Arrangement {
  return {
    id: r.id,
    peer: r.peer_id,
    direction: r.direction,
    states: JSON.parse(r.states) as string[],
    kinds: JSON.parse(r.kinds) as string[],
    from: r.from_date,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

/** What an arrangement's log record commits (the audit rebuilds it from the row). */
export function arrangementContent(r: FedArrangementRow) {
  return toArrangement(r);
}

/**
 * Sharing arrangements (issue 17 item 2): with which peer, in which direction, which states and
 * record kinds, from which day. Nothing flows without one: the outbox is filled only through an
 * arrangement to send (store/federation.repo.ts enqueueForwarding) and the inbox refuses what no
 * arrangement to receive covers. Each is a logged record; both nodes record their side.
 */
export function createArrangementService(ports: Ports) {
  const repo = createFederationRepo(ports.db);
  return {
    async createArrangement(
      p: Principal,
      input: ArrangementInput,
    ): Promise<{ id: string; logIndex: number }> {
      enforce(p, 'federation.admin', 'all');
      const at = ports.clock.now().toISOString();
      const id = Buffer.from(ports.random.bytes(8)).toString('hex');
      const states = [...new Set(input.states)].sort();
      const kinds = [...new Set(input.kinds)].sort();
      const row: FedArrangementRow = {
        id,
        peer_id: input.peer,
        direction: input.direction,
        states: JSON.stringify(states),
        kinds: JSON.stringify(kinds),
        from_date: input.from,
        created_at: at,
        created_by: p.userId,
      };
      const logIndex = await ports.db.kysely.transaction().execute(async (tx) => {
        const peer = await repo.getPeer(input.peer, tx);
        if (!peer) throw new DomainError('UNKNOWN_REFERENCE', `no peer ${input.peer}`);
        if (peer.status !== 'active') throw new DomainError('PEER_REVOKED', `peer ${input.peer} was revoked`);
        const scope = states.flatMap((state) =>
          kinds.map((kind) => ({
            arrangement_id: id,
            peer_id: peer.id,
            direction: input.direction,
            state,
            kind,
            from_date: input.from,
          })),
        );
        await repo.insertArrangement(tx, row, scope);
        const index = await appendRecord(tx, ports, {
          kind: 'arrangement',
          id: `arrangement:${id}`,
          content: arrangementContent(row),
          subjectState: null,
          subjectOrg: null,
          at,
          by: p.userId,
        });
        // Records logged before the arrangement but on or after its day are queued too, by one
        // INSERT … SELECT (memory stays bounded whatever the log holds).
        if (input.direction === 'send') await enqueueForwarding(tx, { arrangementId: id }, at);
        return index;
      });
      return { id, logIndex };
    },
    async listArrangements(p: Principal): Promise<Arrangement[]> {
      enforce(p, 'federation.admin', 'all');
      return (await repo.listArrangements()).map(toArrangement);
    },
  };
}
