import { type ExpressionBuilder, type RawBuilder, sql } from 'kysely';
import type { Db, DbOrTx } from './db.js';
import { countOf } from './paging.js';
import type { FedCheckpointRow, FedLogRow, FedSplitViewRow, Schema } from './schema.types.js';

/*
 * Cross-witnessing (decision 0043): the checkpoints this node has seen of every log, and the
 * split views found among them; spread into the federation repository (federation.repo.ts).
 */

function checkpointRow(r: FedCheckpointRow): FedCheckpointRow {
  return { ...r, size: Number(r.size) };
}

/** The largest checkpoint of `origin` seen in its current history (not retired). */
export async function latestCheckpoint(q: DbOrTx, origin: string): Promise<FedCheckpointRow | undefined> {
  const r = await q
    .selectFrom('fed_checkpoints')
    .selectAll()
    .where('origin', '=', origin)
    .where('retired_at', 'is', null)
    .orderBy('size', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r && checkpointRow(r);
}

/** Cross-witnessing: checkpoints seen of every log, and split views (decision 0043). */
// long: one repository object for the concept (seen checkpoints, split views), each method a single query
export function witnessRepo(k: Db['kysely']) {
  return {
    /** The latest checkpoint of `source` this node has seen and found consistent (a signed note). */
    async seenCheckpoint(source: string): Promise<string | undefined> {
      const head = await latestCheckpoint(k, source);
      if (head) return head.note;
      const r = await k
        .selectFrom('kv')
        .select('value')
        .where('key', '=', `fed:seen:${source}`)
        .executeTakeFirst();
      return r?.value;
    },
    async setSeenCheckpoint(q: DbOrTx, source: string, note: string): Promise<void> {
      await q
        .insertInto('kv')
        .values({ key: `fed:seen:${source}`, value: note })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: note }))
        .execute();
    },
    latestCheckpoint: (origin: string, q: DbOrTx = k) => latestCheckpoint(q, origin),
    /** The checkpoints of `origin` at `size` in its current history (one, unless split). */
    async checkpointsOfSize(origin: string, size: number, q: DbOrTx = k): Promise<FedCheckpointRow[]> {
      const rows = await q
        .selectFrom('fed_checkpoints')
        .selectAll()
        .where('origin', '=', origin)
        .where('size', '=', size)
        .where('retired_at', 'is', null)
        .execute();
      return rows.map(checkpointRow);
    },
    async insertCheckpoint(q: DbOrTx, row: FedCheckpointRow): Promise<void> {
      await q
        .insertInto('fed_checkpoints')
        .values(row)
        .onConflict((oc) => oc.columns(['origin', 'size', 'root']).doNothing())
        .execute();
    },
    /** The latest checkpoint of each log after `after` (by origin), one page: what a peer asks for. */
    async headsPage(after: string, limit: number): Promise<FedCheckpointRow[]> {
      // One origin at a time by the head index, its largest size in force, then the checkpoints
      // of that size: each a few index steps. Asked as one statement, every checkpoint ever seen
      // of every origin was read and its origin's largest size asked again per row (decision 0095).
      const out: FedCheckpointRow[] = [];
      for (let from = after; out.length < limit; ) {
        const next = await k
          .selectFrom('fed_checkpoints')
          .select('origin')
          .where('origin', '>', from)
          .where('retired_at', 'is', null)
          .orderBy('origin')
          .limit(1)
          .executeTakeFirst();
        if (next === undefined) break;
        const top = await k
          .selectFrom('fed_checkpoints')
          .select('size')
          .where('origin', '=', next.origin)
          .where('retired_at', 'is', null)
          .orderBy('size', 'desc')
          .limit(1)
          .executeTakeFirstOrThrow();
        const heads = await k
          .selectFrom('fed_checkpoints')
          .selectAll()
          .where('origin', '=', next.origin)
          .where('size', '=', top.size)
          .where('retired_at', 'is', null)
          .orderBy('root')
          .execute();
        out.push(...heads.map(checkpointRow));
        from = next.origin;
      }
      return out.slice(0, limit);
    },
    /** A third log's pinned key (decision 0054). */
    async thirdLog(origin: string): Promise<FedLogRow | undefined> {
      return k.selectFrom('fed_logs').selectAll().where('origin', '=', origin).executeTakeFirst();
    },
    /**
     * Pin a third log's key on first sight, while fewer than `cap` are known (a peer cannot fill
     * the table without end). Answers the row in force, the new one or the one pinned before.
     */
    async learnThirdLog(row: FedLogRow, cap: number): Promise<FedLogRow | undefined> {
      return k.transaction().execute(async (tx) => {
        const known = await tx
          .selectFrom('fed_logs')
          .selectAll()
          .where('origin', '=', row.origin)
          .executeTakeFirst();
        if (known) return known;
        const n = await tx
          .selectFrom('fed_logs')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirst();
        if (countOf(n as { n: string | number | bigint } | undefined) >= cap) return undefined;
        await tx
          .insertInto('fed_logs')
          .values(row)
          .onConflict((oc) => oc.column('origin').doNothing())
          .execute();
        return tx.selectFrom('fed_logs').selectAll().where('origin', '=', row.origin).executeTakeFirst();
      });
    },
    /** The pinned keys of the given third logs (one exchange page's worth). */
    async thirdLogsOf(origins: readonly string[]): Promise<FedLogRow[]> {
      if (origins.length === 0) return [];
      return k.selectFrom('fed_logs').selectAll().where('origin', 'in', origins).execute();
    },
    async retireCheckpoints(q: DbOrTx, origin: string, at: string): Promise<void> {
      await q
        .updateTable('fed_checkpoints')
        .set({ retired_at: at })
        .where('origin', '=', origin)
        .where('retired_at', 'is', null)
        .execute();
      await q.deleteFrom('kv').where('key', '=', `fed:seen:${origin}`).execute();
    },
    async openSplitView(origin: string, q: DbOrTx = k): Promise<FedSplitViewRow | undefined> {
      return q
        .selectFrom('fed_split_views')
        .selectAll()
        .where('origin', '=', origin)
        .where('status', '=', 'open')
        .executeTakeFirst();
    },
    async insertSplitView(q: DbOrTx, row: FedSplitViewRow): Promise<void> {
      await q.insertInto('fed_split_views').values(row).execute();
    },
    async upgradeSplitView(q: DbOrTx, r: FedSplitViewRow): Promise<void> {
      await q
        .updateTable('fed_split_views')
        .set({ evidence: r.evidence, proven: r.proven, cause: r.cause, reason: r.reason, via: r.via })
        .where('id', '=', r.id)
        .where('status', '=', 'open')
        .execute();
    },
    async getSplitView(id: string, q: DbOrTx = k): Promise<FedSplitViewRow | undefined> {
      return q.selectFrom('fed_split_views').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async splitViewPage(limit: number, offset: number): Promise<FedSplitViewRow[]> {
      return k
        .selectFrom('fed_split_views')
        .selectAll()
        .orderBy('detected_at', 'desc')
        .orderBy('id')
        .limit(limit)
        .offset(offset)
        .execute();
    },
    async decideSplitView(
      q: DbOrTx,
      id: string,
      d: { status: 'resumed' | 'revoked'; at: string; by: string; note: string | null },
    ): Promise<boolean> {
      const r = await q
        .updateTable('fed_split_views')
        .set({ status: d.status, decided_at: d.at, decided_by: d.by, note: d.note })
        .where('id', '=', id)
        .where('status', '=', 'open')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async decidedSplitViewIds(): Promise<string[]> {
      return (
        await k.selectFrom('fed_split_views').select('id').where('decided_at', 'is not', null).execute()
      ).map((r) => r.id);
    },
    /** The states an arrangement with this peer covers, either direction (whom a split view concerns). */
    async statesOfPeer(peerId: string): Promise<string[]> {
      return (
        await k
          .selectFrom('fed_arrangement_scope')
          .select('state')
          .distinct()
          .where('peer_id', '=', peerId)
          .orderBy('state')
          .execute()
      ).map((r) => r.state);
    },
  };
}

/**
 * Split views as alarm rows for GET /api/alarms (store/alarms.repo.ts, decision 0043): one row per
 * split view and state whose records flow with that log (an arrangement with its peer, either
 * direction; for this node's own log or a third log, with any peer: once per state however many
 * peers), after every MBA's alarms.
 */
export function withSplitViewAlarms(
  arm: RawBuilder<unknown>,
  f: { states: 'all' | readonly string[]; state?: string | undefined },
  ord: number,
): RawBuilder<unknown> {
  return sql`${arm} union all ${splitViewAlarmArm(f, ord)}`;
}

/** The split-view alarms of GET /api/alarms counted per state (GET /api/alarms/summary). */
export async function countSplitViewAlarms(
  q: DbOrTx,
  f: { states: 'all' | readonly string[] },
): Promise<{ state: string; code: string; n: number }[]> {
  const { rows } = await sql<{ state: string; code: string; n: number | string }>`
    select state, code, count(*) as n from (${splitViewAlarmArm(f, 0)}) as x
    group by state, code order by state, code`.execute(q);
  return rows.map((r) => ({ state: r.state, code: r.code, n: countOf(r) }));
}

function splitViewAlarmArm(
  f: { states: 'all' | readonly string[]; state?: string | undefined },
  ord: number,
): RawBuilder<unknown> {
  const parts = [sql`1 = 1`];
  if (f.states !== 'all')
    parts.push(
      f.states.length === 0 ? sql`1 = 0` : sql`s.state in (${sql.join(f.states.map((x) => sql`${x}`))})`,
    );
  if (f.state !== undefined) parts.push(sql`s.state = ${f.state}`);
  return sql`select cast(${ord} as integer) as ord_mba, 3 as kind,
      row_number() over (order by v.detected_at, v.id, s.state) as ord_a, 0 as ord_b,
      'split-view:' || v.id || ':' || s.state as akey, 'LOG_SPLIT_VIEW' as code, s.state as state,
      '' as mba, cast(null as text) as element, substr(v.detected_at, 1, 10) as date,
      cast(null as text) as from_date, v.origin as ref
    from fed_split_views v
    join (select peer_id, state from fed_arrangement_scope
      union select cast(null as text), state from fed_arrangement_scope) s
      on s.peer_id = v.peer_id or (v.peer_id is null and s.peer_id is null)
    where ${sql.join(parts, sql` and `)}`;
}

/**
 * Peers forwarding waits for: none while their log, or this node's own, has an open split view. A
 * split view with no peer is this node's own log's unless its origin is a third log's (decision
 * 0054): a third log's stops nothing but itself.
 */
export function notHalted(eb: ExpressionBuilder<Schema, 'fed_peers'>) {
  return eb.not(
    eb.exists(
      eb
        .selectFrom('fed_split_views as v')
        .select('v.id')
        .where('v.status', '=', 'open')
        .where((w) =>
          w.or([
            w('v.origin', '=', w.ref('fed_peers.origin')),
            w.and([
              w('v.peer_id', 'is', null),
              w.not(
                w.exists(
                  w.selectFrom('fed_logs as l').select('l.origin').whereRef('l.origin', '=', 'v.origin'),
                ),
              ),
            ]),
          ]),
        ),
    ),
  );
}
