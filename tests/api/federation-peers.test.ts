import { createHash, generateKeyPairSync } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSignerKey, parseNoteVerifier } from '../../src/log/index.js';
import { auditStore } from '../../src/services/audit.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';

function nodeKey(): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  return Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url').toString('base64');
}

function logKey(origin: string): string {
  return generateSignerKey(origin, new Uint8Array(32).fill(origin.length)).vkey;
}

describe.each(testDialects())('node identity and peers on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
  });
  afterAll(async () => {
    await t.close();
  });
  const get = (url: string, token = t.adminToken) =>
    t.app.inject({ method: 'GET', url, headers: bearer(token) });
  const post = (url: string, body: unknown, token = t.adminToken) =>
    t.app.inject({ method: 'POST', url, headers: bearer(token), payload: body as object });

  it('publishes the node identity to administrators only, with a node key stored 0600', async () => {
    const res = await get('/api/node');
    expect(res.statusCode).toBe(200);
    const node = res.json() as { origin: string; logKey: string; nodeKey: string; keyId: string };
    expect(node.origin).toBe(t.ports.config.logOrigin);
    expect(node.logKey).toBe(t.log.keys.vkey);
    expect(parseNoteVerifier(node.logKey).name).toBe(node.origin);
    const raw = Buffer.from(node.nodeKey, 'base64');
    expect(raw.length).toBe(32);
    expect(node.keyId).toBe(createHash('sha256').update(raw).digest('hex').slice(0, 16));
    expect(statSync(join(t.tdb.dataDir, 'node.key')).mode & 0o777).toBe(0o600);
    // The same key on every read (it is made once, at init).
    expect((await get('/api/node')).json()).toEqual(node);
    for (const login of ['xa-ssac.submitter', 'agency.admin', 'agency.inspector']) {
      const other = await get('/api/node', t.token(login));
      expect(other.statusCode).toBe(403);
      expect(other.json().error.code).toBe('FORBIDDEN');
    }
  });

  it('registers, lists and revokes peers, each change a logged record the audit rebuilds', async () => {
    const key = nodeKey();
    const created = await post('/api/peers', {
      name: 'Regional',
      url: 'http://127.0.0.1:9/',
      logKey: logKey('regional.example/log'),
      nodeKey: key,
    });
    expect(created.statusCode).toBe(201);
    const { id, logIndex } = created.json() as { id: string; logIndex: number };
    const listed = (await get('/api/peers')).json() as {
      id: string;
      url: string;
      origin: string;
      keyId: string;
      status: string;
      delivery: { pending: number; lagSeconds: number };
    }[];
    const peer = listed.find((p) => p.id === id);
    expect(peer).toMatchObject({
      url: 'http://127.0.0.1:9',
      origin: 'regional.example/log',
      status: 'active',
      keyId: createHash('sha256').update(Buffer.from(key, 'base64')).digest('hex').slice(0, 16),
      delivery: { pending: 0, lagSeconds: 0 },
    });
    const rec = await get(`/api/records/${encodeURIComponent(`peer:${id}`)}`);
    expect(rec.statusCode).toBe(200);
    expect(rec.json()).toMatchObject({ kind: 'peer', logIndex, content: { id, nodeKey: key } });

    // The same node key or log twice is refused; so are malformed keys and URLs.
    const again = await post('/api/peers', {
      name: 'Again',
      url: 'http://127.0.0.1:10',
      logKey: logKey('other.example/log'),
      nodeKey: key,
    });
    expect(again.json().error.code).toBe('ALREADY_EXISTS');
    const badKey = await post('/api/peers', {
      name: 'Bad',
      url: 'http://127.0.0.1:10',
      logKey: 'not a key',
      nodeKey: nodeKey(),
    });
    expect(badKey.statusCode).toBe(400);
    expect(badKey.json().error.code).toBe('KEY_INVALID');
    const badNode = await post('/api/peers', {
      name: 'Bad',
      url: 'http://127.0.0.1:10',
      logKey: logKey('third.example/log'),
      nodeKey: 'AAAA',
    });
    expect(badNode.json().error.code).toBe('KEY_INVALID');
    const badUrl = await post('/api/peers', {
      name: 'Bad',
      url: 'ftp://x',
      logKey: logKey('third.example/log'),
      nodeKey: nodeKey(),
    });
    expect(badUrl.json().error.code).toBe('VALIDATION_FAILED');
    expect(badUrl.json().error.details).toEqual([
      expect.objectContaining({ code: 'SCHEME', rule: 'oneOf', values: { allowed: ['https', 'http'] } }),
    ]);
    const notAdmin = await post(
      '/api/peers',
      { name: 'X', url: 'http://127.0.0.1:11', logKey: logKey('x.example/log'), nodeKey: nodeKey() },
      t.token('agency.admin'),
    );
    expect(notAdmin.statusCode).toBe(403);

    const revoked = await post(`/api/peers/${id}/revoke`, {});
    expect(revoked.statusCode).toBe(200);
    expect((await post(`/api/peers/${id}/revoke`, {})).json().error.code).toBe('CONFLICT');
    expect((await post('/api/peers/nope/revoke', {})).statusCode).toBe(404);
    const after = ((await get('/api/peers')).json() as { id: string; status: string }[]).find(
      (p) => p.id === id,
    );
    expect(after?.status).toBe('revoked');
    const rev = await get(`/api/records/${encodeURIComponent(`peer-revocation:${id}`)}`);
    expect(rev.json()).toMatchObject({ kind: 'peer-revocation', content: { id } });

    await t.log.flush();
    const audit = await auditStore(t.ports, parseNoteVerifier(t.log.keys.vkey));
    expect(audit.findings).toEqual([]);
    // A peer row changed behind the log's back shows up.
    await t.ports.db.kysely
      .updateTable('fed_peers')
      .set({ node_key: nodeKey() })
      .where('id', '=', id)
      .execute();
    const tampered = await auditStore(t.ports, parseNoteVerifier(t.log.keys.vkey));
    expect(tampered.findings.map((f) => [f.kind, f.where])).toContainEqual(['record-changed', `peer:${id}`]);
  });
});
