import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createNoteSigner,
  decodeBase64,
  formatAddCheckpointRequest,
  formatTilePath,
  generateSignerKey,
  leafHash,
  openCheckpoint,
  openNote,
  parseEntryBundle,
  parseNoteVerifier,
  parseProof,
  parseVerifier,
  signCheckpoint,
  TileHashReader,
  tilesForSize,
  treeHash,
  verifyConsistency,
  verifyInclusion,
  verifyProof,
} from '../../src/log/index.js';
import { appendRecords, type NewRecord } from '../../src/services/records.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';

function records(n: number, from: number): NewRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: 'report' as const,
    id: `test:${from + i}`,
    content: { n: from + i },
    subjectState: 'XA',
    subjectOrg: null,
    at: '2026-11-28T09:00:00.000Z',
    by: 'test',
  }));
}

describe.each(testDialects())('the log over HTTP on %s', (dialect) => {
  let t: TestApp;
  const get = (url: string) => t.app.inject({ method: 'GET', url });
  beforeAll(async () => {
    t = await createTestApp(dialect, { env: { CUSTOS_LOG_ORIGIN: 'custos.test/log' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('publishes a signed checkpoint of the empty tree, then only when the size changes', async () => {
    await t.log.flush(false);
    const cp = await get('/log/checkpoint');
    expect(cp.statusCode).toBe(200);
    expect(cp.headers['content-type']).toBe('text/plain; charset=utf-8');
    const vkey = (await get('/log/key')).body.trim();
    const opened = openCheckpoint(cp.body, parseNoteVerifier(vkey));
    expect(opened.checkpoint.size).toBe(0);
    const again = await t.log.flush(false);
    expect(again).toEqual({ size: 0, checkpoint: undefined });
    expect((await get('/api/log/checkpoints')).json()).toHaveLength(1);
  });

  it('serves tiles, entry bundles and proofs that recompute the signed root', async () => {
    const vkey = parseNoteVerifier((await get('/log/key')).body.trim());
    await t.ports.db.kysely.transaction().execute((tx) => appendRecords(tx, t.ports, records(300, 0)));
    await t.log.flush();
    const first = openCheckpoint((await get('/log/checkpoint')).body, vkey).checkpoint;
    expect(first.size).toBe(300);
    await t.ports.db.kysely.transaction().execute((tx) => appendRecords(tx, t.ports, records(70, 300)));
    await t.log.flush();
    const cp = openCheckpoint((await get('/log/checkpoint')).body, vkey).checkpoint;
    expect(cp.size).toBe(370);

    const fetched = new Map<string, Uint8Array>();
    for (const tile of tilesForSize(cp.size)) {
      const path = formatTilePath(tile);
      const res = await get(`/log/${path}`);
      expect(res.statusCode, path).toBe(200);
      expect(res.headers['cache-control']).toBe(
        tile.width === 256 ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
      fetched.set(path, new Uint8Array(res.rawPayload));
    }
    expect([...fetched.keys()]).toEqual(['tile/0/000', 'tile/0/001.p/114', 'tile/1/000.p/1']);
    const reader = new TileHashReader(cp.size, (_t, path) => fetched.get(path));
    expect(Buffer.from(await treeHash(cp.size, reader))).toEqual(Buffer.from(cp.rootHash));

    const bundle = parseEntryBundle(new Uint8Array((await get('/log/tile/entries/001.p/114')).rawPayload));
    expect(bundle).toHaveLength(114);
    const tile0 = fetched.get('tile/0/001.p/114') as Uint8Array;
    expect(Buffer.from(leafHash(bundle[5] as Uint8Array))).toEqual(
      Buffer.from(tile0.subarray(5 * 32, 6 * 32)),
    );

    const entry = (await get('/log/entries/261')).json();
    const inc = (await get(`/log/proof/inclusion?index=261&size=${cp.size}`)).json();
    expect(
      verifyInclusion(
        leafHash(decodeBase64(entry.entry)),
        261,
        cp.size,
        inc.hashes.map((h: string) => decodeBase64(h)),
        cp.rootHash,
      ),
    ).toBe(true);
    const con = (await get(`/log/proof/consistency?from=300&to=${cp.size}`)).json();
    expect(
      verifyConsistency(
        300,
        cp.size,
        con.hashes.map((h: string) => decodeBase64(h)),
        first.rootHash,
        cp.rootHash,
      ),
    ).toBe(true);
  });

  it.each([
    ['/log/tile/0/1', 'LOG_MALFORMED'],
    ['/log/tile/0/001.p/0', 'LOG_MALFORMED'],
    ['/log/tile/0/x001/000', 'LOG_RANGE'],
    ['/log/tile/0/001', 'LOG_RANGE'],
    ['/log/tile/entries/002.p/5', 'LOG_RANGE'],
    ['/log/tile/0/abc', 'LOG_MALFORMED'],
    ['/log/proof/inclusion?index=5&size=999999', 'LOG_RANGE'],
    ['/log/proof/inclusion?index=370&size=370', 'LOG_RANGE'],
    ['/log/proof/consistency?from=9&to=3', 'LOG_RANGE'],
    ['/log/proof/consistency?from=-1&to=3', 'VALIDATION_FAILED'],
    ['/log/proof/inclusion?index=1&size=18446744073709551616', 'VALIDATION_FAILED'],
    ['/log/entries/370', 'LOG_RANGE'],
    ['/log/entries/abc', 'VALIDATION_FAILED'],
  ])('%s is a 400 with code %s', async (url, code) => {
    const res = await get(url);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe(code);
  });

  it('never serves a file for a path-traversal tile path', async () => {
    for (const url of [
      '/log/tile/../../etc/passwd',
      '/log/tile/%2e%2e/%2e%2e/etc/passwd',
      '/log/tile/0/..%2f..%2fpasswd',
    ]) {
      const res = await get(url);
      expect([400, 404]).toContain(res.statusCode);
      expect(res.json().error.code).toMatch(/^(NOT_FOUND|LOG_MALFORMED)$/);
    }
  });

  it('gives a C2SP tlog-proof receipt for a record the caller may read, verifiable offline', async () => {
    await t.ports.db.kysely.transaction().execute((tx) => appendRecords(tx, t.ports, records(1, 1000)));
    const pending = t.app.inject({
      method: 'GET',
      url: '/api/records/test:1000/receipt',
      headers: bearer(t.adminToken),
    });
    await t.log.flush();
    const res = await pending;
    expect(res.statusCode).toBe(200);
    const proof = parseProof(res.body);
    const leaf = decodeBase64((await get(`/log/entries/${proof.index}`)).json().entry);
    const vkey = parseNoteVerifier((await get('/log/key')).body.trim());
    expect(verifyProof(res.body, leaf, vkey).ok).toBe(true);
    const tampered = new Uint8Array(leaf);
    tampered[10] = (tampered[10] ?? 0) ^ 1;
    expect(verifyProof(res.body, tampered, vkey).ok).toBe(false);
    const none = await t.app.inject({
      method: 'GET',
      url: '/api/records/nope/receipt',
      headers: bearer(t.adminToken),
    });
    expect(none.statusCode).toBe(404);
    const anon = await get('/api/records/test:1000/receipt');
    expect(anon.statusCode).toBe(401);
  });

  it('requires a token for the log when CUSTOS_LOG_PUBLIC=0', async () => {
    const closed = await createTestApp(dialect, { env: { CUSTOS_LOG_PUBLIC: '0' } });
    try {
      await closed.log.flush();
      expect((await closed.app.inject({ method: 'GET', url: '/log/checkpoint' })).statusCode).toBe(401);
      const ok = await closed.app.inject({
        method: 'GET',
        url: '/log/checkpoint',
        headers: bearer(closed.adminToken),
      });
      expect(ok.statusCode).toBe(200);
    } finally {
      await closed.close();
    }
  });
});

describe('witnessing: node A cosigns node B (sqlite)', () => {
  const seedB = new Uint8Array(32).fill(11);
  const keyB = generateSignerKey('b.test/log', seedB);
  let a: TestApp;
  let b: TestApp;
  let urlA: string;
  beforeAll(async () => {
    a = await createTestApp('sqlite', {
      env: { CUSTOS_LOG_ORIGIN: 'a.test/log', CUSTOS_WITNESSED_LOGS: keyB.vkey },
    });
    urlA = await a.app.listen({ port: 0, host: '127.0.0.1' });
    b = await createTestApp('sqlite', {
      env: {
        CUSTOS_LOG_ORIGIN: 'b.test/log',
        CUSTOS_WITNESSES: `${urlA}/log/witness|${a.log.keys.witnessVkey}`,
        CUSTOS_WITNESS_QUORUM: '1',
      },
      prepare: (dir) => writeFileSync(join(dir, 'log.key'), `${keyB.skey}\n`, { mode: 0o600 }),
    });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('submits each checkpoint and serves it with the witness cosignature', async () => {
    await b.ports.db.kysely.transaction().execute((tx) => appendRecords(tx, b.ports, records(5, 0)));
    await b.log.flush();
    await b.ports.db.kysely.transaction().execute((tx) => appendRecords(tx, b.ports, records(5, 5)));
    await b.log.flush();
    const note = (await b.app.inject({ method: 'GET', url: '/log/checkpoint' })).body;
    const witness = parseVerifier(a.log.keys.witnessVkey);
    const opened = openNote(note, [parseNoteVerifier(keyB.vkey), witness]);
    expect(opened.sigs.filter((s) => s.verified).map((s) => s.name)).toEqual([
      'b.test/log',
      'a.test/log/witness',
    ]);
    const rec = await b.app.inject({
      method: 'GET',
      url: '/api/records/test:7/receipt',
      headers: bearer(b.adminToken),
    });
    const leaf = decodeBase64((await b.app.inject({ method: 'GET', url: '/log/entries/7' })).json().entry);
    const v = verifyProof(rec.body, leaf, parseNoteVerifier(keyB.vkey), { witnesses: [witness], quorum: 1 });
    expect(v.ok).toBe(true);
    expect(v.witnessesVerified).toBe(1);
  });

  it('publishes its witnesses and quorum, with which a verifier checks the cosignature', async () => {
    const r = await b.app.inject({ method: 'GET', url: '/log/witnesses' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      quorum: 1,
      witnesses: [{ url: `${urlA}/log/witness`, vkey: a.log.keys.witnessVkey }],
    });
    const { witnesses, quorum } = r.json() as { quorum: number; witnesses: { vkey: string }[] };
    const rec = await b.app.inject({
      method: 'GET',
      url: '/api/records/test:7/receipt',
      headers: bearer(b.adminToken),
    });
    const leaf = decodeBase64((await b.app.inject({ method: 'GET', url: '/log/entries/7' })).json().entry);
    const v = verifyProof(rec.body, leaf, parseNoteVerifier(keyB.vkey), {
      witnesses: witnesses.map((w) => parseVerifier(w.vkey)),
      quorum,
    });
    expect(v).toMatchObject({ ok: true, witnessesVerified: 1, quorum: 1 });
    // a node without witnesses says so: an empty list and quorum 0
    const none = await a.app.inject({ method: 'GET', url: '/log/witnesses' });
    expect(none.json()).toEqual({ quorum: 0, witnesses: [] });
  });

  it('answers the status codes of tlog-witness', async () => {
    const post = (body: string) => fetch(`${urlA}/log/witness/add-checkpoint`, { method: 'POST', body });
    const signerB = createNoteSigner('b.test/log', seedB);
    const cpB = (size: number, root: Uint8Array) =>
      signCheckpoint({ origin: 'b.test/log', size, rootHash: root, extensions: [] }, [signerB]);
    expect((await post('garbage')).status).toBe(400);
    const stranger = generateSignerKey('c.test/log', new Uint8Array(32).fill(3));
    const cpC = signCheckpoint(
      { origin: 'c.test/log', size: 1, rootHash: new Uint8Array(32), extensions: [] },
      [createNoteSigner('c.test/log', new Uint8Array(32).fill(3))],
    );
    expect(stranger.vkey).toContain('c.test/log');
    expect(
      (await post(formatAddCheckpointRequest({ oldSize: 0, proof: [], checkpointNote: cpC }))).status,
    ).toBe(404);
    const forged = signCheckpoint(
      { origin: 'b.test/log', size: 99, rootHash: new Uint8Array(32), extensions: [] },
      [createNoteSigner('b.test/log', new Uint8Array(32).fill(12))],
    );
    expect(
      (await post(formatAddCheckpointRequest({ oldSize: 0, proof: [], checkpointNote: forged }))).status,
    ).toBe(403);
    const stale = await post(
      formatAddCheckpointRequest({ oldSize: 3, proof: [], checkpointNote: cpB(20, new Uint8Array(32)) }),
    );
    expect(stale.status).toBe(409);
    expect(stale.headers.get('content-type')).toBe('text/x.tlog.size');
    expect(await stale.text()).toBe('10\n');
    const bad = await post(
      formatAddCheckpointRequest({
        oldSize: 10,
        proof: [new Uint8Array(32)],
        checkpointNote: cpB(20, new Uint8Array(32)),
      }),
    );
    expect(bad.status).toBe(422);
    expect(
      (
        await post(
          formatAddCheckpointRequest({ oldSize: 20, proof: [], checkpointNote: cpB(10, new Uint8Array(32)) }),
        )
      ).status,
    ).toBe(400);
  });
});
