import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { backupNode } from '../../src/services/backup.js';
import { openDatabase } from '../../src/services/init.js';
import { isSealed, openSecret, SECRETS_KEY_FILE, sealStoredSecrets } from '../../src/services/secrets.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';

/**
 * Issue 15 item 8: every file in the data directory and every backup is 0600 in a 0700
 * directory, whatever existed before; webhook secrets are stored sealed under a key in the data
 * directory. On the code before, an existing 0755 directory got a 0644 database, WAL and SHM, a
 * backup copied files 0644, and the secret sat in the database in plain text.
 */
function modes(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    out.push(`${d.slice(dir.length) || '/'} ${(statSync(d).mode & 0o777).toString(8)}`);
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(`${p.slice(dir.length)} ${(statSync(p).mode & 0o777).toString(8)}`);
    }
  };
  walk(dir);
  return out;
}
const loose = (list: string[]) => list.filter((l) => !/ (600|700)$/.test(l));

describe('files and secrets at rest (sqlite)', () => {
  let t: TestApp;
  const dirs: string[] = [];
  beforeAll(async () => {
    t = await createTestApp('sqlite', { demo: true, env: { CUSTOS_WEBHOOK_ALLOW_PRIVATE: '1' } });
  });
  afterAll(async () => {
    await t.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('makes an existing 0755 data directory 0700, and the database, WAL, SHM and stray files 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'custos-modes-'));
    dirs.push(dir);
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'left-over.txt'), 'x', { mode: 0o644 });
    const old = process.umask(0o022);
    try {
      const db = openDatabase(loadConfig({ CUSTOS_DATA_DIR: dir }, process.cwd()));
      await migrateToLatest(db);
      const names = readdirSync(dir);
      expect(names).toEqual(expect.arrayContaining(['custos.db', 'custos.db-wal', 'custos.db-shm']));
      expect(loose(modes(dir))).toEqual([]);
      await db.close();
    } finally {
      process.umask(old);
    }
  });

  it('writes every backup file 0600 in 0700 directories', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'custos-backup-')), 'b');
    dirs.push(dir);
    const old = process.umask(0o022);
    try {
      await backupNode(t.ports, dir);
    } finally {
      process.umask(old);
    }
    const list = modes(dir);
    expect(list.length).toBeGreaterThan(3);
    expect(loose(list)).toEqual([]);
  });

  it('stores a webhook secret sealed under the data directory key, and still signs with it', async () => {
    const secret = 'whsec_plain_text_that_must_not_be_stored';
    const reg = await t.app.inject({
      method: 'POST',
      url: '/api/webhooks',
      headers: bearer(t.token('xa-ssac.admin')),
      payload: {
        url: 'http://127.0.0.1:9/hook',
        secret,
        headers: { Authorization: 'Bearer receiver-credential' },
      },
    });
    expect(reg.statusCode, reg.body).toBe(201);
    expect(reg.json().secret).toBe(secret);
    // The receiver's credential is named, never shown back, and stored sealed too.
    expect(reg.json().headers).toEqual({ Authorization: '(set)' });
    const row = await t.ports.db.kysely
      .selectFrom('webhooks')
      .select(['id', 'secret', 'headers'])
      .where('id', '=', reg.json().id)
      .executeTakeFirstOrThrow();
    expect(isSealed(row.secret)).toBe(true);
    expect(row.secret).not.toContain(secret);
    expect(isSealed(row.headers)).toBe(true);
    expect(row.headers).not.toContain('receiver-credential');
    expect(openSecret(t.ports, row.id, row.secret)).toBe(secret);
    // Moved to another row, the sealed secret does not open (the row id is bound in).
    expect(() => openSecret(t.ports, 'wh_other', row.secret)).toThrow();
    expect((statSync(join(t.tdb.dataDir, SECRETS_KEY_FILE)).mode & 0o777).toString(8)).toBe('600');
  });

  it('seals secrets stored in plain text before this change, at start', async () => {
    await t.ports.db.kysely
      .insertInto('webhooks')
      .values({
        id: 'wh_legacy',
        organisation_id: 'xa-ssac',
        url: 'https://hooks.example.org/legacy',
        secret: 'legacy-plain-secret-0123',
        events: '[]',
        headers: '{"X-Api-Key":"legacy-key"}',
        status: 'pending',
        created_at: '2026-01-01T00:00:00Z',
        created_by: 'test',
        verified_at: null,
      })
      .execute();
    expect(await sealStoredSecrets(t.ports)).toBe(1);
    const row = await t.ports.db.kysely
      .selectFrom('webhooks')
      .select(['secret', 'headers'])
      .where('id', '=', 'wh_legacy')
      .executeTakeFirstOrThrow();
    expect(isSealed(row.secret)).toBe(true);
    expect(openSecret(t.ports, 'wh_legacy:headers', row.headers)).toBe('{"X-Api-Key":"legacy-key"}');
    expect(openSecret(t.ports, 'wh_legacy', row.secret)).toBe('legacy-plain-secret-0123');
    expect(await sealStoredSecrets(t.ports)).toBe(0);
  });
});
