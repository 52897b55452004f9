import { createHash, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';

function rawPublicKey(): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return Buffer.from(jwk.x as string, 'base64url').toString('base64');
}

describe.each(testDialects())('registry API on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (url: string, body: unknown, token = t.adminToken) =>
    t.app.inject({ method: 'POST', url, headers: bearer(token), payload: body as object });
  const get = (url: string, token = t.adminToken) =>
    t.app.inject({ method: 'GET', url, headers: bearer(token) });

  it('answers health and metrics without a token', async () => {
    const h = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(h.statusCode).toBe(200);
    expect(h.json()).toEqual({ status: 'ok', database: dialect });
    const m = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(m.statusCode).toBe(200);
    expect(m.body).toContain('custos_http_requests_total');
  });

  it('refuses calls without a valid token with 401 and a code', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/api/states' });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('UNAUTHENTICATED');
    const bad = await get('/api/states', 'cst_not-a-real-token-at-all');
    expect(bad.statusCode).toBe(401);
  });

  it('creates, lists and reads every registry resource', async () => {
    expect((await post('/api/states', { code: 'XA', name: 'Arcadia' })).statusCode).toBe(201);
    expect((await post('/api/states', { code: 'XB', name: 'Borduria' })).statusCode).toBe(201);
    expect(
      (
        await post('/api/organisations', {
          id: 'xa-ssac',
          name: 'XA office',
          kind: 'state-authority',
          state: 'XA',
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (await post('/api/organisations', { id: 'agency', name: 'Agency', kind: 'inspectorate' })).statusCode,
    ).toBe(201);
    const ag = await post('/api/agreements', {
      id: 'CSA-XA',
      type: 'CSA',
      title: 'CSA',
      entryIntoForce: '2025-01-01',
      parties: [
        { kind: 'state', ref: 'XA' },
        { kind: 'organisation', ref: 'agency' },
      ],
    });
    expect(ag.statusCode).toBe(201);
    expect(ag.json().logIndex).toBeTypeOf('number');
    const fac = {
      code: 'XA-NPP',
      name: 'Plant',
      type: 'power-reactor',
      state: 'XA',
      latitude: 47.4,
      longitude: 8.2,
    };
    expect((await post('/api/facilities', fac)).statusCode).toBe(201);
    expect((await post('/api/mbas', { code: 'XA-R1', facility: 'XA-NPP' })).statusCode).toBe(201);
    const kmp = {
      code: 'A',
      mba: 'XA-R1',
      kind: 'flow',
      method: 'weighing',
      randomRsd: 0.003,
      systematicRsd: 0.001,
    };
    expect((await post('/api/kmps', kmp)).statusCode).toBe(201);
    expect((await post('/api/kmps', { ...kmp, code: 'D', kind: 'inventory' })).statusCode).toBe(201);

    expect((await get('/api/states')).json()).toEqual({
      items: [
        { code: 'XA', name: 'Arcadia' },
        { code: 'XB', name: 'Borduria' },
      ],
      total: 2,
      limit: 100,
      offset: 0,
    });
    expect((await get('/api/facilities/XA-NPP')).json()).toEqual(fac);
    expect((await get('/api/mbas/XA-R1')).json()).toMatchObject({
      code: 'XA-R1',
      facility: 'XA-NPP',
      state: 'XA',
    });
    const kmps = (await get('/api/kmps?mba=XA-R1')).json();
    expect(kmps.items.map((k: { code: string }) => k.code)).toEqual(['A', 'D']);
    expect((await get('/api/kmps/XA-R1:A')).json()).toEqual(kmp);
    expect((await get('/api/agreements/CSA-XA')).json().parties).toHaveLength(2);
    expect((await get('/api/organisations?kind=inspectorate')).json().items).toEqual([
      { id: 'agency', name: 'Agency', kind: 'inspectorate', state: null },
    ]);
  });

  it('refuses duplicates, unknown references, unknown fields and malformed JSON with codes', async () => {
    const dup = await post('/api/states', { code: 'XA', name: 'Again' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('ALREADY_EXISTS');
    const ref = await post('/api/facilities', {
      code: 'ZZ-1',
      name: 'x',
      type: 'storage',
      state: 'ZZ',
      latitude: 0,
      longitude: 0,
    });
    expect(ref.statusCode).toBe(422);
    expect(ref.json().error.code).toBe('UNKNOWN_REFERENCE');
    const unknown = await post('/api/states', { code: 'XC', name: 'C', colour: 'red' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('VALIDATION_FAILED');
    expect(unknown.json().error.details[0].code).toBe('FIELD_UNKNOWN');
    const wrong = await post('/api/kmps', {
      code: 'B',
      mba: 'XA-R1',
      kind: 'both',
      method: 'm',
      randomRsd: 2,
      systematicRsd: 0,
    });
    expect(wrong.statusCode).toBe(400);
    expect(
      wrong
        .json()
        .error.details.map((d: { field: string }) => d.field)
        .sort(),
    ).toEqual(['body.kind', 'body.randomRsd']);
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/api/states',
      headers: { ...bearer(t.adminToken), 'content-type': 'application/json' },
      payload: '{"code": "XD", ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('BAD_REQUEST');
    const badQuery = await get('/api/kmps?colour=red');
    expect(badQuery.statusCode).toBe(400);
    expect((await get('/api/states/ZZ')).statusCode).toBe(404);
  });

  it('answers 413 with a code for a body over the limit', async () => {
    const big = { code: 'XE', name: 'x'.repeat(65 * 1024 * 1024) };
    const res = await post('/api/states', big);
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('BODY_TOO_LARGE');
  });

  it('registers signing keys with the SHA-256 key id and lists them', async () => {
    const publicKey = rawPublicKey();
    const res = await post('/api/organisations/xa-ssac/keys', {
      publicKey,
      validFrom: '2026-01-01T00:00:00Z',
    });
    expect(res.statusCode).toBe(201);
    const id = createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('hex').slice(0, 16);
    expect(res.json()).toMatchObject({ id, organisation: 'xa-ssac', publicKey, revokedAt: null });
    const list = (await get('/api/organisations/xa-ssac/keys')).json().items;
    expect(list.map((k: { id: string }) => k.id)).toEqual([id]);
    const bad = await post('/api/organisations/xa-ssac/keys', {
      publicKey: Buffer.alloc(31).toString('base64').padEnd(44, 'A'),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('KEY_INVALID');
    const revoked = await post(`/api/organisations/xa-ssac/keys/${id}/revoke`, {});
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revokedAt).not.toBeNull();
  });

  it('creates users and tokens; a token is shown once and works', async () => {
    const u = await post('/api/users', {
      login: 'xa.reviewer',
      name: 'Reviewer',
      organisation: 'xa-ssac',
      roles: ['reviewer'],
      password: 'correct horse battery',
    });
    expect(u.statusCode).toBe(201);
    const tok = await post('/api/tokens', { user: u.json().id, label: 'ci' });
    expect(tok.statusCode).toBe(201);
    const token = tok.json().token as string;
    expect((await get('/api/me', token)).json()).toMatchObject({
      login: 'xa.reviewer',
      state: 'XA',
      roles: ['reviewer'],
    });
    // The reviewer sees its own state's facility and is refused registry writes.
    expect((await get('/api/facilities/XA-NPP', token)).statusCode).toBe(200);
    expect((await post('/api/states', { code: 'XF', name: 'F' }, token)).statusCode).toBe(403);
  });

  it('logs in with a password and uses the HttpOnly session cookie', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { login: 'xa.reviewer', password: 'wrong password' },
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe('INVALID_CREDENTIALS');
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { login: 'xa.reviewer', password: 'correct horse battery' },
    });
    expect(ok.statusCode).toBe(200);
    const cookie = ok.cookies.find((c) => c.name === 'custos_session');
    expect(cookie?.httpOnly).toBe(true);
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      cookies: { custos_session: cookie?.value ?? '' },
    });
    expect(me.json().login).toBe('xa.reviewer');
    // A browser marks its own page's requests; a cookie write without that is refused (CSRF).
    const out = await t.app.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { 'sec-fetch-site': 'same-origin' },
      cookies: { custos_session: cookie?.value ?? '' },
    });
    expect(out.statusCode).toBe(204);
    const after = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      cookies: { custos_session: cookie?.value ?? '' },
    });
    expect(after.statusCode).toBe(401);
  });

  it('documents every route in OpenAPI 3.1', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    for (const path of [
      '/api/states',
      '/api/kmps',
      '/api/organisations/{id}/keys',
      '/api/tokens',
      '/healthz',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/docs/' })).statusCode).toBe(200);
  });
});
