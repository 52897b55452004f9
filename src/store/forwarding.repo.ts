import { sql } from 'kysely';
import type { DbOrTx } from './db.js';

/**
 * Queue for peers, in the caller's transaction, every record of log indices [first, last] that
 * an arrangement to send covers (its state, its kind, logged on or after the arrangement's date)
 * and whose peer is active: the outbox row commits with the record or not at all (decision 0027).
 * One statement; a record two arrangements cover is queued once per peer. With an arrangement
 * named, only what that one covers (its backlog, a chunk at a time: decision 0094).
 *
 * The range's records are read first, by their index, as a materialized table: joined directly,
 * the planner (no statistics) drove from the arrangements and read every record of their kinds
 * since their first day through `records_kind`, so each append — every report — read a send
 * arrangement's whole history (decision 0094).
 */
export async function enqueueForwarding(
  q: DbOrTx,
  range: { first: number; last: number; arrangementId?: string },
  at: string,
): Promise<void> {
  await forwardingInsert(q, range, at).execute();
}

/** enqueueForwarding's statement (its plan is tested). */
export function forwardingInsert(
  q: DbOrTx,
  range: { first: number; last: number; arrangementId?: string },
  at: string,
) {
  let select = q
    .with(
      (w) => w('r').materialized(),
      (db) =>
        db
          .selectFrom('records')
          .select(['id', 'kind', 'log_index', 'subject_state', 'created_at'])
          .where('log_index', '>=', range.first)
          .where('log_index', '<=', range.last),
    )
    .selectFrom('r')
    .innerJoin('fed_arrangement_scope as s', (j) =>
      j
        .onRef('s.state', '=', 'r.subject_state')
        .on((eb) =>
          eb.or([
            eb('s.kind', '=', eb.ref('r.kind')),
            // `transfer-notice` (decision 0044): the reports of a notice type alone; a report's
            // id is `<mba>:<type>:<number>` (services/reports/submit.ts reportId), and its row is
            // not written yet when its record is appended.
            eb.and([
              eb('s.kind', '=', 'transfer-notice'),
              eb('r.kind', '=', 'report'),
              eb.or([eb('r.id', 'like', '%:EXPORT_NOTICE:%'), eb('r.id', 'like', '%:IMPORT_NOTICE:%')]),
            ]),
            // A case's messages are part of the case about the state (decision 0054).
            eb.and([eb('s.kind', '=', 'case-transition'), eb('r.kind', '=', 'case-message')]),
          ]),
        )
        .on('s.direction', '=', 'send')
        .onRef('r.created_at', '>=', 's.from_date')
        .on((eb) => eb.or([eb('s.to_date', 'is', null), eb('r.created_at', '<', eb.ref('s.to_date'))])),
    )
    .innerJoin('fed_peers as p', (j) => j.onRef('p.id', '=', 's.peer_id').on('p.status', '=', 'active'))
    .select((eb) => [
      's.peer_id',
      'r.log_index',
      sql<string>`r.id`.as('record_id'),
      'r.kind',
      sql<string>`r.subject_state`.as('state'),
      eb.val('pending').as('status'),
      eb.val(0).as('attempts'),
      eb.val(at).as('next_attempt_at'),
      eb.val(at).as('created_at'),
    ]);
  // A WHERE clause in any case: SQLite's parser needs one before an upsert's ON CONFLICT.
  select =
    range.arrangementId === undefined
      ? select.where(sql<boolean>`true`)
      : select.where('s.arrangement_id', '=', range.arrangementId);
  return q
    .insertInto('fed_outbox')
    .columns([
      'peer_id',
      'log_index',
      'record_id',
      'kind',
      'state',
      'status',
      'attempts',
      'next_attempt_at',
      'created_at',
    ])
    .expression(select)
    .onConflict((oc) => oc.columns(['peer_id', 'log_index']).doNothing());
}
