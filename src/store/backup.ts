import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type pg from 'pg';

/**
 * Whole-database copies for `custos backup` / `custos restore` (services/backup.ts decides what a
 * backup holds): SQLite through the online backup API, PostgreSQL as one JSON-lines file per table
 * dumped inside one REPEATABLE READ READ ONLY snapshot and loaded back in one transaction. The SQL
 * here names tables it discovers, so it is written by hand rather than through Kysely's typed
 * builder.
 */
export interface DatabaseCopy {
  readonly tables: { name: string; rows: number }[];
  readonly migrations: string[];
  readonly logSize: number;
}

const BYTES = '$bytes';

function encodeRow(row: Record<string, unknown>): string {
  return JSON.stringify(row, (_k, v: unknown) =>
    v instanceof Uint8Array || (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer')
      ? {
          [BYTES]: Buffer.from(v instanceof Uint8Array ? v : (v as { data: number[] }).data).toString(
            'base64',
          ),
        }
      : v,
  );
}

function decodeRow(line: string): Record<string, unknown> {
  return JSON.parse(line, (_k, v: unknown) =>
    v && typeof v === 'object' && BYTES in (v as object)
      ? Buffer.from((v as Record<string, string>)[BYTES] as string, 'base64')
      : v,
  ) as Record<string, unknown>;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function pgTables(client: pg.PoolClient): Promise<string[]> {
  const r = await client.query<{ table_name: string }>(
    `select table_name from information_schema.tables
     where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`,
  );
  return r.rows.map((x) => x.table_name);
}

/** SQLite: a consistent page copy into `path` while the server keeps writing; answers what it holds. */
export async function copySqlite(sqlite: Database.Database, path: string): Promise<DatabaseCopy> {
  const tables: { name: string; rows: number }[] = [];
  let migrations: string[] = [];
  let logSize = 0;
  await sqlite.backup(path);
  const copy = new Database(path, { readonly: true });
  try {
    const names = copy
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
      )
      .all() as { name: string }[];
    for (const { name } of names) {
      const n = copy.prepare(`select count(*) as n from ${quote(name)}`).get() as { n: number };
      tables.push({ name, rows: n.n });
    }
    migrations = (
      copy.prepare('select name from kysely_migration order by name').all() as { name: string }[]
    ).map((r) => r.name);
    logSize = (copy.prepare('select count(*) as n from log_entries').get() as { n: number }).n;
  } finally {
    copy.close();
  }
  return { tables, migrations, logSize };
}

/** PostgreSQL: dump every table into `dir` (created) from one snapshot; answers what it holds. */
export async function dumpPostgres(pool: pg.Pool, dir: string): Promise<DatabaseCopy> {
  const tables: { name: string; rows: number }[] = [];
  let migrations: string[] = [];
  let logSize = 0;
  const client = await pool.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    mkdirSync(dir);
    for (const name of await pgTables(client)) {
      const out = createWriteStream(join(dir, `${name}.jsonl`));
      let rows = 0;
      // A cursor reads the snapshot in one pass: paging by OFFSET re-read every earlier row for
      // each page, so a table of decades took time quadratic in its rows (issue 14).
      await client.query(`declare backup_rows no scroll cursor for select * from ${quote(name)}`);
      for (;;) {
        const r = await client.query('fetch 5000 from backup_rows');
        for (const row of r.rows) {
          if (!out.write(`${encodeRow(row as Record<string, unknown>)}\n`))
            await new Promise<void>((res) => out.once('drain', () => res()));
        }
        rows += r.rows.length;
        if (r.rows.length < 5000) break;
      }
      await client.query('close backup_rows');
      await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
      tables.push({ name, rows });
      if (name === 'log_entries') logSize = rows;
    }
    migrations = (
      await client.query<{ name: string }>('select name from kysely_migration order by name')
    ).rows.map((r) => r.name);
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
  return { tables, migrations, logSize };
}

export async function isPostgresEmpty(pool: pg.Pool): Promise<boolean> {
  const client = await pool.connect();
  try {
    return (await pgTables(client)).length === 0;
  } finally {
    client.release();
  }
}

/**
 * Load the dump in `dir` into a migrated, empty PostgreSQL database in one transaction: the
 * listed tables that exist are emptied and filled, and serial columns continue after the rows.
 */
export async function loadPostgres(pool: pg.Pool, dir: string, tableNames: readonly string[]): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('begin');
    const present = new Set(await pgTables(c));
    const names = tableNames.filter((n) => present.has(n));
    await c.query(`truncate ${names.map(quote).join(', ')}`);
    // Rows go in table by table; foreign keys are checked at commit, when every table is in.
    await c.query('set constraints all deferred');
    const pending = [...names];
    for (let pass = 0; pending.length > 0 && pass < names.length + 1; pass++) {
      for (const name of [...pending]) {
        await c.query('savepoint t');
        try {
          await insertTable(c, name, join(dir, `${name}.jsonl`));
          await c.query('release savepoint t');
          pending.splice(pending.indexOf(name), 1);
        } catch (err) {
          await c.query('rollback to savepoint t');
          if (pass === names.length) throw err;
        }
      }
    }
    // Serial columns continue after the restored rows.
    const serials = await c.query<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns
       where table_schema = current_schema() and column_default like 'nextval(%'`,
    );
    for (const s of serials.rows) {
      await c.query(
        `select setval(pg_get_serial_sequence($1, $2), coalesce((select max(${quote(s.column_name)}) from ${quote(s.table_name)}), 0) + 1, false)`,
        [s.table_name, s.column_name],
      );
    }
    await c.query('commit');
  } catch (err) {
    await c.query('rollback').catch(() => {});
    throw err;
  } finally {
    c.release();
  }
}

async function insertTable(c: pg.PoolClient, name: string, file: string): Promise<void> {
  if (!existsSync(file)) return;
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map(decodeRow);
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0] as object);
  const per = Math.max(1, Math.floor(60_000 / cols.length));
  for (let i = 0; i < rows.length; i += per) {
    const batch = rows.slice(i, i + per);
    const values: unknown[] = [];
    const tuples = batch.map((row) => {
      const ph = cols.map((col) => {
        values.push(row[col]);
        return `$${values.length}`;
      });
      return `(${ph.join(', ')})`;
    });
    await c.query(
      `insert into ${quote(name)} (${cols.map(quote).join(', ')}) values ${tuples.join(', ')}`,
      values,
    );
  }
}
