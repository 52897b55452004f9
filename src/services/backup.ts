import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import type pg from 'pg';
import { DomainError } from '../domain/errors.js';
import { copySqlite, dumpPostgres, isPostgresEmpty, loadPostgres } from '../store/backup.js';
import { secureTree } from '../store/file-modes.js';
import { migrateToLatest, migrateToSet, migrationNames } from '../store/migrate.js';
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

/** Write a consistent copy of the node (database and data directory files) into `dir` (new or empty). */
export async function backupNode(ports: Ports, dir: string): Promise<BackupManifest> {
  const target = resolve(dir);
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new DomainError('CONFLICT', `backup directory ${target} is not empty`);
  }
  mkdirSync(join(target, 'files'), { recursive: true, mode: 0o700 });
  const { tables, migrations, logSize } = ports.db.sqlite
    ? await copySqlite(ports.db.sqlite, join(target, 'custos.db'))
    : await dumpPostgres(ports.db.pool as pg.Pool, join(target, 'tables'));
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
  // A backup holds what the node holds: owner-only, whatever the umask gave the copies.
  secureTree(target);
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
  // A newer version's backup is refused before anything is written: its schema is unknown here.
  const known = new Set(migrationNames(dialect));
  const unknown = m.migrations.filter((n) => !known.has(n));
  if (unknown.length > 0)
    throw new DomainError(
      'CONFIG_INVALID',
      `the backup was taken by a newer version of Custos (migrations ${unknown.join(', ')} are unknown here): restore it with that version or a later one`,
    );
  for (const f of ['custos.db', 'log.key', ...m.files]) {
    if (existsSync(join(target.dataDir, f)))
      throw new DomainError(
        'CONFLICT',
        `${join(target.dataDir, f)} exists: restore needs an empty data directory`,
      );
  }
  mkdirSync(target.dataDir, { recursive: true, mode: 0o700 });
  cpSync(join(source, 'files'), target.dataDir, { recursive: true });
  if (dialect === 'sqlite') copyFileSync(join(source, 'custos.db'), join(target.dataDir, 'custos.db'));
  secureTree(target.dataDir);
  if (dialect === 'sqlite') {
    const ports = await open();
    await ports.db.close();
    return m;
  }
  const ports = await open();
  try {
    const pool = ports.db.pool as pg.Pool;
    if (!(await isPostgresEmpty(pool)))
      throw new DomainError(
        'CONFLICT',
        'the PostgreSQL database is not empty: restore needs an empty database',
      );
    // The schema the backup was taken under comes from our migrations, the rows (migration
    // bookkeeping included) from the dump; the migrations the backup's version did not have yet
    // then upgrade those rows, as they would have upgraded that node (0040 moves report lines).
    await migrateToSet(ports.db, m.migrations);
    await loadPostgres(
      pool,
      join(source, 'tables'),
      m.tables.map((t) => t.name),
    );
    await migrateToLatest(ports.db);
  } finally {
    await ports.db.close();
  }
  return m;
}
