import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNoteVerifier } from '../../src/log/index.js';
import { auditStore } from '../../src/services/audit.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';

/**
 * Institutional roles (issue 19 item 3, decision 0036): which institution of a state holds which
 * duty, set by the state's administrators, versioned and logged; notifications about an
 * obligation go to the users of the institutions holding its duty.
 */
describe.each(testDialects())('institutional roles (%s)', (dialect) => {
  let t: TestApp;
  let operatorToken: string;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    const admin = bearer(t.adminToken);
    const org = await t.app.inject({
      method: 'POST',
      url: '/api/organisations',
      headers: admin,
      payload: { id: 'xa-fuelco', name: 'Arcadian Fuel Company', kind: 'operator', state: 'XA' },
    });
    expect(org.statusCode).toBe(201);
    const u = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: admin,
      payload: {
        login: 'xa-fuelco.submitter',
        name: 'Fuel',
        organisation: 'xa-fuelco',
        roles: ['submitter'],
      },
    });
    expect(u.statusCode).toBe(201);
    const tok = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: admin,
      payload: { user: u.json().id, label: 'test' },
    });
    operatorToken = tok.json().token;
  });
  afterAll(async () => {
    await t.close();
  });
  const url = (s: string) => `/api/states/${s}/institutions`;
  const put = (login: string, state: string, body: Record<string, unknown>) =>
    t.app.inject({ method: 'PUT', url: url(state), headers: bearer(t.token(login)), payload: body });
  const get = (login: string, state: string, q = '') =>
    t.app.inject({ method: 'GET', url: `${url(state)}${q}`, headers: bearer(t.token(login)) });

  it('answers version 0 with no roles before any are set', async () => {
    const res = await get('xa-ssac.reviewer', 'XA');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'XA', version: 0, roles: [] });
  });

  it('a state administrator sets its own state’s roles, as a logged version the audit rebuilds', async () => {
    const res = await put('xa-ssac.admin', 'XA', {
      baseVersion: 0,
      roles: [
        { duty: 'submit-reports', organisation: 'xa-ssac', basis: 'INFCIRC/153 para 7' },
        { duty: 'receive-notices', organisation: 'xa-fuelco' },
        { duty: 'submit-declarations', organisation: 'xa-ssac' },
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.version).toBe(1);
    expect(body.logIndex).toBeGreaterThanOrEqual(0);
    expect(body.roles.map((r: { duty: string }) => r.duty)).toEqual([
      'receive-notices',
      'submit-declarations',
      'submit-reports',
    ]);
    const read = await get('agency.inspector', 'XA');
    expect(read.statusCode).toBe(200);
    expect(read.json().roles).toEqual(body.roles);
    await t.log.flush();
    const verifier = parseNoteVerifier(t.log.keys.vkey);
    expect((await auditStore(t.ports, verifier)).findings).toEqual([]);
    await t.ports.db.kysely
      .updateTable('institution_roles')
      .set({ organisation: 'xa-fuelco' })
      .where('state', '=', 'XA')
      .where('duty', '=', 'submit-declarations')
      .execute();
    const findings = (await auditStore(t.ports, verifier)).findings.map((f) => `${f.kind} ${f.where}`);
    expect(
      findings.some((f) => f.startsWith('record-changed') && f.includes('institution-roles:XA:v1')),
    ).toBe(true);
    await t.ports.db.kysely
      .updateTable('institution_roles')
      .set({ organisation: 'xa-ssac' })
      .where('state', '=', 'XA')
      .where('duty', '=', 'submit-declarations')
      .execute();
  });

  it('refuses what is not the caller’s to set, and bad roles all at once', async () => {
    expect((await put('xa-ssac.admin', 'XB', { roles: [] })).statusCode).toBe(404);
    expect((await put('xa-ssac.submitter', 'XA', { roles: [] })).statusCode).toBe(403);
    expect((await put('agency.admin', 'XA', { roles: [] })).statusCode).toBe(403);
    const res = await put('xa-ssac.admin', 'XA', {
      roles: [
        { duty: 'grant-access', organisation: 'xb-ssac' },
        { duty: 'grant-access', organisation: 'xa-ssac', basis: 'NO SUCH REF' },
        { duty: 'grant-access', organisation: 'xa-ssac' },
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.map((d: { field: string; code: string }) => [d.field, d.code])).toEqual([
      ['roles[0].organisation', 'UNKNOWN'],
      ['roles[1].basis', 'UNKNOWN'],
      ['roles[2]', 'DUPLICATE'],
    ]);
    expect((await put('xa-ssac.admin', 'XA', { baseVersion: 0, roles: [] })).statusCode).toBe(409);
    expect((await get('xa-ssac.reviewer', 'XA')).json().version).toBe(1);
    // Another state's roles are not the caller's to read.
    expect((await get('xa-ssac.reviewer', 'XB')).statusCode).toBe(404);
    expect((await get('xa-ssac.reviewer', 'XA', '?version=9')).statusCode).toBe(404);
  });

  it('an inspection notice goes to the institution that receives notices, a reminder to the one that submits', async () => {
    const sink = t.ports.events;
    const at = t.clock.now().toISOString();
    await sink.publish({
      type: 'inspection.notice',
      state: 'XA',
      organisation: null,
      at,
      data: { inspection: 'INS-roles-1', type: 'routine', inspectorates: ['agency'] },
    });
    await sink.publish({
      type: 'deadline.due-7d',
      state: 'XA',
      organisation: null,
      at,
      data: { obligation: 'o-roles-1', reportType: 'ICR', mba: 'XA-A', dueDate: '2026-01-30' },
    });
    // XB assigned no roles: its notices go to all its institutions, as before.
    await sink.publish({
      type: 'inspection.notice',
      state: 'XB',
      organisation: null,
      at,
      data: { inspection: 'INS-roles-2', type: 'routine', inspectorates: ['agency'] },
    });
    const audiences = Object.fromEntries(
      (
        await t.ports.db.kysely
          .selectFrom('events')
          .select(['data', 'audience'])
          .where('type', 'in', ['inspection.notice', 'deadline.due-7d'])
          .execute()
      ).map((r) => {
        const d = JSON.parse(r.data) as { inspection?: string; obligation?: string };
        return [d.inspection ?? d.obligation, JSON.parse(r.audience ?? 'null')];
      }),
    );
    expect(audiences['INS-roles-1']).toEqual(['agency', 'xa-fuelco']);
    expect(audiences['o-roles-1']).toEqual(['agency', 'rsa', 'xa-ssac']);
    expect(audiences['INS-roles-2']).toEqual(['agency', 'xb-ssac']);
    const inbox = async (token: string) =>
      (await t.app.inject({ method: 'GET', url: '/api/inbox', headers: bearer(token) }))
        .json()
        .items.map((i: { event: { type: string } }) => i.event.type);
    expect(await inbox(operatorToken)).toEqual(['inspection.notice']);
    const ssac = await inbox(t.token('xa-ssac.submitter'));
    expect(ssac).toContain('deadline.due-7d');
    expect(ssac).not.toContain('inspection.notice');
  });
});
