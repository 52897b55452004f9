import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  formatLegacyLeaf,
  parseLeaf,
  parseNoteVerifier,
  parseProof,
  verifyProof,
} from '../../src/log/index.js';
import { auditStore } from '../../src/services/audit.js';
import { migrateTo, migrateToLatest } from '../../src/store/migrate.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { runCli } from '../fixtures/cli.js';
import { createTestDb, testDialects } from '../fixtures/db.js';

/**
 * Issue 15 item 2, decision 0021: a public leaf carries an opaque id and nothing that names a
 * state, an MBA, a report or the record's kind; leaves of the first form already in a log are
 * never rewritten and keep verifying (audit, receipts, `custos proof verify`).
 */
describe.each(testDialects())('opaque log leaves (%s)', (dialect) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp(dialect, { demo: true });
  });
  afterEach(async () => {
    await t.close();
  });
  const k = () => t.ports.db.kysely;
  const audit = async () =>
    (await auditStore(t.ports, parseNoteVerifier(t.log.keys.vkey))).findings.map(
      (f) => `${f.kind} ${f.where}`,
    );
  const agreement = (id: string) =>
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

  it('no leaf names its record or kind: each carries the random id stored beside the record', async () => {
    // A refusal too (unsigned garbage): its leaf must not tell another state that XA was refused.
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/reports',
      headers: { ...bearer(t.token('xa-ssac.submitter')), 'content-type': 'text/csv' },
      payload: 'not a report',
    });
    expect(refused.statusCode).toBe(422);
    const rows = await k()
      .selectFrom('records')
      .innerJoin('log_entries', 'log_entries.idx', 'records.log_index')
      .select(['records.id', 'records.kind', 'records.leaf_id', 'log_entries.leaf'])
      .execute();
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.some((r) => r.kind === 'report-rejection')).toBe(true);
    const ids = new Set<string>();
    for (const r of rows) {
      const leaf = parseLeaf(new Uint8Array(r.leaf));
      expect(leaf.v, r.id).toBe(2);
      expect(Object.keys(JSON.parse(Buffer.from(r.leaf).toString('utf8'))).sort()).toEqual([
        'commitment',
        'id',
        'time',
        'v',
      ]);
      expect(leaf.id).toMatch(/^[0-9a-f]{32}$/);
      expect(leaf.id).toBe(r.leaf_id);
      expect(leaf.id).not.toBe(r.id);
      ids.add(leaf.id);
    }
    expect(ids.size).toBe(rows.length);
    // The record as downloaded names its leaf id, so its holder can match it with the leaf.
    const rec = (
      await t.app.inject({ url: '/api/records/agreement%3ACSA-XA', headers: bearer(t.adminToken) })
    ).json();
    expect(rec.leafId).toMatch(/^[0-9a-f]{32}$/);
    expect(await audit()).toEqual([]);
  });

  it('an existing node keeps its v1 leaves: they and the new v2 ones pass the audit, receipts and proof verify', async () => {
    // The node as it stood before the move: its first entries were written in the first form (the
    // record id and kind in clear), with the point of the move recorded where the migration puts it.
    const old = await k()
      .selectFrom('records')
      .innerJoin('log_entries', 'log_entries.idx', 'records.log_index')
      .select(['records.id', 'records.kind', 'log_entries.idx', 'log_entries.leaf'])
      .orderBy('log_entries.idx')
      .execute();
    for (const r of old) {
      const v2 = parseLeaf(new Uint8Array(r.leaf));
      const legacy = formatLegacyLeaf({ kind: r.kind, id: r.id, time: v2.time, commitment: v2.commitment });
      await k().updateTable('log_entries').set({ leaf: legacy }).where('idx', '=', r.idx).execute();
      await k().updateTable('records').set({ leaf_id: r.id }).where('id', '=', r.id).execute();
    }
    await k()
      .updateTable('kv')
      .set({ value: String(old.length) })
      .where('key', '=', 'log.leaf_v2_from')
      .execute();
    expect((await agreement('VOA-NEW')).statusCode).toBe(201);
    await t.log.flush();
    expect(await audit()).toEqual([]);

    const dir = t.tdb.dataDir;
    const vkeyFile = join(dir, 'log.vkey');
    writeFileSync(vkeyFile, `${t.log.keys.vkey}\n`);
    const oldId = old.find((r) => r.kind === 'agreement')?.id as string;
    for (const [id, form] of [
      [oldId, 1],
      ['agreement:VOA-NEW', 2],
    ] as const) {
      const receipt = (
        await t.app.inject({
          url: `/api/records/${encodeURIComponent(id)}/receipt`,
          headers: bearer(t.adminToken),
        })
      ).body;
      const extra = parseProof(receipt).extra as Uint8Array;
      expect(parseLeaf(extra).v).toBe(form);
      expect(verifyProof(receipt, extra, parseNoteVerifier(t.log.keys.vkey)).ok).toBe(true);
      const record = (
        await t.app.inject({ url: `/api/records/${encodeURIComponent(id)}`, headers: bearer(t.adminToken) })
      ).body;
      writeFileSync(join(dir, `${form}.receipt`), receipt);
      writeFileSync(join(dir, `${form}.json`), record);
      const cli = await runCli([
        'proof',
        'verify',
        join(dir, `${form}.receipt`),
        '--key',
        vkeyFile,
        '--record',
        join(dir, `${form}.json`),
      ]);
      expect(cli.stderr).toBe('');
      expect(cli.status).toBe(0);
      expect(cli.stdout).toContain(`record ${id}`);
    }
    // The other record's file against this receipt: named as a mismatch, not verified.
    const cross = await runCli([
      'proof',
      'verify',
      join(dir, '2.receipt'),
      '--key',
      vkeyFile,
      '--record',
      join(dir, '1.json'),
    ]);
    expect(cross.status).not.toBe(0);
  });

  it('the audit names a leaf of the old form after the move, and a leaf id that is not the record’s', async () => {
    expect((await agreement('VOA-A')).statusCode).toBe(201);
    expect((await agreement('VOA-B')).statusCode).toBe(201);
    const rows = await k()
      .selectFrom('records')
      .innerJoin('log_entries', 'log_entries.idx', 'records.log_index')
      .select(['records.id', 'records.kind', 'log_entries.idx', 'log_entries.leaf'])
      .where('records.id', 'in', ['agreement:VOA-A', 'agreement:VOA-B'])
      .orderBy('log_entries.idx')
      .execute();
    const [a, b] = rows as [(typeof rows)[number], (typeof rows)[number]];
    const leafA = parseLeaf(new Uint8Array(a.leaf));
    // Before integration, so the tree is built from what is stored: only the leaf form is wrong.
    await k()
      .updateTable('log_entries')
      .set({
        leaf: formatLegacyLeaf({ kind: a.kind, id: a.id, time: leafA.time, commitment: leafA.commitment }),
      })
      .where('idx', '=', a.idx)
      .execute();
    await k()
      .updateTable('records')
      .set({ leaf_id: 'f'.repeat(32) })
      .where('id', '=', b.id)
      .execute();
    await t.log.flush();
    expect(await audit()).toEqual(['leaf-mismatch agreement:VOA-A', 'leaf-mismatch agreement:VOA-B']);
  });
});

describe.each(testDialects())('migration 0011 (%s)', (dialect) => {
  it('keeps existing records’ ids as their leaf ids and records where the opaque form starts', async () => {
    const tdb = await createTestDb(dialect);
    try {
      await migrateTo(tdb.db, '0009-derived-state');
      const k = tdb.db.kysely;
      await sql`UPDATE log_sequence SET next_index = 2 WHERE id = 1`.execute(k);
      for (const [i, id] of ['A-1', 'B-2'].entries())
        await sql`INSERT INTO records (id, kind, log_index, salt, subject_state, subject_org, created_at, created_by)
          VALUES (${id}, 'agreement', ${i}, ${new Uint8Array(32)}, NULL, NULL, '2026-01-01T00:00:00Z', 'u')`.execute(
          k,
        );
      await migrateToLatest(tdb.db);
      const rows = await k.selectFrom('records').select(['id', 'leaf_id']).orderBy('id').execute();
      expect(rows).toEqual([
        { id: 'A-1', leaf_id: 'A-1' },
        { id: 'B-2', leaf_id: 'B-2' },
      ]);
      const from = await k
        .selectFrom('kv')
        .select('value')
        .where('key', '=', 'log.leaf_v2_from')
        .executeTakeFirst();
      expect(from?.value).toBe('2');
    } finally {
      await tdb.dispose();
    }
  });
});
