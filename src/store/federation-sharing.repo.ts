import type { Db } from './db.js';

/**
 * A state's sharing ledger (issue 17 item 2, decisions 0027 and 0044): every outbox row about the
 * state with the receiving peer's node key (so the state's browser checks each acknowledgement),
 * and the arrangements that send the state's records, with their periods.
 */
export function createSharingRepo(db: Db) {
  const k = db.kysely;
  return {
    /** Every row about `state`, in log order, one page after `after`. */
    async ledgerPage(state: string, after: number, limit: number) {
      const rows = await k
        .selectFrom('fed_outbox as o')
        .innerJoin('fed_peers as p', 'p.id', 'o.peer_id')
        .select([
          'o.peer_id',
          'p.name as peer_name',
          'p.origin as peer_origin',
          'p.node_key as peer_node_key',
          'o.log_index',
          'o.record_id',
          'o.kind',
          'o.status',
          'o.created_at',
          'o.delivered_at',
          'o.ack',
        ])
        .where('o.state', '=', state)
        .where('o.log_index', '>', after)
        .orderBy('o.log_index')
        .orderBy('o.peer_id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ ...r, log_index: Number(r.log_index) }));
    },
    /** The arrangements that send records of `state` to a peer: which kinds, from when, until when. */
    async sendingPeriods(state: string) {
      return k
        .selectFrom('fed_arrangement_scope as s')
        .innerJoin('fed_arrangements as a', 'a.id', 's.arrangement_id')
        .innerJoin('fed_peers as p', 'p.id', 'a.peer_id')
        .select([
          'a.id',
          'p.name as peer_name',
          'p.origin as peer_origin',
          'a.kinds',
          'a.from_date',
          'a.to_date',
        ])
        .where('s.state', '=', state)
        .where('s.direction', '=', 'send')
        .groupBy(['a.id', 'p.name', 'p.origin', 'a.kinds', 'a.from_date', 'a.to_date'])
        .orderBy('a.from_date')
        .orderBy('a.id')
        .execute();
    },
  };
}
