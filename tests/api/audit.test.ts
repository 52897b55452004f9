import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSignerKey, parseNoteVerifier, storedHashIndex } from '../../src/log/index.js';
import { auditStore } from '../../src/services/audit.js';
import { transitionRecordId } from '../../src/services/cases/content.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { runCli } from '../fixtures/cli.js';
import { testDialects } from '../fixtures/db.js';

/**
 * Tamper detection (log issue "Tests", reliability issue 2): edit the database behind the log's
 * back and check that `custos audit` names each change.
 */
describe.each(testDialects())('custos audit detects tampering (%s)', (dialect) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp(dialect, { demo: true });
    await t.log.flush();
  });
  afterEach(async () => {
    await t.close();
  });
  const audit = () => auditStore(t.ports, parseNoteVerifier(t.log.keys.vkey));
  const kinds = async () => (await audit()).findings.map((f) => `${f.kind} ${f.where}`);

  it('passes on an untouched store', async () => {
    const r = await audit();
    expect(r.findings).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.records).toBeGreaterThan(5);
  });

  it('passes while entries are sequenced but not yet integrated, past the last checkpoint', async () => {
    const post = (id: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/agreements',
        headers: bearer(t.adminToken),
        payload: {
          id,
          type: 'VOA',
          title: `agreement ${id}`,
          entryIntoForce: '2026-01-01',
          parties: [
            { kind: 'state', ref: 'XA' },
            { kind: 'organisation', ref: 'agency' },
          ],
        },
      });
    // Integrated without a new checkpoint (the clock stands still), then one more only sequenced:
    // the audit's segment from the last checkpoint runs past the integrated size.
    expect((await post('VOA-A1')).statusCode).toBe(201);
    expect((await t.log.flush(false)).checkpoint).toBeUndefined();
    expect((await post('VOA-A2')).statusCode).toBe(201);
    expect(await kinds()).toEqual([]);
    // A stored hash of the integrated tree that goes missing is still named.
    const state = await t.ports.db.kysely.selectFrom('log_state').selectAll().executeTakeFirstOrThrow();
    const last = storedHashIndex(0, Number(state.integrated_size) - 1);
    await t.ports.db.kysely.deleteFrom('log_hashes').where('id', '=', last).execute();
    expect(await kinds()).toEqual([`hash-missing stored hash ${last}`]);
  });

  it('names a changed record', async () => {
    await t.ports.db.kysely
      .updateTable('agreements')
      .set({ title: 'rewritten' })
      .where('id', '=', 'CSA-XB')
      .execute();
    expect(await kinds()).toEqual(['record-changed agreement:CSA-XB']);
  });

  it('names deleted rows', async () => {
    await t.ports.db.kysely.deleteFrom('agreement_parties').where('agreement_id', '=', 'CSA-XC').execute();
    await t.ports.db.kysely.deleteFrom('agreements').where('id', '=', 'CSA-XC').execute();
    expect(await kinds()).toEqual(['record-deleted agreement:CSA-XC']);
  });

  it('names a row inserted behind the log (backdated)', async () => {
    await t.ports.db.kysely
      .insertInto('agreements')
      .values({
        id: 'VOA-XC',
        type: 'VOA',
        title: 'backdated',
        entry_into_force: '2020-01-01',
        status: 'in-force',
        created_at: '2020-01-01T00:00:00Z',
        created_by: 'x',
      })
      .execute();
    expect(await kinds()).toEqual(['row-not-logged agreement:VOA-XC']);
  });

  it('names a case transition inserted behind the log, paging through the threads', async () => {
    const opened = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: bearer(t.token('agency.inspector')),
      payload: { kind: 'question', state: 'XC', title: 'a question' },
    });
    expect(opened.statusCode).toBe(201);
    await t.log.flush();
    const k = t.ports.db.kysely;
    const last = await k
      .selectFrom('case_transitions')
      .selectAll()
      .orderBy('case_id', 'desc')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    const seq = Number(last.seq) + 1;
    await k
      .insertInto('case_transitions')
      .values({ ...last, seq })
      .execute();
    expect(await kinds()).toEqual([`row-not-logged ${transitionRecordId(last.case_id, seq)}`]);
  });

  it('names a rewritten stored hash and a deleted record row', async () => {
    await t.ports.db.kysely
      .updateTable('log_hashes')
      .set({ hash: new Uint8Array(32) })
      .where('id', '=', 3)
      .execute();
    await t.ports.db.kysely.deleteFrom('records').where('id', '=', 'agreement:AP-XA').execute();
    const found = await kinds();
    expect(found).toContain('hash-rewritten stored hash 3');
    expect(found.some((f) => f.startsWith('record-row-deleted agreement:AP-XA'))).toBe(true);
  });

  it('names checkpoints that the key does not sign (swapped key file) via the CLI', {
    timeout: 180_000,
  }, async () => {
    // The CLI opens the node's own store: its data directory (log key, SQLite file) and, on
    // PostgreSQL, the test's own database.
    const env: Record<string, string> = { CUSTOS_DATA_DIR: t.tdb.dataDir };
    if (t.tdb.url !== undefined) env.CUSTOS_DATABASE_URL = t.tdb.url;
    await t.ports.db.close();
    const ok = await runCli(['audit'], env);
    expect(ok.stdout).toContain('AUDIT OK');
    expect(ok.status).toBe(0);
    const trusted = t.log.keys.vkey;
    writeFileSync(
      join(t.tdb.dataDir, 'log.key'),
      `${generateSignerKey('custos.localhost/log', new Uint8Array(32).fill(5)).skey}\n`,
    );
    const swapped = await runCli(['audit', '--key', trusted], env);
    expect(swapped.stdout).toContain('AUDIT OK'); // the trusted key still verifies the stored checkpoints
    const withFileKey = await runCli(['audit'], env);
    expect(withFileKey.status).toBe(3);
    expect(withFileKey.stdout).toMatch(/TAMPERED checkpoint-signature at checkpoint \d+/);
  });
});

describe('custos log verify and proof verify (sqlite, over HTTP)', () => {
  it('verify a live log, remember it, and catch a rewritten entry', async () => {
    const t = await createTestApp('sqlite', { demo: true });
    try {
      await t.log.flush();
      const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
      const state = join(t.tdb.dataDir, 'verify-state.json');
      const keyFile = join(t.tdb.dataDir, 'log.pub');
      writeFileSync(keyFile, `${t.log.keys.vkey}\n`);
      const first = await runCli(['log', 'verify', '--url', url, '--key', keyFile, '--state', state]);
      expect(first.stdout).toContain('LOG VERIFIED');
      expect(first.status).toBe(0);

      // A receipt downloaded now verifies offline.
      const receipt = await t.app.inject({
        method: 'GET',
        url: '/api/records/agreement:CSA-XA/receipt',
        headers: bearer(t.adminToken),
      });
      const file = join(t.tdb.dataDir, 'receipt.txt');
      writeFileSync(file, receipt.body);
      const pv = await runCli(['proof', 'verify', file, '--key', keyFile]);
      expect(pv.stdout).toContain('RECEIPT VERIFIED');
      const wrongKey = await runCli([
        'proof',
        'verify',
        file,
        '--key',
        generateSignerKey('custos.localhost/log', new Uint8Array(32).fill(9)).vkey,
      ]);
      expect(wrongKey.status).toBe(3);

      // Rewrite one leaf (and its stored hash chain stays stale): the bundle no longer matches its tile.
      await t.ports.db.kysely
        .updateTable('log_entries')
        .set({ leaf: new Uint8Array([1, 2, 3]) })
        .where('idx', '=', 2)
        .execute();
      const second = await runCli(['log', 'verify', '--url', url, '--key', keyFile, '--state', state]);
      expect(second.status).toBe(3);
      expect(second.stderr).toContain('entry bundle 0 does not match its tile');
    } finally {
      await t.close();
    }
    // Four CLI child processes on a loaded 2-core CI machine.
  }, 180_000);
});
