import Database from 'better-sqlite3';
import { Kysely, PostgresAdapter, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { startCheckpointer } from './checkpointer.js';
import { prepareSqliteFile, secureSqliteCompanions } from './file-modes.js';
import type { Schema } from './schema.types.js';
import { RoutedSqliteDialect } from './sqlite-dialect.js';

export type Dialect = 'sqlite' | 'postgres';

/** A database or a transaction: what every repository function takes, so callers choose the unit of work. */
export type DbOrTx = Kysely<Schema> | Transaction<Schema>;

/**
 * One database handle for either dialect. `sqlite` is exposed for the bulk paths that use
 * prepared statements in one transaction (architecture.md habit 7); everything else goes through
 * Kysely so both dialects share the same reviewed SQL.
 */
export interface Db {
  readonly dialect: Dialect;
  readonly kysely: Kysely<Schema>;
  readonly sqlite: Database.Database | undefined;
  readonly pool: pg.Pool | undefined;
  /**
   * SQLite on disk: runs `fn` holding this process's writer lock, for a writer connection of
   * another thread (decision 0078). Absent where no other connection can write the database
   * (in memory) and on PostgreSQL, whose commits do not hold the event loop.
   */
  readonly holdWriter?: <T>(fn: () => Promise<T>) => Promise<T>;
  close(): Promise<void>;
}

// int8 (bigint) columns come back from pg as strings; our integers (milligrams, log indices)
// are all within 2^53, so parse them as numbers and refuse anything that would lose precision.
pg.types.setTypeParser(20, (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`integer ${value} exceeds 2^53`);
  return n;
});

export interface SqliteOptions {
  /**
   * Only a writer connection, for a thread that writes while the process that opened the
   * database holds its writer lock (services/reports/intake-thread.ts, decision 0078): no
   * reader, no checkpointer (the process's own checkpoints the file).
   */
  readonly writerOnly?: boolean;
}

export function openSqlite(path: string, options: SqliteOptions = {}): Db {
  // ':memory:' and the like have no file to protect.
  const onDisk = path !== ':memory:' && path !== '';
  if (onDisk) prepareSqliteFile(path);
  const sqlite = new Database(path);
  // WAL with synchronous=FULL: a committed transaction is on disk (fsync'd) before we reply.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 10000');
  // 64 MiB of page cache (the default is 2 MiB): intake joins a report's transfer lines to the
  // lines and keys they pair with, which would otherwise go back to the OS for every page.
  sqlite.pragma('cache_size = -65536');
  if (onDisk) secureSqliteCompanions(path);
  // A second, read-only connection answers plain SELECTs while the writer is taken (a big
  // report's transaction yields to the event loop for seconds; sqlite-dialect.ts, decision 0035).
  // An in-memory database has no file another connection could read.
  const shared = onDisk && !options.writerOnly;
  const reader = shared ? new Database(path, { readonly: true, fileMustExist: true }) : undefined;
  reader?.pragma('busy_timeout = 10000');
  // Checkpoints on a worker thread, not inside a big report's commit (decision 0048).
  const checkpointer = shared ? startCheckpointer(sqlite, path) : undefined;
  if (options.writerOnly) {
    sqlite.pragma('wal_autocheckpoint = 0');
    // Its cache is memory on top of the process writer's: 16 MiB cost intake the same CPU as 64
    // at 1 M lines stored (decision 0074).
    sqlite.pragma('cache_size = -16384');
  }
  const dialect = new RoutedSqliteDialect(sqlite, reader);
  const kysely = new Kysely<Schema>({ dialect });
  return {
    dialect: 'sqlite',
    kysely,
    sqlite,
    pool: undefined,
    ...(shared ? { holdWriter: <T>(fn: () => Promise<T>) => dialect.holdWriter(fn) } : {}),
    async close() {
      await checkpointer?.stop();
      await kysely.destroy();
    },
  };
}

export function openPostgres(url: string, max = 10): Db {
  // JIT off: it compiles a query whose estimated cost passes jit_above_cost, and the key-driven
  // lookups of intake (index probes per key, estimated without statistics) passed it by orders of
  // magnitude: ~0.9 s of compilation for a 60 ms query (decision 0050).
  const pool = new pg.Pool({ connectionString: url, max, options: '-c jit=off' });
  // An idle client that errors (server restart) must not crash the process; queries will retry.
  pool.on('error', () => {});
  const kysely = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return {
    dialect: 'postgres',
    kysely,
    sqlite: undefined,
    pool,
    async close() {
      await kysely.destroy();
    },
  };
}

/**
 * Whether a database or transaction runs on PostgreSQL: for the few statements written per
 * dialect (array-bound reads and writes of intake, decision 0050) where the caller holds only
 * the Kysely handle.
 */
export function isPostgres(q: DbOrTx): boolean {
  return q.getExecutor().adapter instanceof PostgresAdapter;
}

/** The health check's probe: one read of the log's state row (the schema is there and answers). */
export async function probeDatabase(db: Db): Promise<void> {
  await db.kysely.selectFrom('log_state').select('id').executeTakeFirst();
}
