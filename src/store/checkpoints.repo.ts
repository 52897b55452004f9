import type { Db, DbOrTx } from './db.js';
import type { LogCheckpointRow } from './schema.types.js';

/** A checkpoint of the history as the API lists it. */
export interface CheckpointSummary {
  readonly size: number;
  /** Base64 of the root hash. */
  readonly root: string;
  readonly createdAt: string;
  readonly note: string;
}

/** What a witness last cosigned of one log: nothing yet, or a tree of `size` with `root`. */
export interface WitnessedTree {
  readonly size: number;
  readonly root: Uint8Array;
}

/**
 * Checkpoints this log published, the cosignatures witnesses returned for them, and — when this
 * node witnesses other logs — the latest tree it cosigned of each (C2SP tlog-witness).
 */
export function createCheckpointsRepo(db: Db) {
  const k = db.kysely;
  return {
    /** Checkpoint history, newest first, below `before` when given. */
    async page(opts: { before?: number; limit: number }): Promise<CheckpointSummary[]> {
      let q = k.selectFrom('log_checkpoints').select(['size', 'root', 'created_at', 'note']);
      if (opts.before !== undefined) q = q.where('size', '<', opts.before);
      const rows = await q.orderBy('size', 'desc').limit(opts.limit).execute();
      return rows.map((r) => ({
        size: Number(r.size),
        root: Buffer.from(r.root).toString('base64'),
        createdAt: r.created_at,
        note: r.note,
      }));
    },
    /**
     * Checkpoints of size in (after, upTo], smallest first, at most `limit`: the audit reads them a
     * page at a time, since a node publishes checkpoints for decades.
     */
    async sizesWithin(after: number, upTo: number, limit: number): Promise<LogCheckpointRow[]> {
      return k
        .selectFrom('log_checkpoints')
        .selectAll()
        .where('size', '>', after)
        .where('size', '<=', upTo)
        .orderBy('size')
        .limit(limit)
        .execute();
    },
    /** The signed note of the checkpoint of exactly `size`. */
    async noteOfSize(size: number): Promise<string | undefined> {
      const row = await k
        .selectFrom('log_checkpoints')
        .select('note')
        .where('size', '=', size)
        .executeTakeFirst();
      return row?.note;
    },
    /** The newest `limit` checkpoints whose tree contains the entry at `index`, newest first. */
    async covering(index: number, limit: number): Promise<{ size: number; note: string }[]> {
      const rows = await k
        .selectFrom('log_checkpoints')
        .select(['size', 'note'])
        .where('size', '>', index)
        .orderBy('size', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ size: Number(r.size), note: r.note }));
    },

    /** The cosignature lines witnesses returned for the checkpoint of `size`, by witness name. */
    async cosignatureLines(size: number): Promise<string[]> {
      const rows = await k
        .selectFrom('log_cosignatures')
        .select('line')
        .where('size', '=', size)
        .orderBy('witness')
        .execute();
      return rows.map((r) => r.line);
    },
    /** The largest checkpoint size `witness` has cosigned; 0 when none. */
    async lastCosignedSize(witness: string): Promise<number> {
      const last = await k
        .selectFrom('log_cosignatures')
        .select((eb) => eb.fn.max('size').as('size'))
        .where('witness', '=', witness)
        .executeTakeFirst();
      return last?.size === null || last?.size === undefined ? 0 : Number(last.size);
    },
    /** Keep a witness's cosignature; a second one for the same size is ignored. */
    async insertCosignature(c: { size: number; witness: string; line: string; at: string }): Promise<void> {
      await k
        .insertInto('log_cosignatures')
        .values({ size: c.size, witness: c.witness, line: c.line, created_at: c.at })
        .onConflict((oc) => oc.columns(['size', 'witness']).doNothing())
        .execute();
    },

    /**
     * As a witness: the tree last cosigned of `origin`, its row locked until the transaction ends
     * (PostgreSQL; SQLite has one writer). Creates the row on first sight of the log.
     */
    async lockWitnessed(
      tx: DbOrTx,
      origin: string,
    ): Promise<{ stored: number; last: WitnessedTree | undefined }> {
      await tx
        .insertInto('witness_state')
        .values({ origin, size: -1, root: new Uint8Array(32), updated_at: '' })
        .onConflict((c) => c.column('origin').doNothing())
        .execute();
      let sel = tx.selectFrom('witness_state').selectAll().where('origin', '=', origin);
      if (db.dialect === 'postgres') sel = sel.forUpdate();
      const row = await sel.executeTakeFirstOrThrow();
      const stored = Number(row.size);
      return { stored, last: stored < 0 ? undefined : { size: stored, root: new Uint8Array(row.root) } };
    },
    /**
     * Compare-and-swap: record `next` as cosigned only if the stored size is still `expected`.
     * Answers whether it was.
     */
    async advanceWitnessed(
      tx: DbOrTx,
      origin: string,
      expected: number,
      next: WitnessedTree & { at: string },
    ): Promise<boolean> {
      const r = await tx
        .updateTable('witness_state')
        .set({ size: next.size, root: next.root, updated_at: next.at })
        .where('origin', '=', origin)
        .where('size', '=', expected)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}
