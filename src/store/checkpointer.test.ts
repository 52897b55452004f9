import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer } from './checkpointer.js';

const autocheckpoint = (db: Database.Database) => db.pragma('wal_autocheckpoint', { simple: true });

async function until(ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('WAL checkpoints on a worker thread (decision 0048)', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a big commit leaves its pages in the WAL; the worker copies them into the database file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'custos-ckpt-'));
    const path = join(dir, 'c.db');
    const writer = new Database(path);
    writer.pragma('journal_mode = WAL');
    writer.exec('create table t (k integer primary key, v blob)');
    const cp = startCheckpointer(writer, path);
    try {
      await until(() => autocheckpoint(writer) === 0);
      const before = statSync(path).size;
      const put = writer.prepare('insert into t (v) values (randomblob(4000))');
      // About 3 000 pages: past SQLite's own threshold, which would have checkpointed in the commit.
      writer.transaction(() => {
        for (let i = 0; i < 3000; i++) put.run();
      })();
      expect(statSync(path).size).toBe(before);
      await cp.now();
      expect(statSync(path).size).toBeGreaterThan(before + 3000 * 4000);
      const reader = new Database(path, { readonly: true });
      expect(reader.prepare('select count(*) as n from t').get()).toEqual({ n: 3000 });
      reader.close();
    } finally {
      await cp.stop();
    }
    // Stopped: the writer checkpoints itself again.
    expect(autocheckpoint(writer)).toBe(1000);
    writer.close();
  });
});
