import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SITE_MAP_BYTES } from '../../src/services/declarations/attachments.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { declare } from '../fixtures/declarations.js';

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('site map of the Arcadia fuel fabrication plant'),
]);
const PDF = Buffer.from('%PDF-1.7\n% site map\n');
const period = { from: '2025-11-01', to: '2026-04-01' };
const building = (siteMap: string, site = 'Arcadia Fuel Fabrication Plant') => ({
  site,
  building: 'B2 pellet hall',
  description: 'Pelletising and sintering lines',
  siteMap,
});

/**
 * Issue 19: the site map of a buildings-per-site declaration (INFCIRC/540 Art. 2.a.(iii)) is
 * uploaded, committed to by hash in the signed declaration, and readable under the declaration's
 * own access rules; what is too large or not a PDF, PNG or JPEG is refused before anything is stored.
 */
describe.each(testDialects())('site maps of declarations (%s)', (dialect) => {
  let t: TestApp;
  const upload = (login: string, payload: object) =>
    t.app.inject({
      method: 'POST',
      url: '/api/declarations/attachments',
      headers: bearer(t.token(login)),
      payload,
    });
  const get = (login: string, url: string) =>
    t.app.inject({ method: 'GET', url, headers: bearer(t.token(login)) });
  const stored = async () =>
    (await t.ports.db.kysely.selectFrom('declaration_attachments').select('hash').execute()).length;

  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('commits to an uploaded map by hash, readable by whoever may read the declaration', async () => {
    const up = await upload('xa-ssac.submitter', {
      state: 'XA',
      contentType: 'image/png',
      data: PNG.toString('base64'),
    });
    expect(up.statusCode, up.body).toBe(201);
    const hash = createHash('sha256').update(PNG).digest('hex');
    expect(up.json()).toEqual({ ref: `sha256:${hash}`, contentType: 'image/png', size: PNG.length });
    // The same file again is the same reference, stored once.
    const again = await upload('xa-ssac.submitter', {
      state: 'XA',
      contentType: 'image/png',
      data: PNG.toString('base64'),
    });
    expect(again.json().ref).toBe(`sha256:${hash}`);

    const res = await declare(t, 'xa-ssac.submitter', {
      state: 'XA',
      article: '2.a.iii',
      period,
      items: [building(`sha256:${hash}`)],
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    const url = `/api/declarations/${id}/attachments/${hash}`;
    for (const login of ['xa-ssac.reviewer', 'agency.inspector']) {
      const file = await get(login, url);
      expect(file.statusCode, login).toBe(200);
      expect(file.headers['content-type']).toBe('image/png');
      expect(file.headers['x-content-type-options']).toBe('nosniff');
      expect(Buffer.from(file.rawPayload).equals(PNG)).toBe(true);
    }
    // Those the declaration is hidden from do not learn of the map either.
    expect((await get('xb-ssac.reviewer', url)).statusCode).toBe(404);
    expect((await get('rsa.inspector', url)).statusCode).toBe(404);
    // A hash the declaration does not name is not served through it.
    const other = createHash('sha256').update('other').digest('hex');
    expect((await get('xa-ssac.reviewer', `/api/declarations/${id}/attachments/${other}`)).statusCode).toBe(
      404,
    );
    // The signed body commits to the hash: the declaration's record and body carry it.
    const body = await get('agency.inspector', `/api/declarations/${id}/body`);
    expect(body.body).toContain(`sha256:${hash}`);
  });

  it('refuses a map its State did not upload, listing the item, with everything else at once', async () => {
    // XB's upload cannot be named by XA, and an unknown hash is unknown.
    const xb = await upload('xb-ssac.submitter', {
      state: 'XB',
      contentType: 'application/pdf',
      data: PDF.toString('base64'),
    });
    expect(xb.statusCode, xb.body).toBe(201);
    const res = await declare(t, 'xa-ssac.submitter', {
      state: 'XA',
      article: '2.a.iii',
      period,
      items: [
        building(xb.json().ref),
        building(`sha256:${'0'.repeat(64)}`, 'Arcadia Central Interim Storage'),
      ],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details).toEqual([
      expect.objectContaining({ item: 0, field: 'siteMap', code: 'ATTACHMENT_UNKNOWN' }),
      expect.objectContaining({ item: 1, field: 'siteMap', code: 'ATTACHMENT_UNKNOWN' }),
    ]);
  });

  it('refuses what is too large or not a PDF, PNG or JPEG, storing nothing', async () => {
    const before = await stored();
    const big = Buffer.alloc(MAX_SITE_MAP_BYTES + 1, 0);
    PNG.copy(big);
    const tooLarge = await upload('xa-ssac.submitter', {
      state: 'XA',
      contentType: 'image/png',
      data: big.toString('base64'),
    });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json().error.code).toBe('BODY_TOO_LARGE');
    for (const [contentType, bytes] of [
      ['text/plain', Buffer.from('a site map in words')],
      ['image/svg+xml', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>')],
      ['image/png', PDF], // a PDF that says it is a PNG
      ['application/pdf', Buffer.from('MZ\x90\x00 not a pdf')],
    ] as const) {
      const r = await upload('xa-ssac.submitter', {
        state: 'XA',
        contentType,
        data: bytes.toString('base64'),
      });
      expect(r.statusCode, contentType).toBe(415);
      expect(r.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    for (const data of ['', 'not base64!']) {
      const r = await upload('xa-ssac.submitter', { state: 'XA', contentType: 'image/png', data });
      expect(r.statusCode).toBe(400);
      expect(r.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect(await stored()).toBe(before);
  });

  it('lets only a State’s submitters upload, for their own State', async () => {
    const payload = { state: 'XA', contentType: 'image/png', data: PNG.toString('base64') };
    expect((await upload('xb-ssac.submitter', payload)).statusCode).toBe(404);
    expect((await upload('agency.inspector', payload)).statusCode).toBe(403);
    expect((await upload('xa-ssac.reviewer', payload)).statusCode).toBe(403);
  });
});
