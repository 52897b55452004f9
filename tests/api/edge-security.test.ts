import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canSeeEvent } from '../../src/services/notifications/index.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';

/**
 * Issue 15 items 5, 6 and 10 (metrics): the browser-facing edge. Each case failed on the code
 * before: a cross-origin form post revoked a key, no answer carried a CSP, nosniff, frame-ancestors
 * or a referrer policy, the cookie was never Secure behind a TLS proxy, /metrics was always public.
 */
describe('the edge (sqlite)', () => {
  let t: TestApp;
  let cookie = '';
  beforeAll(async () => {
    t = await createTestApp('sqlite', { demo: true });
    const cred = t.demo.find((d) => d.login === 'xb-ssac.admin');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { login: cred?.login, password: cred?.password },
    });
    expect(res.statusCode, res.body).toBe(200);
    cookie = res.cookies.find((c) => c.name === 'custos_session')?.value ?? '';
  });
  afterAll(async () => {
    await t.close();
  });

  async function xbKey(): Promise<{ id: string; revokedAt: string | null }> {
    const keys = await t.app.inject({
      method: 'GET',
      url: '/api/organisations/xb-ssac/keys',
      cookies: { custos_session: cookie },
    });
    return (keys.json() as { items: { id: string; revokedAt: string | null }[] }).items[0] as {
      id: string;
      revokedAt: string | null;
    };
  }

  it('refuses a cookie-authenticated form post from another origin (CSRF): nothing changes', async () => {
    const key = await xbKey();
    const url = `/api/organisations/xb-ssac/keys/${encodeURIComponent(key.id)}/revoke`;
    const attempts: Record<string, string>[] = [
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
      {},
    ];
    for (const headers of attempts) {
      const res = await t.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        cookies: { custos_session: cookie },
        payload: 'x=1',
      });
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(res.json().error.code).toBe('CROSS_ORIGIN');
    }
    expect((await xbKey()).revokedAt).toBeNull();
    // Reads by cookie are not writes; bearer-token writes carry no ambient credential.
    const read = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      cookies: { custos_session: cookie },
    });
    expect(read.statusCode).toBe(200);
    const viaToken = await t.app.inject({
      method: 'POST',
      url: '/api/inbox/read',
      headers: { ...bearer(t.token('xb-ssac.admin')), origin: 'https://evil.example' },
      payload: { all: true },
    });
    expect(viaToken.statusCode).toBe(200);
  });

  it("accepts the app's own cookie writes: Sec-Fetch-Site same-origin, or its Origin", async () => {
    for (const headers of [{ 'sec-fetch-site': 'same-origin' }, { origin: 'http://localhost:80' }]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/inbox/read',
        headers,
        cookies: { custos_session: cookie },
        payload: { all: true },
      });
      expect(res.statusCode, JSON.stringify(headers)).toBe(200);
    }
  });

  it('sends CSP with frame-ancestors, nosniff and a referrer policy on the API and the app', async () => {
    for (const url of ['/api/me', '/healthz', '/api/no-such-route', '/log/checkpoint', '/']) {
      const res = await t.app.inject({ method: 'GET', url, headers: bearer(t.token('xa-ssac.reviewer')) });
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(String(res.headers['content-security-policy']), url).toContain("frame-ancestors 'none'");
      expect(String(res.headers['content-security-policy']), url).toContain("script-src 'self'");
      expect(res.headers['referrer-policy'], url).toBe('no-referrer');
      expect(res.headers['x-frame-options'], url).toBe('DENY');
    }
  });

  it('makes the session cookie Secure behind a TLS proxy only when told to trust it', async () => {
    const cred = t.demo.find((d) => d.login === 'xa-ssac.reviewer');
    const login = (app: TestApp) =>
      app.app.inject({
        method: 'POST',
        url: '/api/session',
        headers: { 'x-forwarded-proto': 'https' },
        payload: { login: cred?.login, password: cred?.password },
      });
    const direct = await login(t);
    expect(direct.cookies.find((c) => c.name === 'custos_session')?.secure).toBeFalsy();
    const proxied = await createTestApp('sqlite', {
      demo: true,
      env: { CUSTOS_TRUST_PROXY: '1' },
    });
    try {
      const c = proxied.demo.find((d) => d.login === 'xa-ssac.reviewer');
      const res = await proxied.app.inject({
        method: 'POST',
        url: '/api/session',
        headers: { 'x-forwarded-proto': 'https' },
        payload: { login: c?.login, password: c?.password },
      });
      expect(res.statusCode).toBe(200);
      expect(res.cookies.find((x) => x.name === 'custos_session')?.secure).toBe(true);
      expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    } finally {
      await proxied.close();
    }
  });

  it('protects /metrics with CUSTOS_METRICS_TOKEN when it is set', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    const secret = 'metrics-secret-0123456789';
    const closed = await createTestApp('sqlite', { env: { CUSTOS_METRICS_TOKEN: secret } });
    try {
      const anon = await closed.app.inject({ method: 'GET', url: '/metrics' });
      expect(anon.statusCode).toBe(401);
      expect(anon.json().error.code).toBe('UNAUTHENTICATED');
      const wrong = await closed.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: bearer(closed.adminToken),
      });
      expect(wrong.statusCode).toBe(401);
      const ok = await closed.app.inject({ method: 'GET', url: '/metrics', headers: bearer(secret) });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('custos_http_requests_total');
    } finally {
      await closed.close();
    }
  });

  it('sends auditors no inbox item and no stream event about a state, only what they may open', async () => {
    const opened = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: bearer(t.token('agency.inspector')),
      payload: { kind: 'question', state: 'XA', title: 'inbox audience' },
    });
    expect(opened.statusCode, opened.body).toBe(201);
    const inboxOf = async (login: string) =>
      (
        await t.app.inject({ method: 'GET', url: '/api/inbox?limit=500', headers: bearer(t.token(login)) })
      ).json() as { items: { event: { type: string; data: { case?: string } } }[] };
    const about = (login: string) =>
      inboxOf(login).then((b) => b.items.filter((i) => i.event.data.case === opened.json().id).length);
    expect(await about('xa-ssac.reviewer')).toBe(1);
    expect(await about('agency.inspector')).toBe(1);
    expect(await about('xa-ssac.auditor')).toBe(0);
    expect(await about('agency.auditor')).toBe(0);
    const auditor = {
      userId: 'u',
      login: 'agency.auditor',
      organisationId: 'agency',
      organisationKind: 'inspectorate' as const,
      state: null,
      roles: new Set(['auditor'] as const),
    };
    const event = {
      id: 1,
      type: 'case.opened',
      state: 'XA',
      organisation: null,
      at: '',
      data: {},
      audience: ['agency'],
    };
    expect(canSeeEvent(auditor, event)).toBe(false);
    expect(canSeeEvent({ ...auditor, roles: new Set(['inspector'] as const) }, event)).toBe(true);
    expect(canSeeEvent(auditor, { ...event, state: null, audience: null })).toBe(true);
  });

  it('reads at most 4 KiB on the unauthenticated session route', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { login: 'x', password: 'p'.repeat(100), pad: 'y'.repeat(64 * 1024) },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('BODY_TOO_LARGE');
  });

  it('lets a user list and revoke their own API tokens, not anyone else’s', async () => {
    const me = bearer(t.token('xa-ssac.reviewer'));
    const issued = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: me,
      payload: { label: 'ci robot' },
    });
    expect(issued.statusCode).toBe(201);
    const { id, token } = issued.json() as { id: string; token: string };
    const list = await t.app.inject({ method: 'GET', url: '/api/tokens', headers: me });
    expect(list.statusCode).toBe(200);
    const mine = list.json() as { id: string; label: string; revokedAt: string | null }[];
    expect(mine.find((x) => x.id === id)).toMatchObject({ label: 'ci robot', revokedAt: null });
    expect(list.body).not.toContain(token);
    // Another user neither sees nor revokes it (404, as a token that does not exist).
    const other = bearer(t.token('xb-ssac.reviewer'));
    expect((await t.app.inject({ method: 'GET', url: '/api/tokens', headers: other })).body).not.toContain(
      id,
    );
    const foreign = await t.app.inject({ method: 'POST', url: `/api/tokens/${id}/revoke`, headers: other });
    expect(foreign.statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: bearer(token) })).statusCode).toBe(
      200,
    );
    const revoked = await t.app.inject({ method: 'POST', url: `/api/tokens/${id}/revoke`, headers: me });
    expect(revoked.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: bearer(token) })).statusCode).toBe(
      401,
    );
    const after = (await t.app.inject({ method: 'GET', url: '/api/tokens', headers: me })).json() as {
      id: string;
      revokedAt: string | null;
    }[];
    expect(after.find((x) => x.id === id)?.revokedAt).not.toBeNull();
  });

  it('tells of an inspection only those who may open it: the state and the participants', async () => {
    const planned = await t.app.inject({
      method: 'POST',
      url: '/api/inspections',
      headers: bearer(t.token('agency.inspector')),
      payload: {
        participants: ['agency'],
        facility: 'XA-FAB',
        type: 'routine',
        startsAt: '2026-12-10T08:00:00Z',
        noticeGivenAt: '2026-11-28T09:00:00Z',
      },
    });
    expect(planned.statusCode, planned.body).toBe(201);
    const id = planned.json().id as string;
    const heard = async (login: string) =>
      (
        (
          await t.app.inject({ method: 'GET', url: '/api/inbox?limit=500', headers: bearer(t.token(login)) })
        ).json() as { items: { event: { data: { inspection?: string } } }[] }
      ).items.some((i) => i.event.data.inspection === id);
    const opens = async (login: string) =>
      (await t.app.inject({ method: 'GET', url: `/api/inspections/${id}`, headers: bearer(t.token(login)) }))
        .statusCode === 200;
    for (const login of [
      'xa-ssac.reviewer',
      'agency.inspector',
      'rsa.inspector',
      'xa-ssac.auditor',
      'agency.auditor',
    ])
      expect(await heard(login), login).toBe(await opens(login));
    expect(await heard('rsa.inspector')).toBe(false);
    expect(await heard('xa-ssac.reviewer')).toBe(true);
  });
});
