import type Database from 'better-sqlite3';
import { sql } from 'kysely';
import { insertRowsSqlite } from './bulk.js';
import type { Db, DbOrTx } from './db.js';
import type { LogStateRow, RecordKind } from './schema.types.js';

export interface SequencedEntry {
  readonly kind: RecordKind;
  readonly recordId: string;
  readonly leaf: Uint8Array;
  readonly createdAt: string;
}

const ENTRY_COLUMNS = ['idx', 'leaf', 'kind', 'record_id', 'created_at'] as const;

/**
 * Hand out `entries.length` consecutive indices and store the leaves, inside the caller's
 * transaction (null merge delay: the index is part of the same commit as the record). The counter
 * row stays locked until that commit, so indices are gap-free and ordered by commit even when
 * several processes share one PostgreSQL.
 */
export async function sequenceEntries(
  q: DbOrTx,
  entries: readonly SequencedEntry[],
  /** On SQLite, the connection the transaction runs on: rows go in through prepared statements. */
  sqlite?: Database.Database,
): Promise<number> {
  const first = await reserveIndexes(q, entries.length, sqlite);
  if (sqlite) {
    const values: unknown[] = new Array(entries.length * ENTRY_COLUMNS.length);
    let v = 0;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as SequencedEntry;
      values[v++] = first + i;
      values[v++] = e.leaf;
      values[v++] = e.kind;
      values[v++] = e.recordId;
      values[v++] = e.createdAt;
    }
    insertRowsSqlite(sqlite, 'log_entries', ENTRY_COLUMNS, values);
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

const reserveStatements = new WeakMap<Database.Database, Database.Statement>();

/** Advance the sequence counter by n (locking its row until commit); answers the first index. */
async function reserveIndexes(q: DbOrTx, n: number, sqlite: Database.Database | undefined): Promise<number> {
  if (sqlite) {
    let stmt = reserveStatements.get(sqlite);
    if (!stmt) {
      stmt = sqlite.prepare(
        'update log_sequence set next_index = next_index + ? where id = 1 returning next_index',
      );
      reserveStatements.set(sqlite, stmt.pluck());
    }
    const next = stmt.get(n) as number | bigint;
    return Number(next) - n;
  }
  const row = await q
    .updateTable('log_sequence')
    .set({ next_index: sql<number>`next_index + ${n}` })
    .where('id', '=', 1)
    .returning('next_index')
    .executeTakeFirstOrThrow();
  return Number(row.next_index) - n;
}

/** IN lists of stored-hash lookups are cut into statements of at most this many indexes. */
const HASHES_PER_STATEMENT = 64;

// `select … where id in (?, …, ?)` prepared once per connection and list length (1 … HASHES_PER_STATEMENT).
const hashesInStatements = new WeakMap<Database.Database, Database.Statement[]>();

/** SQLite: stored hashes by index, in the order asked, in one statement per 64 indexes. */
function readHashesSqlite(sqlite: Database.Database, indexes: readonly number[]): Uint8Array[] {
  let hashesIn = hashesInStatements.get(sqlite);
  if (!hashesIn) {
    hashesIn = [];
    hashesInStatements.set(sqlite, hashesIn);
  }
  const out: Uint8Array[] = new Array(indexes.length);
  for (let at = 0; at < indexes.length; at += HASHES_PER_STATEMENT) {
    const chunk =
      indexes.length <= HASHES_PER_STATEMENT ? indexes : indexes.slice(at, at + HASHES_PER_STATEMENT);
    let stmt = hashesIn[chunk.length];
    if (!stmt) {
      stmt = sqlite
        .prepare(
          `select id, hash from log_hashes where id in (${new Array(chunk.length).fill('?').join(', ')})`,
        )
        .raw();
      hashesIn[chunk.length] = stmt;
    }
    const rows = stmt.all(chunk) as [number, Buffer][];
    // A handful of rows: matching them back by a scan is cheaper than building a Map.
    for (let i = 0; i < chunk.length; i++) {
      const ix = chunk[i] as number;
      const row = rows.find((r) => Number(r[0]) === ix);
      if (!row) throw new Error(`stored hash ${ix} is missing`);
      out[at + i] = row[1];
    }
  }
  return out;
}

export function createLogRepo(db: Db) {
  const k = db.kysely;
  let stateRow: Database.Statement | undefined;
  let sizeRow: Database.Statement | undefined;
  let hashRange: Database.Statement | undefined;

  return {
    async readState(q: DbOrTx = k): Promise<LogStateRow> {
      if (db.sqlite) {
        // Read on every proof and tile request: a prepared statement, not a query built per call.
        stateRow ??= db.sqlite.prepare('select * from log_state where id = 1');
        const r = stateRow.get() as LogStateRow;
        return { ...r, root: new Uint8Array(r.root) };
      }
      const r = await q.selectFrom('log_state').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
      return { ...r, root: new Uint8Array(r.root) };
    },
    /** The integrated tree size alone (checked by every proof and tile request). */
    async readIntegratedSize(): Promise<number> {
      if (db.sqlite) {
        sizeRow ??= db.sqlite.prepare('select integrated_size from log_state where id = 1').pluck();
        return Number(sizeRow.get());
      }
      const r = await k
        .selectFrom('log_state')
        .select('integrated_size')
        .where('id', '=', 1)
        .executeTakeFirstOrThrow();
      return Number(r.integrated_size);
    },
    /**
     * The stored hashes with indexes first … last, concatenated in index order (32 bytes each).
     * A level-0 tile's hashes lie in one such run (interleaved with the hashes above them): one
     * range scan, answered by SQLite as a single hex string rather than one row object per hash.
     */
    async readHashRun(first: number, last: number): Promise<Uint8Array> {
      const count = last - first + 1;
      let bytes: Uint8Array;
      if (db.sqlite) {
        hashRange ??= db.sqlite
          .prepare("select group_concat(hex(hash), '' order by id) from log_hashes where id between ? and ?")
          .pluck();
        const hex = hashRange.get(first, last) as string | null;
        bytes = Buffer.from(hex ?? '', 'hex');
      } else {
        const rows = await k
          .selectFrom('log_hashes')
          .select(['id', 'hash'])
          .where('id', '>=', first)
          .where('id', '<=', last)
          .orderBy('id')
          .execute();
        bytes = Buffer.concat(rows.map((r) => r.hash));
      }
      if (bytes.length !== count * 32) throw new Error(`stored hashes ${first}…${last} are incomplete`);
      return bytes;
    },
    /** Leaves of [from, from+limit) in index order (all committed entries are contiguous). */
    async readEntries(q: DbOrTx, from: number, limit: number): Promise<{ idx: number; leaf: Uint8Array }[]> {
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
    async readHashes(indexes: readonly number[], q: DbOrTx = k): Promise<Uint8Array[]> {
      if (indexes.length === 0) return [];
      if (db.sqlite) return readHashesSqlite(db.sqlite, indexes);
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
  };
}

export type LogRepo = ReturnType<typeof createLogRepo>;

/** The integrator's writes on PostgreSQL (SQLite: sqliteIntegration), each in the caller's transaction. */
export function createIntegrationRepo() {
  return {
    /** PostgreSQL: one integrator at a time across every process sharing the database. */
    async tryLockIntegration(tx: DbOrTx): Promise<boolean> {
      const r = await sql<{
        ok: boolean;
      }>`select pg_try_advisory_xact_lock(${INTEGRATOR_LOCK}) as ok`.execute(tx);
      return r.rows[0]?.ok === true;
    },
    /** Store the hashes a pass appended and the tree they make (size and root). */
    async storeTree(
      q: DbOrTx,
      size: number,
      root: Uint8Array,
      hashes: readonly StoredHashRow[],
    ): Promise<void> {
      const rows = hashes.map((h) => ({ id: h.index, hash: h.hash }));
      for (let i = 0; i < rows.length; i += 500)
        await q
          .insertInto('log_hashes')
          .values(rows.slice(i, i + 500))
          .execute();
      await q.updateTable('log_state').set({ integrated_size: size, root }).where('id', '=', 1).execute();
    },
    /** Publish a signed checkpoint: keep it in the history and make it the latest. */
    async storeCheckpoint(q: DbOrTx, cp: NewCheckpoint): Promise<void> {
      await q
        .insertInto('log_checkpoints')
        .values({ size: cp.size, root: cp.root, note: cp.note, created_at: cp.at })
        .execute();
      await q
        .updateTable('log_state')
        .set({ checkpoint: cp.note, checkpoint_size: cp.size, checkpoint_at: cp.at })
        .where('id', '=', 1)
        .execute();
    },
  };
}

/** Advisory lock key shared by every Custos process on one PostgreSQL: one integrator at a time. */
const INTEGRATOR_LOCK = 0x637573746f73; // "custos"

export interface StoredHashRow {
  readonly index: number;
  readonly hash: Uint8Array;
}

export interface NewCheckpoint {
  readonly size: number;
  readonly root: Uint8Array;
  readonly note: string;
  readonly at: string;
}

/**
 * SQLite: the integrator's statements, prepared once per connection. They are synchronous, so a
 * whole pass runs inside one `sqlite.transaction` with no await between BEGIN and COMMIT.
 */
export interface SqliteIntegration {
  readState(): LogStateRow;
  /** Up to `limit` entries from index `from`, as [idx, leaf] in index order. */
  readLeaves(from: number, limit: number): [number | bigint, Uint8Array][];
  readHash(index: number): Uint8Array | undefined;
  storeTree(size: number, root: Uint8Array, hashes: readonly StoredHashRow[]): void;
  storeCheckpoint(cp: NewCheckpoint): void;
}

const sqliteIntegrations = new WeakMap<Database.Database, SqliteIntegration>();

export function sqliteIntegration(sqlite: Database.Database): SqliteIntegration {
  let s = sqliteIntegrations.get(sqlite);
  if (!s) {
    s = prepareSqliteIntegration(sqlite);
    sqliteIntegrations.set(sqlite, s);
  }
  return s;
}

function prepareSqliteIntegration(sqlite: Database.Database): SqliteIntegration {
  const state = sqlite.prepare('select * from log_state where id = 1');
  const entries = sqlite
    .prepare('select idx, leaf from log_entries where idx >= ? order by idx limit ?')
    .raw();
  const hash = sqlite.prepare('select hash from log_hashes where id = ?').pluck();
  const setTree = sqlite.prepare('update log_state set integrated_size = ?, root = ? where id = 1');
  const insertCheckpoint = sqlite.prepare(
    'insert into log_checkpoints (size, root, note, created_at) values (?, ?, ?, ?)',
  );
  const setCheckpoint = sqlite.prepare(
    'update log_state set checkpoint = ?, checkpoint_size = ?, checkpoint_at = ? where id = 1',
  );
  return {
    readState() {
      const raw = state.get() as LogStateRow;
      return { ...raw, root: new Uint8Array(raw.root) };
    },
    readLeaves: (from, limit) => entries.all(from, limit) as [number | bigint, Uint8Array][],
    readHash: (index) => hash.get(index) as Uint8Array | undefined,
    storeTree(size, root, hashes) {
      const values: unknown[] = new Array(hashes.length * 2);
      let v = 0;
      for (const h of hashes) {
        values[v++] = h.index;
        values[v++] = h.hash;
      }
      insertRowsSqlite(sqlite, 'log_hashes', ['id', 'hash'], values);
      setTree.run(size, root);
    },
    storeCheckpoint(cp) {
      insertCheckpoint.run(cp.size, cp.root, cp.note, cp.at);
      setCheckpoint.run(cp.note, cp.size, cp.at);
    },
  };
}
