import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * File modes of everything Custos keeps on disk (issue 15 item 8): the data directory and every
 * backup are 0700, every file in them 0600, whatever existed before and whatever the umask. The
 * database holds password hashes, tokens' hashes and encrypted secrets; the directory holds keys.
 */
export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** Create `dir` if needed and make it, and everything under it, owner-only. Symlinks are left alone. */
export function secureTree(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  chmodSync(dir, DIR_MODE);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) secureTree(path);
    else if (e.isFile()) chmodSync(path, FILE_MODE);
  }
}

/**
 * Before SQLite opens a database: its file exists with mode 0600 (an empty file is an empty
 * database). SQLite creates the -wal and -shm files with the database file's mode, so they follow.
 */
export function prepareSqliteFile(path: string): void {
  if (!existsSync(path)) closeSync(openSync(path, 'a', FILE_MODE));
  chmodSync(path, FILE_MODE);
}

/** After opening: the -wal and -shm files of a database that existed before get 0600 too. */
export function secureSqliteCompanions(path: string): void {
  for (const suffix of ['-wal', '-shm', '-journal']) {
    const p = `${path}${suffix}`;
    if (existsSync(p) && lstatSync(p).isFile()) chmodSync(p, FILE_MODE);
  }
}
