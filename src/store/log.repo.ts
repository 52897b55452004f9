import type Database from 'better-sqlite3';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Db } from './db.js';
import type { LogStateRow, Schema } from './schema.types.js';

type Q = Kysely<Schema> | Transaction<Schema>;

export interface SequencedEntry {
  readonly kind: string;
  readonly recordId: string;
  readonly leaf: Uint8Array;
  readonly createdAt: string;
}

/**
 * Hand out `entries.length` consecutive indices and store the leaves, inside the caller's
 * transaction (null merge delay: the index is part of the same commit as the record). The counter
 * row stays locked until that commit, so indices are gap-free and ordered by commit even when
 * several processes share one PostgreSQL.
 */
export async function sequenceEntries(
  q: Q,
  entries: readonly SequencedEntry[],
  /** On SQLite, the connection the transaction runs on: rows go in through one prepared statement. */
  sqlite?: Database.Database,
): Promise<number> {
  const row = await q
    .updateTable('log_sequence')
    .set({ next_index: sql<number>`next_index + ${entries.length}` })
    .where('id', '=', 1)
    .returning('next_index')
    .executeTakeFirstOrThrow();
  const first = Number(row.next_index) - entries.length;
  if (sqlite) {
    const stmt = sqlite.prepare(
      'insert into log_entries (idx, leaf, kind, record_id, created_at) values (?, ?, ?, ?, ?)',
    );
    for (const [i, e] of entries.entries()) stmt.run(first + i, e.leaf, e.kind, e.recordId, e.createdAt);
    return first;
  }
  const rows = entries.map((e, i) => ({
    idx: first + i,
    leaf: e.leaf,
    kind: e.kind,
    record_id: e.recordId,
    created_at: e.createdAt,
  }));
  for (let i = 0; i < rows.length; i += 500)
    await q
      .insertInto('log_entries')
      .values(rows.slice(i, i + 500))
      .execute();
  return first;
}

export function createLogRepo(db: Db) {
  const k = db.kysely;
  let hashById: Database.Statement | undefined;
  let stateRow: Database.Statement | undefined;
  let hashRange: Database.Statement | undefined;
  return {
    async readState(q: Q = k): Promise<LogStateRow> {
      if (db.sqlite) {
        // Read on every proof and tile request: a prepared statement, not a query built per call.
        stateRow ??= db.sqlite.prepare('select * from log_state where id = 1');
        const r = stateRow.get() as LogStateRow;
        return { ...r, root: new Uint8Array(r.root) };
      }
      const r = await q.selectFrom('log_state').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
      return { ...r, root: new Uint8Array(r.root) };
    },
    /**
     * Stored hashes with indexes in [first, last], by index: one range scan where a tile's hashes
     * lie in one contiguous run of stored-hash indexes (interleaved with the hashes above them).
     */
    async readHashRange(first: number, last: number): Promise<Map<number, Uint8Array>> {
      const out = new Map<number, Uint8Array>();
      if (db.sqlite) {
        hashRange ??= db.sqlite.prepare('select id, hash from log_hashes where id between ? and ?');
        for (const r of hashRange.all(first, last) as { id: number; hash: Buffer }[]) {
          out.set(r.id, new Uint8Array(r.hash.buffer, r.hash.byteOffset, r.hash.byteLength));
        }
        return out;
      }
      const rows = await k
        .selectFrom('log_hashes')
        .select(['id', 'hash'])
        .where('id', '>=', first)
        .where('id', '<=', last)
        .execute();
      for (const r of rows) out.set(Number(r.id), new Uint8Array(r.hash));
      return out;
    },
    /** Leaves of [from, from+limit) in index order (all committed entries are contiguous). */
    async readEntries(q: Q, from: number, limit: number): Promise<{ idx: number; leaf: Uint8Array }[]> {
      const rows = await q
        .selectFrom('log_entries')
        .select(['idx', 'leaf'])
        .where('idx', '>=', from)
        .orderBy('idx')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ idx: Number(r.idx), leaf: new Uint8Array(r.leaf) }));
    },
    async readEntry(idx: number) {
      const r = await k.selectFrom('log_entries').selectAll().where('idx', '=', idx).executeTakeFirst();
      return r && { ...r, idx: Number(r.idx), leaf: new Uint8Array(r.leaf) };
    },
    async readHashes(indexes: readonly number[], q: Q = k): Promise<Uint8Array[]> {
      if (indexes.length === 0) return [];
      if (db.sqlite) {
        // Proofs and tiles read a few dozen hashes by primary key: one prepared lookup each is
        // far cheaper than building an IN query (architecture.md habit 7).
        hashById ??= db.sqlite.prepare('select hash from log_hashes where id = ?').pluck();
        const stmt = hashById;
        return indexes.map((ix) => {
          const h = stmt.get(ix) as Buffer | undefined;
          if (!h) throw new Error(`stored hash ${ix} is missing`);
          return new Uint8Array(h.buffer, h.byteOffset, h.byteLength);
        });
      }
      const found = new Map<number, Uint8Array>();
      const unique = [...new Set(indexes)];
      for (let i = 0; i < unique.length; i += 900) {
        const rows = await q
          .selectFrom('log_hashes')
          .select(['id', 'hash'])
          .where('id', 'in', unique.slice(i, i + 900))
          .execute();
        for (const r of rows) found.set(Number(r.id), new Uint8Array(r.hash));
      }
      return indexes.map((ix) => {
        const h = found.get(ix);
        if (!h) throw new Error(`stored hash ${ix} is missing`);
        return h;
      });
    },
    async insertHashes(q: Q, hashes: readonly { index: number; hash: Uint8Array }[]): Promise<void> {
      const rows = hashes.map((h) => ({ id: h.index, hash: h.hash }));
      for (let i = 0; i < rows.length; i += 500)
        await q
          .insertInto('log_hashes')
          .values(rows.slice(i, i + 500))
          .execute();
    },
    async latestCheckpoint(): Promise<{ size: number; note: string } | undefined> {
      const s = await this.readState();
      return s.checkpoint_size < 0 ? undefined : { size: Number(s.checkpoint_size), note: s.checkpoint };
    },
  };
}

export type LogRepo = ReturnType<typeof createLogRepo>;
