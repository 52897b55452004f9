import { type SqlBool, sql } from 'kysely';
import { type Db, type DbOrTx, isPostgres } from './db.js';
import { notHalted, witnessRepo } from './fed-witness.repo.js';
import { countOf } from './paging.js';
import type {
  FedArrangementRow,
  FedArrangementScopeRow,
  FedDeadLetterRow,
  FedInboxRow,
  FedOutboxRow,
  FedPeerRow,
} from './schema.types.js';

/** pg answers bigint columns as numbers (db.ts); SQLite may too: normalise what we read. */
function outboxRow(r: FedOutboxRow): FedOutboxRow {
  return { ...r, log_index: Number(r.log_index), attempts: Number(r.attempts) };
}

/** Delivery figures of one peer, for `GET /api/peers`. */
export interface PeerDelivery {
  readonly pending: number;
  readonly delivered: number;
  readonly dead: number;
  /** created_at of the oldest pending row: the lag is now minus this. */
  readonly oldestPendingAt: string | null;
  readonly lastDeliveredAt: string | null;
  readonly lastError: string | null;
}

/**
 * Each peer's delivered figures as kept (fed_delivered) and as its outbox gives them, where they
 * differ: what `custos audit` compares (decision 0096). Reads every delivered row: the audit's
 * work, never a request's.
 */
export async function differingDeliveredFigures(
  q: DbOrTx,
): Promise<
  { peer: string; kept: number; keptAt: string | null; counted: number; countedAt: string | null }[]
> {
  const { rows } = await sql<{
    peer: string;
    kept: number | string | null;
    kept_at: string | null;
    counted: number | string | null;
    counted_at: string | null;
  }>`with c as (select peer_id, count(*) as n, max(delivered_at) as at from fed_outbox
      where status = 'delivered' group by peer_id)
    select coalesce(d.peer_id, c.peer_id) as peer, d.delivered as kept, d.last_at as kept_at,
      c.n as counted, c.at as counted_at
    from fed_delivered d full outer join c on c.peer_id = d.peer_id
    where d.peer_id is null or c.peer_id is null or d.delivered <> c.n or d.last_at <> c.at
    order by 1`.execute(q);
  return rows.map((r) => ({
    peer: r.peer,
    kept: Number(r.kept ?? 0),
    keptAt: r.kept_at,
    counted: Number(r.counted ?? 0),
    countedAt: r.counted_at,
  }));
}

/**
 * The received inspection statements whose record id starts with `prefix`, by a range of an index
 * (the caller checks the prefix exactly). On SQLite the range is of the record id's index (binary
 * collation; a LIKE cannot use that index, so it read every received record: decision 0095).
 * PostgreSQL's text order follows the database's collation, where such a range is not a prefix:
 * there a LIKE, which the statements' own pattern index serves (migration 0054, decision 0099)
 * — without it, every received record was read.
 */
export function forwardedStatementsQuery(k: Db['kysely'], prefix: string) {
  const byPrefix = isPostgres(k)
    ? sql<SqlBool>`kind = 'inspection-statement' and record_id like ${`${prefix.replace(/[\\%_]/g, '\\$&')}%`}`
    : sql<SqlBool>`kind = 'inspection-statement' and record_id >= ${prefix} and record_id < ${`${prefix}\uffff`}`;
  return k.selectFrom('fed_inbox').selectAll().where(byPrefix).orderBy('received_index');
}

/** Peers. */
function peersRepo(k: Db['kysely']) {
  return {
    async insertPeer(q: DbOrTx, row: FedPeerRow): Promise<void> {
      await q.insertInto('fed_peers').values(row).execute();
    },
    async listPeers(): Promise<FedPeerRow[]> {
      return k.selectFrom('fed_peers').selectAll().orderBy('created_at').orderBy('id').execute();
    },
    async getPeer(id: string, q: DbOrTx = k): Promise<FedPeerRow | undefined> {
      return q.selectFrom('fed_peers').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** The peer a request's keyid names: an active one first, else the latest revoked one. */
    async peerByKeyId(keyId: string): Promise<FedPeerRow | undefined> {
      return k
        .selectFrom('fed_peers')
        .selectAll()
        .where('key_id', '=', keyId)
        .orderBy(sql`case when status = 'active' then 0 else 1 end`)
        .orderBy('created_at', 'desc')
        .executeTakeFirst();
    },
    async activePeerWithKey(keyId: string, q: DbOrTx = k): Promise<FedPeerRow | undefined> {
      return q
        .selectFrom('fed_peers')
        .selectAll()
        .where('key_id', '=', keyId)
        .where('status', '=', 'active')
        .executeTakeFirst();
    },
    /** The active peer that already has this node key or this log origin, if any. */
    async activePeerLike(q: DbOrTx, keyId: string, origin: string): Promise<{ id: string } | undefined> {
      return q
        .selectFrom('fed_peers')
        .select('id')
        .where('status', '=', 'active')
        .where((eb) => eb.or([eb('key_id', '=', keyId), eb('origin', '=', origin)]))
        .executeTakeFirst();
    },
    async revokePeer(q: DbOrTx, id: string, at: string, by: string): Promise<boolean> {
      const r = await q
        .updateTable('fed_peers')
        .set({ status: 'revoked', revoked_at: at, revoked_by: by })
        .where('id', '=', id)
        .where('status', '=', 'active')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /**
     * Pending and dead rows are counted on the outbox's (peer, status) index: a backlog and the
     * refusals, bounded by what is owed. Delivered rows are every record ever forwarded to the
     * peer: their number and latest time are kept as they are settled (decision 0096).
     */
    async deliveryOf(peerId: string): Promise<PeerDelivery> {
      const counts = await k
        .selectFrom('fed_outbox')
        .select(['status', sql<number>`count(*)`.as('n')])
        .where('peer_id', '=', peerId)
        .where('status', 'in', ['pending', 'dead'])
        .groupBy('status')
        .execute();
      const n = (s: string) => countOf(counts.find((c) => c.status === s));
      const oldest = await k
        .selectFrom('fed_outbox')
        .select(['created_at', 'last_error'])
        .where('peer_id', '=', peerId)
        .where('status', '=', 'pending')
        .orderBy('log_index')
        .limit(1)
        .executeTakeFirst();
      const delivered = await k
        .selectFrom('fed_delivered')
        .select(['delivered', 'last_at'])
        .where('peer_id', '=', peerId)
        .executeTakeFirst();
      return {
        pending: n('pending'),
        delivered: Number(delivered?.delivered ?? 0),
        dead: n('dead'),
        oldestPendingAt: oldest?.created_at ?? null,
        lastDeliveredAt: delivered?.last_at ?? null,
        lastError: oldest?.last_error ?? null,
      };
    },
  };
}

/** RFC 9421 nonces. */
function noncesRepo(k: Db['kysely']) {
  return {
    /** Remember a nonce; false when it was already seen (a replay). */
    async rememberNonce(keyId: string, nonce: string, expiresAt: string): Promise<boolean> {
      const r = await k
        .insertInto('fed_nonces')
        .values({ key_id: keyId, nonce, expires_at: expiresAt })
        .onConflict((oc) => oc.columns(['key_id', 'nonce']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async forgetNoncesBefore(at: string): Promise<void> {
      await k.deleteFrom('fed_nonces').where('expires_at', '<', at).execute();
    },
  };
}

/** Arrangements. */
function arrangementsRepo(k: Db['kysely']) {
  return {
    async insertArrangement(
      q: DbOrTx,
      row: FedArrangementRow,
      scope: readonly FedArrangementScopeRow[],
    ): Promise<void> {
      await q.insertInto('fed_arrangements').values(row).execute();
      if (scope.length > 0)
        await q
          .insertInto('fed_arrangement_scope')
          .values([...scope])
          .execute();
    },
    async listArrangements(): Promise<FedArrangementRow[]> {
      return k.selectFrom('fed_arrangements').selectAll().orderBy('created_at').orderBy('id').execute();
    },
    async getArrangement(id: string, q: DbOrTx = k): Promise<FedArrangementRow | undefined> {
      return q.selectFrom('fed_arrangements').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** Records the end of an open arrangement on it and its scope; false when it had one already. */
    async endArrangement(q: DbOrTx, row: FedArrangementRow): Promise<boolean> {
      const r = await q
        .updateTable('fed_arrangements')
        .set({ to_date: row.to_date, ended_at: row.ended_at, ended_by: row.ended_by })
        .where('id', '=', row.id)
        .where('to_date', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      const scope = q.updateTable('fed_arrangement_scope').set({ to_date: row.to_date });
      await scope.where('arrangement_id', '=', row.id).execute();
      return true;
    },
    /** What this peer's arrangements in one direction cover (arrangements.ts `scopeCovers`). */
    async scopes(
      q: DbOrTx,
      peerId: string,
      direction: 'send' | 'receive',
    ): Promise<Pick<FedArrangementScopeRow, 'state' | 'kind' | 'from_date' | 'to_date'>[]> {
      return q
        .selectFrom('fed_arrangement_scope')
        .select(['state', 'kind', 'from_date', 'to_date'])
        .where('peer_id', '=', peerId)
        .where('direction', '=', direction)
        .execute();
    },
  };
}

/** Outbox (the sender). */
function outboxRepo(k: Db['kysely']) {
  return {
    /** Active peers that have pending rows, for the delivery worker. */
    async peersWithPending(): Promise<FedPeerRow[]> {
      // Not to a log with an open split view, nor from this node's own (decision 0043).
      return k
        .selectFrom('fed_peers')
        .selectAll()
        .where('status', '=', 'active')
        .where(notHalted)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('fed_outbox')
              .select('log_index')
              .whereRef('fed_outbox.peer_id', '=', 'fed_peers.id')
              .where('fed_outbox.status', '=', 'pending'),
          ),
        )
        .execute();
    },
    /**
     * The next pending rows of one peer in source-index order (one page; memory stays bounded),
     * after log index `after` when given (the delivery builds the next batch while one is sent).
     */
    async pendingPage(peerId: string, limit: number, after = -1): Promise<FedOutboxRow[]> {
      const rows = await k
        .selectFrom('fed_outbox')
        .selectAll()
        .where('peer_id', '=', peerId)
        .where('status', '=', 'pending')
        .where('log_index', '>', after)
        .orderBy('log_index')
        .limit(limit)
        .execute();
      return rows.map(outboxRow);
    },
    /**
     * Settles pending rows as delivered with their acknowledgements, and counts them in the peer's
     * delivered figures (decision 0096) in the caller's transaction. Only a pending row moves, so
     * the count is exact even if a row were settled twice.
     */
    async markDelivered(
      q: DbOrTx,
      peerId: string,
      rows: readonly { readonly logIndex: number; readonly ack: string }[],
      at: string,
    ) {
      let moved = 0;
      for (const r of rows) {
        const u = await q
          .updateTable('fed_outbox')
          .set({ status: 'delivered', delivered_at: at, ack: r.ack, last_error: null })
          .where('peer_id', '=', peerId)
          .where('log_index', '=', r.logIndex)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        moved += Number(u.numUpdatedRows);
      }
      if (moved === 0) return;
      await q
        .insertInto('fed_delivered')
        .values({ peer_id: peerId, delivered: moved, last_at: at })
        .onConflict((oc) =>
          oc.column('peer_id').doUpdateSet((eb) => ({
            delivered: eb('fed_delivered.delivered', '+', moved),
            // The latest, should the clock step back.
            last_at: sql<string>`case when fed_delivered.last_at is null or fed_delivered.last_at < ${at} then ${at} else fed_delivered.last_at end`,
          })),
        )
        .execute();
    },
    async markRetry(peerId: string, logIndexes: readonly number[], nextAt: string, error: string) {
      if (logIndexes.length === 0) return;
      await k
        .updateTable('fed_outbox')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: nextAt, last_error: error }))
        .where('peer_id', '=', peerId)
        .where('log_index', 'in', [...logIndexes])
        .execute();
    },
    async markDead(q: DbOrTx, row: FedOutboxRow, source: string, code: string, reason: string, at: string) {
      await q
        .updateTable('fed_outbox')
        .set({ status: 'dead', last_error: `${code}: ${reason}` })
        .where('peer_id', '=', row.peer_id)
        .where('log_index', '=', row.log_index)
        .execute();
      await insertDeadLetter(q, {
        direction: 'outbound',
        peer_id: row.peer_id,
        source,
        idx: row.log_index,
        record_id: row.record_id,
        code,
        reason,
        at,
      });
    },
  };
}

/** Inbox (the receiver). */
function inboxRepo(k: Db['kysely']) {
  return {
    async inboxEntry(source: string, idx: number, q: DbOrTx = k): Promise<FedInboxRow | undefined> {
      const r = await q
        .selectFrom('fed_inbox')
        .selectAll()
        .where('source', '=', source)
        .where('idx', '=', idx)
        .executeTakeFirst();
      return r && { ...r, idx: Number(r.idx), received_index: Number(r.received_index) };
    },
    async inboxByRecord(recordId: string): Promise<FedInboxRow | undefined> {
      const r = await k
        .selectFrom('fed_inbox')
        .selectAll()
        .where('record_id', '=', recordId)
        .executeTakeFirst();
      return r && { ...r, idx: Number(r.idx), received_index: Number(r.received_index) };
    },
    /** Inbox rows, many per statement (a batch's, in one transaction: decision 0057). */
    async insertInbox(q: DbOrTx, rows: FedInboxRow | readonly FedInboxRow[]): Promise<void> {
      const all = Array.isArray(rows) ? [...rows] : [rows as FedInboxRow];
      if (all.length > 0) await q.insertInto('fed_inbox').values(all).execute(); // ≤ INBOX_BATCH rows
    },
    /** Statements of inspection `inspection` received from peers (their origin's, decision 0044). */
    async forwardedStatements(inspection: string): Promise<FedInboxRow[]> {
      const prefix = `inspection-statement:${inspection}:`;
      const rows = await forwardedStatementsQuery(k, prefix).execute();
      return rows
        .filter((r) => r.record_id.startsWith(prefix))
        .map((r) => ({ ...r, idx: Number(r.idx), received_index: Number(r.received_index) }));
    },
    /** Received record ids after `after`, in id order: the audit pages through them. */
    async inboxRecordIdsAfter(after: string, limit: number): Promise<string[]> {
      const rows = await k
        .selectFrom('fed_inbox')
        .select('record_id')
        .where('record_id', '>', after)
        .orderBy('record_id')
        .limit(limit)
        .execute();
      return rows.map((r) => r.record_id);
    },
  };
}

/** Dead letters. */
function deadLettersRepo(k: Db['kysely']) {
  return {
    insertDeadLetter: (q: DbOrTx, row: FedDeadLetterRow) => insertDeadLetter(q, row),
    /**
     * Whether any index of `source` in [from, to] was applied here or refused from this peer: when
     * none was, a batch's bundles need no look each (catching up, they are all new).
     */
    async inboundSeen(peerId: string, source: string, from: number, to: number): Promise<boolean> {
      const applied = await k
        .selectFrom('fed_inbox')
        .select('idx')
        .where('source', '=', source)
        .where('idx', '>=', from)
        .where('idx', '<=', to)
        .limit(1)
        .executeTakeFirst();
      if (applied) return true;
      const refused = await k
        .selectFrom('fed_dead_letters')
        .select('idx')
        .where('direction', '=', 'inbound')
        .where('peer_id', '=', peerId)
        .where('source', '=', source)
        .where('idx', '>=', from)
        .where('idx', '<=', to)
        .limit(1)
        .executeTakeFirst();
      return refused !== undefined;
    },
    async inboundRefusal(peerId: string, source: string, idx: number): Promise<FedDeadLetterRow | undefined> {
      return k
        .selectFrom('fed_dead_letters')
        .selectAll()
        .where('direction', '=', 'inbound')
        .where('peer_id', '=', peerId)
        .where('source', '=', source)
        .where('idx', '=', idx)
        .executeTakeFirst();
    },
    async deadLetterPage(limit: number, offset: number) {
      const items = await k
        .selectFrom('fed_dead_letters')
        .selectAll()
        .orderBy('at', 'desc')
        .orderBy('direction')
        .orderBy('peer_id')
        .orderBy('idx')
        .limit(limit)
        .offset(offset)
        .execute();
      const total = countOf(
        await k.selectFrom('fed_dead_letters').select(sql<number>`count(*)`.as('n')).executeTakeFirst(),
      );
      return { items: items.map((r) => ({ ...r, idx: Number(r.idx) })), total };
    },
  };
}

/** The delivery worker's lease (one worker per node across servers). */
function leaseRepo(k: Db['kysely']) {
  return {
    /** Take or extend the lease `name` until `until` when it is free, expired or already ours. */
    async takeLease(name: string, holder: string, now: string, until: string): Promise<boolean> {
      await k
        .insertInto('fed_lease')
        .values({ name, holder, until })
        .onConflict((oc) =>
          oc
            .column('name')
            .doUpdateSet({ holder, until })
            .where((eb) => eb.or([eb('fed_lease.until', '<', now), eb('fed_lease.holder', '=', holder)])),
        )
        .execute();
      const row = await k
        .selectFrom('fed_lease')
        .select('holder')
        .where('name', '=', name)
        .executeTakeFirst();
      return row?.holder === holder;
    },
    async releaseLease(name: string, holder: string): Promise<void> {
      await k.deleteFrom('fed_lease').where('name', '=', name).where('holder', '=', holder).execute();
    },
  };
}

export function createFederationRepo(db: Db) {
  const k = db.kysely;
  return {
    ...peersRepo(k),
    ...noncesRepo(k),
    ...arrangementsRepo(k),
    ...outboxRepo(k),
    ...inboxRepo(k),
    ...deadLettersRepo(k),
    ...leaseRepo(k),
    ...witnessRepo(k),
  };
}

async function insertDeadLetter(q: DbOrTx, row: FedDeadLetterRow): Promise<void> {
  await q
    .insertInto('fed_dead_letters')
    .values(row)
    .onConflict((oc) => oc.columns(['direction', 'peer_id', 'source', 'idx']).doNothing())
    .execute();
}
