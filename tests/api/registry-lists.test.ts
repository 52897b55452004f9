import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { runCli } from '../fixtures/cli.js';
import { testDialects } from '../fixtures/db.js';

/**
 * Every registry list pages, sorts and filters on the server (issue 8: "tables that sort, filter
 * and page on the server"; docs/decisions/0007). Checked on the demo world: walking the pages of
 * every sort gives exactly the whole list in that order, the total counts what the filters and
 * the caller's scope leave, and a bad parameter is a 400 with a code.
 */
type Row = Record<string, unknown>;
interface Page {
  items: Row[];
  total: number;
  limit: number;
  offset: number;
}

/** Each list, its sortable fields and the fields that make a row unique (the natural order). */
const LISTS: { url: string; sorts: string[]; natural: string[] }[] = [
  { url: '/api/states', sorts: ['code', 'name'], natural: ['code'] },
  { url: '/api/organisations', sorts: ['id', 'name', 'kind', 'state'], natural: ['id'] },
  {
    url: '/api/agreements',
    sorts: ['id', 'type', 'title', 'entryIntoForce', 'status'],
    natural: ['id'],
  },
  {
    url: '/api/facilities',
    sorts: ['code', 'name', 'type', 'state', 'latitude', 'longitude'],
    natural: ['code'],
  },
  {
    url: '/api/mbas',
    sorts: ['code', 'facility', 'facilityName', 'state', 'description', 'itemMba'],
    natural: ['code'],
  },
  {
    url: '/api/kmps',
    sorts: ['mba', 'code', 'kind', 'method', 'randomRsd', 'systematicRsd'],
    natural: ['mba', 'code'],
  },
  { url: '/api/organisations/agency/keys', sorts: ['id', 'validFrom', 'validTo', 'revokedAt'], natural: [] },
  { url: '/api/organisations/agency/users', sorts: ['login', 'name'], natural: ['login'] },
];

/** The order the server promises: the field (nulls last), then the natural order. */
function compareBy(field: string, desc: boolean, natural: string[]) {
  const key = (v: unknown) => (typeof v === 'boolean' ? Number(v) : v);
  const cmp = (a: unknown, b: unknown) => {
    const x = key(a);
    const y = key(b);
    return x === y ? 0 : (x as string | number) < (y as string | number) ? -1 : 1;
  };
  return (a: Row, b: Row) => {
    const x = a[field] ?? null;
    const y = b[field] ?? null;
    if ((x === null) !== (y === null)) return x === null ? 1 : -1;
    const c = x === null ? 0 : cmp(x, y) * (desc ? -1 : 1);
    if (c !== 0) return c;
    for (const n of natural) {
      const d = cmp(a[n], b[n]);
      if (d !== 0) return d;
    }
    return 0;
  };
}

describe.each(testDialects())('registry lists page, sort and filter on the server (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    // A second agency key (revoked), so the keys list has two rows and a null to sort. Registered a
    // minute after the demo key: on the same instant the natural order would fall back to the ids.
    t.clock.advance(60_000);
    const key = Buffer.alloc(32, 11).toString('base64');
    const reg = await t.app.inject({
      method: 'POST',
      url: '/api/organisations/agency/keys',
      headers: bearer(t.adminToken),
      payload: { publicKey: key, validFrom: '2020-01-01T00:00:00Z', validTo: '2030-01-01T00:00:00Z' },
    });
    expect(reg.statusCode).toBe(201);
    const revoke = await t.app.inject({
      method: 'POST',
      url: `/api/organisations/agency/keys/${reg.json().id}/revoke`,
      headers: bearer(t.adminToken),
    });
    expect(revoke.statusCode).toBe(200);
  });
  afterAll(async () => {
    await t.close();
  });

  const get = async (url: string, token = t.adminToken) => {
    const res = await t.app.inject({ method: 'GET', url, headers: bearer(token) });
    return res;
  };
  const page = async (url: string, token = t.adminToken): Promise<Page> => {
    const res = await get(url, token);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Page;
  };
  const join = (url: string, q: string) => `${url}${url.includes('?') ? '&' : '?'}${q}`;

  it.each(LISTS)('$url: pages of 2 in every sort add up to the whole list in that order', async (l) => {
    const all = await page(join(l.url, 'limit=1000'));
    expect(all.total).toBe(all.items.length);
    expect(all.total).toBeGreaterThanOrEqual(2);
    for (const field of l.sorts) {
      for (const desc of [false, true]) {
        const sort = `${desc ? '-' : ''}${field}`;
        const walked: Row[] = [];
        for (let offset = 0; offset < all.total; offset += 2) {
          const p = await page(join(l.url, `sort=${sort}&limit=2&offset=${offset}`));
          expect(p).toMatchObject({ total: all.total, limit: 2, offset });
          expect(p.items.length).toBe(Math.min(2, all.total - offset));
          walked.push(...p.items);
        }
        const natural = l.natural.length ? l.natural : ['id'];
        expect(walked, sort).toEqual([...all.items].sort(compareBy(field, desc, natural)));
      }
    }
    // Past the end: an empty page that still tells the total.
    expect(await page(join(l.url, `offset=${all.total + 5}`))).toMatchObject({ items: [], total: all.total });
  });

  it('without sort a list keeps its former order (codes, ids, logins; keys by registration)', async () => {
    const codes = (p: Page, f: string) => p.items.map((r) => String(r[f]));
    const sorted = (xs: string[]) => [...xs].sort();
    for (const [url, f] of [
      ['/api/states', 'code'],
      ['/api/organisations', 'id'],
      ['/api/agreements', 'id'],
      ['/api/facilities', 'code'],
      ['/api/mbas', 'code'],
      ['/api/organisations/agency/users', 'login'],
    ] as const) {
      const p = await page(url);
      expect(p.limit).toBe(100);
      expect(codes(p, f), url).toEqual(sorted(codes(p, f)));
    }
    const keys = await page('/api/organisations/agency/keys');
    expect(keys.items.at(-1)?.revokedAt).not.toBeNull();
  });

  it('q filters case-insensitively over the text columns, with % and _ taken literally', async () => {
    const all = await page('/api/facilities?limit=1000');
    const target = all.items[0] as { code: string; name: string };
    const word = target.name.split(' ')[0] as string;
    const byName = await page(`/api/facilities?q=${encodeURIComponent(word.toUpperCase())}`);
    const expected = all.items.filter(
      (f) =>
        String(f.name).toLowerCase().includes(word.toLowerCase()) ||
        String(f.code).toLowerCase().includes(word.toLowerCase()),
    );
    expect(byName.total).toBe(expected.length);
    expect(byName.items.map((f) => f.code)).toEqual(expected.map((f) => f.code));
    expect((await page('/api/facilities?q=%25')).total).toBe(0);
    expect((await page('/api/facilities?q=_')).total).toBe(0);
    // MBAs also match on their facility's name.
    const mbas = await page(`/api/mbas?q=${encodeURIComponent(target.name)}`);
    expect(mbas.total).toBeGreaterThan(0);
    expect(mbas.items.every((m) => m.facility === target.code || String(m.code).includes(target.name))).toBe(
      true,
    );
    expect(mbas.items[0]).toMatchObject({ facilityName: target.name });
    // Filters and q combine, and the total follows them.
    const kmps = await page('/api/kmps?mba=XA-R1&q=a');
    expect(kmps.items.every((k) => k.mba === 'XA-R1')).toBe(true);
    const agreementsOfXa = await page('/api/agreements?state=XA&limit=1');
    expect(agreementsOfXa.items).toHaveLength(1);
    expect(agreementsOfXa.total).toBeGreaterThanOrEqual(2);
    const xaAll = await page('/api/agreements?state=XA');
    expect(
      xaAll.items.every((a) => (a.parties as { kind: string; ref: string }[]).some((p) => p.ref === 'XA')),
    ).toBe(true);
  });

  it('scope: a state user pages through its own state only, and totals count nothing else', async () => {
    const xa = t.token('xa-ssac.reviewer');
    for (const url of ['/api/facilities', '/api/mbas']) {
      const seen: Row[] = [];
      let total = 0;
      for (let offset = 0; offset === 0 || offset < total; offset += 1) {
        const p = await page(`${url}?limit=1&offset=${offset}&sort=-code`, xa);
        total = p.total;
        seen.push(...p.items);
      }
      expect(seen.length).toBe(total);
      expect(total).toBeGreaterThan(0);
      expect(
        seen.every((r) => r.state === 'XA'),
        url,
      ).toBe(true);
      const everything = await page(`${url}?limit=1000`);
      expect(everything.items.filter((r) => r.state === 'XA')).toHaveLength(total);
      expect(everything.total).toBeGreaterThan(total);
      // Asking for another state's rows is an empty list, never a 404 and never a leak.
      expect(await page(`${url}?state=XB`, xa)).toMatchObject({ items: [], total: 0 });
      expect((await page(`${url}?q=XB`, xa)).total).toBe(0);
    }
    const kmps = await page('/api/kmps?limit=1000', xa);
    expect(kmps.items.every((k) => String(k.mba).startsWith('XA-'))).toBe(true);
    expect((await page('/api/kmps?mba=XB-E1', xa)).total).toBe(0);
    // rsa sees XA and XB, not XC.
    const rsa = await page('/api/mbas?limit=1000&sort=state', t.token('rsa.inspector'));
    expect(new Set(rsa.items.map((m) => m.state))).toEqual(new Set(['XA', 'XB']));
    // The key and user lists keep their own access rules.
    expect((await get('/api/organisations/xb-ssac/users?limit=1', t.token('xa-ssac.admin'))).statusCode).toBe(
      404,
    );
    expect((await get('/api/facilities?limit=1', t.token('xa-ssac.auditor'))).statusCode).toBe(403);
  });

  it('a bad sort, window or filter is a 400 VALIDATION_FAILED naming the parameter, never a 500', async () => {
    const cases: [string, string][] = [
      ['/api/mbas?sort=colour', 'querystring.sort'],
      ['/api/mbas?sort=-', 'querystring.sort'],
      ['/api/states?sort=created_at', 'querystring.sort'],
      ['/api/facilities?sort=code;drop table facilities', 'querystring.sort'],
      ['/api/kmps?limit=0', 'querystring.limit'],
      ['/api/kmps?limit=1001', 'querystring.limit'],
      ['/api/organisations?offset=-1', 'querystring.offset'],
      ['/api/agreements?limit=ten', 'querystring.limit'],
      [`/api/facilities?q=${'x'.repeat(101)}`, 'querystring.q'],
      ['/api/organisations/agency/keys?sort=publicKey', 'querystring.sort'],
      ['/api/organisations/agency/users?sort=password', 'querystring.sort'],
      ['/api/facilities?type=castle', 'querystring.type'],
    ];
    for (const [url, field] of cases) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.code, url).toBe('VALIDATION_FAILED');
      expect(res.json().error.details[0].field, url).toBe(field);
    }
    expect((await get('/api/mbas?sort=-colour')).statusCode).toBe(400);
    expect((await get('/api/mbas?page=2')).json().error.details[0].code).toBe('FIELD_UNKNOWN');
  });

  it('the CLI still prints a whole list as one JSON array, with --sort and --q passed through', async () => {
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const all = await page('/api/kmps?limit=1000&sort=-method');
    const out = await runCli([
      'registry',
      'list',
      'kmps',
      '--sort=-method',
      '--url',
      url,
      '--token',
      t.adminToken,
    ]);
    expect(out.status, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual(all.items);
    const xa = await runCli([
      'registry',
      'list',
      'mbas',
      '--filter',
      'state=XA',
      '--q',
      'f1',
      '--url',
      url,
      '--token',
      t.adminToken,
    ]);
    expect(xa.status, xa.stderr).toBe(0);
    expect(JSON.parse(xa.stdout).map((m: { code: string }) => m.code)).toEqual(['XA-F1']);
    const bad = await runCli([
      'registry',
      'list',
      'mbas',
      '--sort=colour',
      '--url',
      url,
      '--token',
      t.adminToken,
    ]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('VALIDATION_FAILED');
    // Users are listed per organisation; without one the command says what to add.
    const remote = ['--url', url, '--token', t.adminToken];
    const users = await runCli(['registry', 'list', 'users', '--filter', 'organisation=agency', ...remote]);
    expect(users.status, users.stderr).toBe(0);
    expect(JSON.parse(users.stdout).map((u: { login: string }) => u.login)).toEqual(
      (await page('/api/organisations/agency/users?limit=1000')).items.map((u) => u.login),
    );
    const noOrg = await runCli(['registry', 'list', 'users', ...remote]);
    expect(noOrg.status).not.toBe(0);
    expect(noOrg.stderr).toContain('--filter organisation=');
  });

  it('OpenAPI documents the paging parameters, the sort fields and the envelope of each list', async () => {
    const doc = (await get('/api/openapi.json')).json();
    for (const l of LISTS) {
      const path = l.url.replace('/agency/', '/{id}/');
      const op = doc.paths[path]?.get;
      expect(op, path).toBeDefined();
      const params = Object.fromEntries(
        (op.parameters as { name: string; schema: { enum?: string[] } }[]).map((p) => [p.name, p]),
      );
      expect(Object.keys(params)).toEqual(expect.arrayContaining(['limit', 'offset', 'sort', 'q']));
      expect(params.sort?.schema.enum).toEqual([...l.sorts, ...l.sorts.map((s) => `-${s}`)]);
      const body = op.responses['200'].content['application/json'].schema;
      expect(Object.keys(body.properties)).toEqual(['items', 'total', 'limit', 'offset']);
    }
  });
});
