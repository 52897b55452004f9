import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';

/**
 * The access-control matrix of the foundation issue on the demo world: each role × own / other
 * state × read / write. XA and XB are in the regional community (rsa sees both); the agency has
 * agreements in force with all three states.
 */
const READS: { url: string; state: string }[] = [
  { url: '/api/mbas/XA-R1', state: 'XA' },
  { url: '/api/facilities/XB-ENR', state: 'XB' },
  { url: '/api/kmps/XC-R1:A', state: 'XC' },
];

// login → expected status for each of READS, in order
const expectedRead: Record<string, number[]> = {
  'xa-ssac.admin': [200, 404, 404],
  'xa-ssac.submitter': [200, 404, 404],
  'xa-ssac.reviewer': [200, 404, 404],
  'xa-ssac.auditor': [403, 403, 403],
  'xb-ssac.reviewer': [404, 200, 404],
  'agency.inspector': [200, 200, 200],
  'agency.reviewer': [200, 200, 200],
  'agency.auditor': [403, 403, 403],
  'rsa.inspector': [200, 200, 404],
  'rsa.reviewer': [200, 200, 404],
};

describe.each(testDialects())('access policy on the demo world (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(Object.keys(expectedRead))('%s reads only what its scope allows', async (login) => {
    const got: number[] = [];
    for (const r of READS) {
      got.push(
        (await t.app.inject({ method: 'GET', url: r.url, headers: bearer(t.token(login)) })).statusCode,
      );
    }
    expect(got).toEqual(expectedRead[login]);
  });

  it('lists are filtered to the scope, never 404', async () => {
    const codes = async (login: string) =>
      (await t.app.inject({ method: 'GET', url: '/api/mbas', headers: bearer(t.token(login)) }))
        .json()
        .items.map((m: { code: string }) => m.code);
    expect(await codes('xa-ssac.reviewer')).toEqual(['XA-F1', 'XA-R1', 'XA-S1']);
    expect(await codes('rsa.inspector')).toEqual(['XA-F1', 'XA-R1', 'XA-S1', 'XB-E1', 'XB-F1']);
    expect(await codes('agency.inspector')).toHaveLength(6);
  });

  it('writes: facilities by inspectorate admins in scope only; registry by the node admin only', async () => {
    const fac = (code: string, state: string) => ({
      code,
      name: 'New',
      type: 'storage',
      state,
      latitude: 1,
      longitude: 1,
    });
    const post = (login: string, url: string, body: object) =>
      t.app.inject({ method: 'POST', url, headers: bearer(t.token(login)), payload: body });
    expect((await post('xa-ssac.admin', '/api/facilities', fac('XA-NEW', 'XA'))).statusCode).toBe(403);
    expect((await post('xa-ssac.submitter', '/api/facilities', fac('XA-NEW', 'XA'))).statusCode).toBe(403);
    expect((await post('agency.inspector', '/api/facilities', fac('XA-NEW', 'XA'))).statusCode).toBe(403);
    expect((await post('rsa.admin', '/api/facilities', fac('XC-NEW', 'XC'))).statusCode).toBe(404);
    expect((await post('rsa.admin', '/api/facilities', fac('XA-NEW', 'XA'))).statusCode).toBe(201);
    expect((await post('agency.admin', '/api/states', { code: 'XQ', name: 'Q' })).statusCode).toBe(403);
    expect(
      (await post('xa-ssac.admin', '/api/organisations', { id: 'o', name: 'o', kind: 'inspectorate' }))
        .statusCode,
    ).toBe(403);
  });

  it('organisation admins manage their own keys and users, and nobody else’s (404)', async () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const own = await t.app.inject({
      method: 'POST',
      url: '/api/organisations/xa-ssac/keys',
      headers: bearer(t.token('xa-ssac.admin')),
      payload: { publicKey: key },
    });
    expect(own.statusCode).toBe(201);
    const other = await t.app.inject({
      method: 'POST',
      url: '/api/organisations/xb-ssac/keys',
      headers: bearer(t.token('xa-ssac.admin')),
      payload: { publicKey: Buffer.alloc(32, 8).toString('base64') },
    });
    expect(other.statusCode).toBe(404);
    const notAdmin = await t.app.inject({
      method: 'POST',
      url: '/api/organisations/xa-ssac/keys',
      headers: bearer(t.token('xa-ssac.submitter')),
      payload: { publicKey: Buffer.alloc(32, 9).toString('base64') },
    });
    expect(notAdmin.statusCode).toBe(403);
    const users = await t.app.inject({
      method: 'GET',
      url: '/api/organisations/xb-ssac/users',
      headers: bearer(t.token('xa-ssac.admin')),
    });
    expect(users.statusCode).toBe(404);
  });

  it('every demo user can log in to the web app with its password', async () => {
    const c = t.demo.find((d) => d.login === 'agency.inspector');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { login: c?.login, password: c?.password },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      organisation: 'agency',
      organisationKind: 'inspectorate',
      roles: ['inspector'],
    });
  });
});
