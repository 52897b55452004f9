import type Database from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SelectQueryNode,
  SqliteDialect,
} from 'kysely';

/**
 * Kysely's SQLite dialect with a second, read-only connection for the time the writer is taken
 * (issue 15 item 9, decision 0035). SQLite has one writer: every transaction, and every statement
 * that is not a plain SELECT, runs on the writer connection under one lock, exactly as Kysely's
 * own driver does. While that lock is held — a big report's transaction yields to the event loop
 * between its chunks for seconds — a plain SELECT outside any transaction reads the last committed
 * state through the reader connection (WAL: readers do not wait for the writer) instead of
 * queueing behind the whole transaction. When the writer is free nothing changes: the query takes
 * it as before, so every read that used to see the latest commit still does.
 */
export class RoutedSqliteDialect extends SqliteDialect {
  readonly #writer: Database.Database;
  readonly #reader: Database.Database | undefined;
  readonly #lock = new Lock();

  constructor(writer: Database.Database, reader: Database.Database | undefined) {
    super({ database: writer });
    this.#writer = writer;
    this.#reader = reader;
  }

  override createDriver(): Driver {
    return new RoutedSqliteDriver(this.#writer, this.#reader, this.#lock);
  }

  /**
   * Holds the writer lock while `fn` runs, without using the writer connection: for a writer on
   * another thread (services/reports/intake-thread.ts, decision 0078). Meanwhile
   * this process's writes wait for the lock as they wait for any transaction, and its plain
   * SELECTs go to the reader, so none of them meets SQLITE_BUSY (whose busy handler would sleep
   * on the event loop).
   */
  async holdWriter<T>(fn: () => Promise<T>): Promise<T> {
    await this.#lock.take();
    try {
      return await fn();
    } finally {
      this.#lock.give();
    }
  }
}

class Lock {
  #held: Promise<void> | undefined;
  #release: (() => void) | undefined;

  get busy(): boolean {
    return this.#held !== undefined;
  }

  /** Taken synchronously when free (an async function runs up to its first await). */
  async take(): Promise<void> {
    while (this.#held) await this.#held;
    this.#held = new Promise((resolve) => {
      this.#release = resolve;
    });
  }

  give(): void {
    const release = this.#release;
    this.#held = undefined;
    this.#release = undefined;
    release?.();
  }
}

/**
 * Prepared statements per connection, by SQL text, least recently used evicted past `limit`:
 * preparing took ~5% of the server's CPU under device ingest (every query was prepared afresh).
 * Statements run synchronously, so a cached statement is never busy when it is taken again;
 * streams keep preparing their own (an iterating statement cannot be shared). `make` adjusts a
 * statement once when it is prepared (`raw`, ...): a cache whose statements are adjusted must be
 * its own (bulk.ts preparedOnce), not this dialect's.
 */
export function statementCache(limit: number) {
  const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();
  return (
    db: Database.Database,
    sql: string,
    make: (s: Database.Statement) => Database.Statement = (s) => s,
  ): Database.Statement => {
    let cache = statements.get(db);
    if (!cache) {
      cache = new Map();
      statements.set(db, cache);
    }
    const hit = cache.get(sql);
    if (hit) {
      cache.delete(sql);
      cache.set(sql, hit);
      return hit;
    }
    const stmt = make(db.prepare(sql));
    cache.set(sql, stmt);
    if (cache.size > limit) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    return stmt;
  };
}

const STATEMENTS_PER_CONNECTION = 512;
const prepared = statementCache(STATEMENTS_PER_CONNECTION);

function run<R>(db: Database.Database, q: CompiledQuery): QueryResult<R> {
  const stmt = prepared(db, q.sql);
  if (stmt.reader) return { rows: stmt.all(q.parameters) as R[] };
  const { changes, lastInsertRowid } = stmt.run(q.parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

async function* stream<R>(db: Database.Database, q: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
  if (!SelectQueryNode.is(q.query)) throw new Error('SQLite streams only select queries');
  for (const row of db.prepare(q.sql).iterate(q.parameters)) yield { rows: [row as R] };
}

/** The writer connection; whoever acquired it holds the lock until it is released. */
class WriterConnection implements DatabaseConnection {
  constructor(readonly db: Database.Database) {}
  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    return run<R>(this.db, q);
  }
  streamQuery<R>(q: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    return stream<R>(this.db, q);
  }
}

/**
 * Acquired while the writer was taken: plain SELECTs go to the reader; the first anything else
 * (BEGIN of a transaction included) waits for the writer and keeps it until released, so a
 * transaction or a write is never split across the two connections.
 */
class WaitingConnection implements DatabaseConnection {
  #holding = false;
  constructor(
    private readonly writer: Database.Database,
    private readonly reader: Database.Database,
    private readonly lock: Lock,
  ) {}

  async #take(): Promise<void> {
    if (this.#holding) return;
    await this.lock.take();
    this.#holding = true;
  }

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    if (!this.#holding && SelectQueryNode.is(q.query)) return run<R>(this.reader, q);
    await this.#take();
    return run<R>(this.writer, q);
  }

  async *streamQuery<R>(q: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!this.#holding && SelectQueryNode.is(q.query)) {
      yield* stream<R>(this.reader, q);
      return;
    }
    await this.#take();
    yield* stream<R>(this.writer, q);
  }

  release(): void {
    if (this.#holding) this.lock.give();
    this.#holding = false;
  }
}

class RoutedSqliteDriver implements Driver {
  readonly #writer: WriterConnection;

  constructor(
    writer: Database.Database,
    private readonly reader: Database.Database | undefined,
    private readonly lock: Lock,
  ) {
    this.#writer = new WriterConnection(writer);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.reader !== undefined && this.lock.busy) {
      return new WaitingConnection(this.#writer.db, this.reader, this.lock);
    }
    await this.lock.take();
    return this.#writer;
  }

  async beginTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(c: DatabaseConnection): Promise<void> {
    if (c instanceof WaitingConnection) c.release();
    else this.lock.give();
  }

  async destroy(): Promise<void> {
    this.reader?.close();
    this.#writer.db.close();
  }
}
