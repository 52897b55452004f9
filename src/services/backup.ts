import {
  copyFileSync,
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import type pg from 'pg';
import { DomainError } from '../domain/errors.js';
import { migrateToLatest } from '../store/migrate.js';
import type { Ports } from './ports.js';

/**
 * `custos backup` / `custos restore`: a consistent online copy of a node. SQLite uses the online
 * backup API (a consistent page copy while the server keeps writing); PostgreSQL dumps every table
 * inside one REPEATABLE READ READ ONLY transaction (one snapshot: a report, its lines and its log
 * entry are all in or all out), in process, so no pg_dump binary is needed. The data directory's
 * files (log key, witness key, admin token, demo keys) are copied too: without the log key a
 * restored node could not sign checkpoints that extend the old ones.
 */
export interface BackupManifest {
  readonly format: 'custos-backup/1';
  readonly dialect: 'sqlite' | 'postgres';
  readonly createdAt: string;
  readonly migrations: string[];
  readonly tables: { name: string; rows: number }[];
  readonly logSize: number;
  readonly files: string[];
}

const SQLITE_FILES = new Set(['custos.db', 'custos.db-wal', 'custos.db-shm', 'custos.db-journal']);
const MANIFEST = 'manifest.json';
const BYTES = '$bytes';

function dataFiles(dataDir: string, skip: string): string[] {
  if (!existsSync(dataDir)) return [];
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dataDir, rel), { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (resolve(dataDir, r) === skip) continue;
      if (e.isDirectory()) walk(r);
      else if (e.isFile() && !(rel === '' && SQLITE_FILES.has(e.name))) out.push(r);
    }
  };
  walk('');
  return out;
}

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

/** Write a consistent copy of the node (database and data directory files) into `dir` (new or empty). */
export async function backupNode(ports: Ports, dir: string): Promise<BackupManifest> {
  const target = resolve(dir);
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new DomainError('CONFLICT', `backup directory ${target} is not empty`);
  }
  mkdirSync(join(target, 'files'), { recursive: true, mode: 0o700 });
  const tables: { name: string; rows: number }[] = [];
  let migrations: string[] = [];
  let logSize = 0;
  if (ports.db.sqlite) {
    await ports.db.sqlite.backup(join(target, 'custos.db'));
    const copy = (await import('better-sqlite3')).default(join(target, 'custos.db'), { readonly: true });
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
  } else {
    const pool = ports.db.pool as pg.Pool;
    const client = await pool.connect();
    try {
      await client.query('begin isolation level repeatable read read only');
      mkdirSync(join(target, 'tables'));
      for (const name of await pgTables(client)) {
        const out = createWriteStream(join(target, 'tables', `${name}.jsonl`));
        let rows = 0;
        // ctid order pages through the snapshot without needing a key on every table.
        for (let offset = 0; ; offset += 5000) {
          const r = await client.query(
            `select * from ${quote(name)} order by ctid limit 5000 offset ${offset}`,
          );
          for (const row of r.rows) {
            if (!out.write(`${encodeRow(row as Record<string, unknown>)}\n`))
              await new Promise<void>((res) => out.once('drain', () => res()));
          }
          rows += r.rows.length;
          if (r.rows.length < 5000) break;
        }
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
  }
  const files = dataFiles(ports.config.dataDir, target);
  for (const f of files) {
    mkdirSync(join(target, 'files', f, '..'), { recursive: true, mode: 0o700 });
    copyFileSync(join(ports.config.dataDir, f), join(target, 'files', f));
  }
  const manifest: BackupManifest = {
    format: 'custos-backup/1',
    dialect: ports.db.dialect,
    createdAt: ports.clock.now().toISOString(),
    migrations,
    tables,
    logSize,
    files,
  };
  writeFileSync(join(target, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return manifest;
}

export function readManifest(dir: string): BackupManifest {
  const path = join(resolve(dir), MANIFEST);
  if (!existsSync(path)) throw new DomainError('NOT_FOUND', `${path} does not exist: not a Custos backup`);
  const m = JSON.parse(readFileSync(path, 'utf8')) as BackupManifest;
  if (m.format !== 'custos-backup/1')
    throw new DomainError('BAD_REQUEST', `unknown backup format ${m.format}`);
  return m;
}

/**
 * Restore a backup into an empty node: the data directory must hold no database or key, the
 * PostgreSQL database no tables. The dialect of the backup and of the target must match.
 * `open` is called after the files are in place (SQLite) to open the target database.
 */
export async function restoreNode(
  dir: string,
  target: { dataDir: string; databaseUrl: string | undefined },
  open: () => Promise<Ports>,
): Promise<BackupManifest> {
  const source = resolve(dir);
  const m = readManifest(source);
  const dialect = target.databaseUrl ? 'postgres' : 'sqlite';
  if (m.dialect !== dialect) {
    throw new DomainError(
      'CONFIG_INVALID',
      `the backup is of a ${m.dialect} node; this node is configured for ${dialect}`,
    );
  }
  for (const f of ['custos.db', 'log.key', ...m.files]) {
    if (existsSync(join(target.dataDir, f)))
      throw new DomainError(
        'CONFLICT',
        `${join(target.dataDir, f)} exists: restore needs an empty data directory`,
      );
  }
  mkdirSync(target.dataDir, { recursive: true, mode: 0o700 });
  cpSync(join(source, 'files'), target.dataDir, { recursive: true });
  if (dialect === 'sqlite') {
    copyFileSync(join(source, 'custos.db'), join(target.dataDir, 'custos.db'));
    const ports = await open();
    await ports.db.close();
    return m;
  }
  const ports = await open();
  try {
    const pool = ports.db.pool as pg.Pool;
    const client = await pool.connect();
    try {
      if ((await pgTables(client)).length > 0)
        throw new DomainError(
          'CONFLICT',
          'the PostgreSQL database is not empty: restore needs an empty database',
        );
    } finally {
      client.release();
    }
    // The schema comes from our migrations; the rows (migration bookkeeping included) from the dump.
    await migrateToLatest(ports.db);
    const c = await pool.connect();
    try {
      await c.query('begin');
      const present = new Set(await pgTables(c));
      const names = m.tables.map((t) => t.name).filter((n) => present.has(n));
      await c.query(`truncate ${names.map(quote).join(', ')}`);
      // Rows go in table by table; foreign keys are checked at commit, when every table is in.
      await c.query('set constraints all deferred');
      const pending = [...names];
      for (let pass = 0; pending.length > 0 && pass < names.length + 1; pass++) {
        for (const name of [...pending]) {
          await c.query('savepoint t');
          try {
            await insertTable(c, name, join(source, 'tables', `${name}.jsonl`));
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
  } finally {
    await ports.db.close();
  }
  return m;
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
