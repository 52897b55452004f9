import { DomainError } from '../../domain/errors.js';
import { problemOf } from '../../domain/particulars.js';
import type { Principal } from '../../domain/policy/index.js';
import type { DbOrTx } from '../../store/db.js';
import { insertBackfill, pendingBackfills } from '../../store/fed-backfill.repo.js';
import { createFederationRepo } from '../../store/federation.repo.js';
import type { FedArrangementRow, FedArrangementScopeRow } from '../../store/schema.types.js';
import type { Ports } from '../ports.js';
import { appendRecord } from '../records.js';
import { enforce } from '../scope.js';

/**
 * The record kinds an arrangement may name (decisions 0027, 0044): what a receiver can store and
 * check. A report is checked against its state's key, which arrives as a forwarded key
 * registration first; `transfer-notice` names the reports of type EXPORT_NOTICE and IMPORT_NOTICE
 * alone (`report` covers every type, notices included); an inspection statement (its findings
 * inside it) is checked against its inspectorate's key as the receiver knows it; a case
 * transition (what a case about the state is, its status and decisions) is proven by the source's
 * log, and `case-transition` also carries the case's messages (decision 0054). Statements,
 * transitions and messages stay the origin's on the receiver: kept with their inbox row, never
 * merged into the receiver's own inspections or cases.
 */
export const FORWARDABLE_KINDS = [
  'key-registration',
  'report',
  'transfer-notice',
  'inspection-statement',
  'case-transition',
] as const;
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

/** An arrangement as listed: with its end once it has one (a record of its own). */
export interface ArrangementView extends Arrangement {
  /** The end (exclusive): records logged before it flow, none after; null while open. */
  readonly to: string | null;
  readonly endedAt: string | null;
  readonly endedBy: string | null;
  /** A send arrangement's earlier records still being queued (decision 0094): log indexes [next, until); null once all are. */
  readonly backlog: { readonly next: number; readonly until: number } | null;
}

/** What an arrangement's log record commits (the audit rebuilds it from the row): its start. */
export function arrangementContent(r: FedArrangementRow): Arrangement {
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

/** What the `arrangement-end` record commits: which arrangement ends, from when, by whom. */
export function arrangementEndContent(r: FedArrangementRow) {
  return { id: r.id, peer: r.peer_id, direction: r.direction, to: r.to_date, at: r.ended_at, by: r.ended_by };
}

function toView(r: FedArrangementRow, backlog: ArrangementView['backlog'] = null): ArrangementView {
  return { ...arrangementContent(r), to: r.to_date, endedAt: r.ended_at, endedBy: r.ended_by, backlog };
}

/** The backlogs still being queued, by arrangement (a handful at most). */
async function backlogs(q: DbOrTx): Promise<Map<string, NonNullable<ArrangementView['backlog']>>> {
  return new Map(
    (await pendingBackfills(q)).map((b) => [b.arrangement_id, { next: b.next_index, until: b.until_index }]),
  );
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
        to_date: null,
        ended_at: null,
        ended_by: null,
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
            to_date: null,
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
        // Records logged before the arrangement but on or after its day are queued too, a chunk
        // at a time by the delivery loop (decision 0094); everything from this record on is
        // queued as it is logged.
        if (input.direction === 'send') await insertBackfill(tx, id, index, at);
        return index;
      });
      return { id, logIndex };
    },
    /**
     * Ends an arrangement (decision 0044): from `to` (default now; never before now, so nothing
     * already queued is taken back) nothing more is queued (send) or accepted (receive). A logged
     * record of its own; each node ends its own side, as each recorded it.
     */
    async endArrangement(
      p: Principal,
      id: string,
      input: { readonly to?: string | undefined },
    ): Promise<ArrangementView & { logIndex: number }> {
      enforce(p, 'federation.admin', 'all');
      const at = ports.clock.now().toISOString();
      // A day ends nothing of itself: it is the first day nothing flows. A time is normalised to
      // the form records' times are stored in, so the two compare as strings.
      const to =
        input.to === undefined ? at : input.to.includes('T') ? new Date(input.to).toISOString() : input.to;
      if (to < at)
        throw new DomainError('VALIDATION_FAILED', 'an arrangement ends now or later, never in the past', [
          {
            field: 'to',
            ...problemOf('OUT_OF_RANGE.beforeNow', { to, now: at }),
            message: `${to} is before now (${at})`,
          },
        ]);
      return ports.db.kysely.transaction().execute(async (tx) => {
        const row = await repo.getArrangement(id, tx);
        if (!row) throw new DomainError('NOT_FOUND', `no arrangement ${id}`);
        if (row.to_date !== null)
          throw new DomainError('CONFLICT', `arrangement ${id} already ends at ${row.to_date}`);
        if (to <= row.from_date)
          throw new DomainError('VALIDATION_FAILED', 'an arrangement ends after it starts', [
            {
              field: 'to',
              ...problemOf('OUT_OF_RANGE.notAfterStart', { to, from: row.from_date }),
              message: `${to} is not after ${row.from_date}`,
            },
          ]);
        const ended: FedArrangementRow = { ...row, to_date: to, ended_at: at, ended_by: p.userId };
        if (!(await repo.endArrangement(tx, ended)))
          throw new DomainError('CONFLICT', `arrangement ${id} has just been ended`);
        const logIndex = await appendRecord(tx, ports, {
          kind: 'arrangement-end',
          id: `arrangement-end:${id}`,
          content: arrangementEndContent(ended),
          subjectState: null,
          subjectOrg: null,
          at,
          by: p.userId,
        });
        return { ...toView(ended, (await backlogs(tx)).get(id)), logIndex };
      });
    },
    async listArrangements(p: Principal): Promise<ArrangementView[]> {
      enforce(p, 'federation.admin', 'all');
      const pending = await backlogs(ports.db.kysely);
      return (await repo.listArrangements()).map((r) => toView(r, pending.get(r.id)));
    },
  };
}

/** One (state, kind) an arrangement covers, from `from_date` until `to_date` (exclusive, null while open). */
export type ArrangementScope = Pick<FedArrangementScopeRow, 'state' | 'kind' | 'from_date' | 'to_date'>;

/**
 * Does a scope row (federation.repo `scopes`) cover a record of `state`, of one of `kinds`, logged
 * at `at`? In memory, so a peer's batch reads its few rows once instead of asking per record
 * (decision 0068). The dates are ISO 8601 text, compared as text (from inclusive, to exclusive).
 */
export function scopeCovers(
  rows: readonly ArrangementScope[],
  c: { state: string; kinds: readonly string[]; at: string },
): boolean {
  return rows.some(
    (r) =>
      r.state === c.state &&
      c.kinds.includes(r.kind) &&
      r.from_date <= c.at &&
      (r.to_date === null || r.to_date > c.at),
  );
}
