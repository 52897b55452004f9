import type { DbOrTx } from './db.js';
import type { FedBackfillRow } from './schema.types.js';

/**
 * The backlogs of new arrangements to send (migration 0051, decision 0094): the records logged
 * before each, queued a chunk of log indexes at a time by services/federation/backfill.ts.
 */

/** A send arrangement's backlog, in its creating transaction: the records before its own. */
export async function insertBackfill(q: DbOrTx, arrangementId: string, until: number, at: string) {
  await q
    .insertInto('fed_backfills')
    .values({ arrangement_id: arrangementId, next_index: 0, until_index: until, created_at: at })
    .execute();
}

/** The backlogs still to queue, oldest first (a handful at most: one per new arrangement). */
export async function pendingBackfills(q: DbOrTx): Promise<FedBackfillRow[]> {
  const rows = await q
    .selectFrom('fed_backfills')
    .selectAll()
    .orderBy('created_at')
    .orderBy('arrangement_id')
    .execute();
  return rows.map((r) => ({ ...r, next_index: Number(r.next_index), until_index: Number(r.until_index) }));
}

/**
 * Moves a backlog on from its next index to `to` (deleted once it reaches its end), only if no
 * one has moved it meanwhile: false then, and the caller's transaction is to be rolled back.
 */
export async function advanceBackfill(q: DbOrTx, row: FedBackfillRow, to: number): Promise<boolean> {
  const r =
    to >= row.until_index
      ? await q
          .deleteFrom('fed_backfills')
          .where('arrangement_id', '=', row.arrangement_id)
          .where('next_index', '=', row.next_index)
          .executeTakeFirst()
      : await q
          .updateTable('fed_backfills')
          .set({ next_index: to })
          .where('arrangement_id', '=', row.arrangement_id)
          .where('next_index', '=', row.next_index)
          .executeTakeFirst();
  return Number('numDeletedRows' in r ? r.numDeletedRows : r.numUpdatedRows) === 1;
}
