import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_CODES, ERROR_CODES } from '../../src/domain/errors.js';
import { isPublicAddress } from '../../src/domain/notifications/index.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';

/**
 * The hostile suite's classes from issue 15 (items 1, 3, 5, 6): cross-origin writes riding on
 * the session cookie, webhook targets that reach inside, record ids from every role, and the
 * security headers on whatever comes back. Bounded like hostile.test.ts (CUSTOS_FUZZ_RUNS).
 */
const RUNS = Number(process.env.CUSTOS_FUZZ_RUNS ?? 60);
const counted = { csrf: 0, webhookTargets: 0, recordIds: 0, addresses: 0, fiveHundreds: 0 };

function expectHandled(res: LightMyRequestResponse, where: string): void {
  if (res.statusCode >= 500) counted.fiveHundreds++;
  expect(res.statusCode, `${where}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
  // Whatever the answer, the browser-facing headers are on it (item 6).
  expect(res.headers['x-content-type-options'], where).toBe('nosniff');
  expect(String(res.headers['content-security-policy']), where).toContain("frame-ancestors 'none'");
  if (res.statusCode >= 400) {
    const error = (JSON.parse(res.body) as { error?: { code?: string; details?: { code?: string }[] } })
      .error;
    expect(ERROR_CODES, where).toContain(error?.code);
    for (const d of error?.details ?? []) expect(DETAIL_CODES, where).toContain(d.code);
  }
}

const v4 = (a: number, b: number, c: number, d: number) => `${a}.${b}.${c}.${d}`;
const octet = fc.integer({ min: 0, max: 255 });
/** An address in one of the ranges a webhook may never reach, in the forms a URL can carry. */
const privateHost = fc.oneof(
  fc.tuple(octet, octet, octet).map(([b, c, d]) => v4(10, b, c, d)),
  fc.tuple(octet, octet, octet).map(([b, c, d]) => v4(127, b, c, d)),
  fc.tuple(fc.integer({ min: 16, max: 31 }), octet, octet).map(([b, c, d]) => v4(172, b, c, d)),
  fc.tuple(octet, octet).map(([c, d]) => v4(192, 168, c, d)),
  fc.tuple(octet, octet).map(([c, d]) => v4(169, 254, c, d)),
  fc.tuple(fc.integer({ min: 64, max: 127 }), octet, octet).map(([b, c, d]) => v4(100, b, c, d)),
  fc.tuple(fc.integer({ min: 224, max: 255 }), octet, octet, octet).map(([a, b, c, d]) => v4(a, b, c, d)),
  fc.tuple(octet, octet, octet).map(([b, c, d]) => v4(0, b, c, d)),
  fc.tuple(octet, octet).map(([c, d]) => `[::ffff:${v4(127, 0, c, d)}]`),
  fc.tuple(octet, octet).map(([c, d]) => `[::ffff:${v4(10, 1, c, d)}]`),
  fc.integer({ min: 0, max: 0xffff }).map((x) => `[fd00::${x.toString(16)}]`),
  fc.integer({ min: 0, max: 0xffff }).map((x) => `[fe80::${x.toString(16)}]`),
  fc.integer({ min: 0, max: 0xffff }).map((x) => `[ff02::${x.toString(16)}]`),
  fc.constantFrom(
    '[::1]',
    '[::]',
    'localhost',
    'LOCALHOST.',
    'api.localhost',
    '2130706433', // 127.0.0.1 as one number; the URL parser makes it 127.0.0.1
    '0x7f.0.0.1',
    '017700000001',
    '127.1',
    '[::ffff:7f00:1]',
    '[64:ff9b::a9fe:a9fe]',
  ),
);

describe('hostile input at the edge (sqlite)', () => {
  let t: TestApp;
  let cookie = '';
  let internalRecord = '';
  beforeAll(async () => {
    t = await createTestApp('sqlite', { demo: true });
    const cred = t.demo.find((d) => d.login === 'xa-ssac.admin');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { login: cred?.login, password: cred?.password },
    });
    cookie = res.cookies.find((c) => c.name === 'custos_session')?.value ?? '';
    const opened = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: bearer(t.token('agency.inspector')),
      payload: { kind: 'question', state: 'XA', title: 'hostile', note: 'internal reasoning' },
    });
    internalRecord = `case-transition:${opened.json().id}:0`;
    await t.log.flush();
  });
  afterAll(async () => {
    await t.close();
    console.info(`hostile edge: ${JSON.stringify(counted)}`);
  });

  it('a cookie write from anywhere but the app itself is 403 CROSS_ORIGIN, whatever the route and body', async () => {
    const writes: [string, string][] = [
      ['POST', '/api/organisations/xa-ssac/keys/nokey/revoke'],
      ['POST', '/api/webhooks'],
      ['POST', '/api/tokens'],
      ['POST', '/api/inbox/read'],
      ['DELETE', '/api/session'],
      ['PUT', '/api/me/locale'],
      ['POST', '/api/reports'],
      ['POST', '/api/cases'],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...writes),
        fc.option(
          fc.constantFrom('https://evil.example', 'null', 'http://localhost:8080', 'http://localhost'),
          {
            nil: undefined,
          },
        ),
        fc.option(fc.constantFrom('cross-site', 'same-site', 'none', 'Same-Origin', ''), { nil: undefined }),
        fc.constantFrom(
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'text/plain',
          'application/json',
        ),
        fc.string({ maxLength: 100 }),
        async ([method, url], origin, site, type, payload) => {
          counted.csrf++;
          const headers: Record<string, string> = { 'content-type': type };
          if (origin !== undefined) headers.origin = origin;
          if (site !== undefined) headers['sec-fetch-site'] = site;
          const res = await t.app.inject({
            method: method as 'POST',
            url,
            headers,
            cookies: { custos_session: cookie },
            payload,
          });
          expectHandled(res, `${method} ${url} ${JSON.stringify(headers)}`);
          expect(res.statusCode).toBe(403);
          expect(res.json().error.code).toBe('CROSS_ORIGIN');
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('no webhook target on a private, loopback, link-local or mapped address is accepted', async () => {
    await fc.assert(
      fc.asyncProperty(
        privateHost,
        fc.constantFrom('https', 'http'),
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        async (host, scheme, port) => {
          counted.webhookTargets++;
          const url = `${scheme}://${host}${port === undefined ? '' : `:${port}`}/hook`;
          const res = await t.app.inject({
            method: 'POST',
            url: '/api/webhooks',
            headers: bearer(t.token('xa-ssac.admin')),
            payload: { url },
          });
          expectHandled(res, `webhook ${url}`);
          expect(res.statusCode, url).toBe(400);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('record ids from every role: 4xx with a code or the record, never 5xx, never a hidden one', async () => {
    const logins = t.demo.map((d) => d.login);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...logins),
        fc.oneof(
          fc.string({ maxLength: 120 }),
          fc.constantFrom(
            internalRecord,
            'case-transition:x:0',
            'sampling-draw:',
            'key:',
            'agreement:CSA-XA',
          ),
          fc.string({ maxLength: 20 }).map((s) => `${internalRecord.slice(0, -1)}${s}`),
        ),
        fc.boolean(),
        async (login, id, receipt) => {
          counted.recordIds++;
          const url = `/api/records/${encodeURIComponent(id)}${receipt ? '/receipt' : ''}`;
          const res = await t.app.inject({ method: 'GET', url, headers: bearer(t.token(login)) });
          expectHandled(res, `${login} GET ${url}`);
          // The opening's internal note is the owning inspectorate's alone.
          if (id === internalRecord && !/^agency\.(inspector|reviewer|admin)$/.test(login))
            expect(res.statusCode, `${login} ${url}`).toBe(404);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('the address rule never throws and judges an IPv4-mapped address as its IPv4 address', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        counted.addresses++;
        expect(typeof isPublicAddress(s)).toBe('boolean');
      }),
      { numRuns: RUNS * 10 },
    );
    fc.assert(
      fc.property(octet, octet, octet, octet, (a, b, c, d) => {
        counted.addresses++;
        const ip = v4(a, b, c, d);
        expect(isPublicAddress(`::ffff:${ip}`)).toBe(isPublicAddress(ip));
        expect(isPublicAddress(`64:ff9b::${ip}`)).toBe(isPublicAddress(ip));
      }),
      { numRuns: RUNS * 10 },
    );
  });
});
