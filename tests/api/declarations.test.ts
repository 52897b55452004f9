import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNoteVerifier } from '../../src/log/index.js';
import { auditStore } from '../../src/services/audit.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { declare } from '../fixtures/declarations.js';

const q1 = { from: '2026-01-01', to: '2026-03-31' };
const centrifuges = {
  annexRef: '5.1',
  description: 'Gas centrifuge rotor assemblies',
  quantity: 12,
  destinationState: 'XB',
  intendedUseLocation: 'Borduria Enrichment Plant',
  exportDate: '2026-02-10',
};

describe.each(testDialects())('Additional Protocol declarations (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const get = (login: string, url: string) =>
    t.app.inject({ method: 'GET', url, headers: bearer(t.token(login)) });

  it('stores a signed declaration locked, logged, and readable by the State and its Protocol inspectorate', async () => {
    const res = await declare(t, 'xa-ssac.submitter', {
      state: 'XA',
      article: '2.a.ix',
      period: q1,
      items: [centrifuges],
    });
    expect(res.statusCode).toBe(201);
    const { id, logIndex } = res.json() as { id: string; logIndex: number };
    expect(logIndex).toBeGreaterThanOrEqual(0);
    const mine = await get('xa-ssac.reviewer', `/api/declarations/${id}`);
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({
      state: 'XA',
      article: '2.a.ix',
      ref: 'INFCIRC/540 Art. 2.a.(ix)(a)',
      covers: 'quarterly',
      locked: true,
      items: [centrifuges],
      history: [id],
      supplements: null,
    });
    // The agency is party to AP-XA; the regional inspectorate (safeguards agreement only) and
    // another State are not: the declaration does not exist for them.
    expect((await get('agency.inspector', `/api/declarations/${id}`)).statusCode).toBe(200);
    expect((await get('rsa.inspector', `/api/declarations/${id}`)).statusCode).toBe(404);
    expect((await get('xb-ssac.reviewer', `/api/declarations/${id}`)).statusCode).toBe(404);
    expect((await get('rsa.inspector', '/api/declarations?state=XA')).statusCode).toBe(404);
    const list = (await get('agency.inspector', '/api/declarations?state=XA')).json() as {
      items: { id: string }[];
    };
    expect(list.items.map((d) => d.id)).toContain(id);
    expect(((await get('xb-ssac.reviewer', '/api/declarations')).json() as { total: number }).total).toBe(0);
    // The receipt's record is readable as the declaration is.
    const rec = await get('xa-ssac.reviewer', `/api/records/${encodeURIComponent(`declaration:${id}`)}`);
    expect(rec.statusCode).toBe(200);
    const body = await get('xa-ssac.reviewer', `/api/declarations/${id}/body`);
    expect(JSON.parse(body.body)).toMatchObject({ article: '2.a.ix' });
  });

  it('answers 409 DECLARATION_LOCKED to any change or deletion, and keeps the declaration', async () => {
    const res = await declare(t, 'xa-ssac.submitter', {
      state: 'XA',
      article: '2.a.i',
      period: { from: '2026-01-01', to: '2026-12-31' },
      items: [],
    });
    const { id } = res.json() as { id: string };
    for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
      const r = await t.app.inject({
        method,
        url: `/api/declarations/${id}`,
        headers: { ...bearer(t.token('xa-ssac.submitter')), 'content-type': 'application/json' },
        payload: JSON.stringify({ items: [{ location: 'x', description: 'y' }] }),
      });
      expect(r.statusCode, method).toBe(409);
      expect(r.json().error.code).toBe('DECLARATION_LOCKED');
    }
    // Out of scope: not found, not locked.
    const other = await t.app.inject({
      method: 'DELETE',
      url: `/api/declarations/${id}`,
      headers: bearer(t.token('xb-ssac.submitter')),
    });
    expect(other.statusCode).toBe(404);
    expect(
      ((await get('xa-ssac.reviewer', `/api/declarations/${id}`)).json() as { itemCount: number }).itemCount,
    ).toBe(0);
  });

  it('amends by a supplement that references what it amends, as a chain', async () => {
    const period = { from: '2026-04-01', to: '2026-06-30' };
    const first = (
      await declare(t, 'xa-ssac.submitter', { state: 'XA', article: '2.a.ix', period, items: [] })
    ).json().id as string;
    const second = await declare(t, 'xa-ssac.submitter', {
      state: 'XA',
      article: '2.a.ix',
      period,
      items: [{ ...centrifuges, exportDate: '2026-05-02' }],
      supplements: first,
    });
    expect(second.statusCode).toBe(201);
    const secondId = second.json().id as string;
    // Amending the same declaration twice would fork the history: the latest must be amended.
    const fork = await declare(t, 'xa-ssac.submitter', {
      state: 'XA',
      article: '2.a.ix',
      period,
      items: [],
      supplements: first,
    });
    expect(fork.statusCode).toBe(422);
    expect(fork.json().error.details).toEqual([
      expect.objectContaining({ field: 'supplements', code: 'SUPPLEMENT_TARGET_INVALID' }),
    ]);
    const third = (
      await declare(t, 'xa-ssac.submitter', {
        state: 'XA',
        article: '2.a.ix',
        period,
        items: [],
        supplements: secondId,
      })
    ).json().id as string;
    const shown = (await get('xa-ssac.reviewer', `/api/declarations/${first}`)).json();
    expect(shown).toMatchObject({ supplementedBy: secondId, history: [first, secondId, third] });
    expect((await get('xa-ssac.reviewer', `/api/declarations/${third}`)).json()).toMatchObject({
      supplements: secondId,
      history: [first, secondId, third],
    });
    // Another article, or a declaration of another State, cannot be amended.
    const wrong = await declare(t, 'xa-ssac.submitter', {
      state: 'XA',
      article: '2.a.i',
      period,
      items: [],
      supplements: third,
    });
    expect(wrong.json().error.details[0]).toMatchObject({
      code: 'SUPPLEMENT_TARGET_INVALID',
      rule: 'article',
      values: { id: third },
    });
  });

  it('refuses with every problem at once: signature, schema, items, Protocol', async () => {
    const res = await declare(
      t,
      'xa-ssac.submitter',
      {
        state: 'XA',
        article: '2.a.ix',
        period: q1,
        items: [
          { ...centrifuges, annexRef: '9.9', quantity: -2 },
          { ...centrifuges, exportDate: '2027-01-01' },
        ],
      },
      { signature: `${'0'.repeat(16)}:${Buffer.alloc(64).toString('base64')}` },
    );
    expect(res.statusCode).toBe(422);
    const { code, details } = res.json().error;
    expect(code).toBe('DECLARATION_INVALID');
    expect(
      details.map((d: { item?: number; field: string; code: string }) => [d.item, d.field, d.code]),
    ).toEqual([
      [undefined, 'Custos-Signature', 'KEY_UNKNOWN'],
      [0, 'annexRef', 'ANNEX_REF_UNKNOWN'],
      [0, 'quantity', 'OUT_OF_RANGE'],
      [1, 'exportDate', 'DATE_OUTSIDE_PERIOD'],
    ]);
    // Each with the particulars the browser words it from (decision 0059).
    expect(details.map((d: { rule?: string; values?: unknown }) => [d.rule, d.values])).toEqual([
      ['key', { keyId: '0'.repeat(16) }],
      ['annexII', { value: '9.9' }],
      ['between', { min: 0, max: 1e12 }],
      ['outsidePeriod', { date: '2027-01-01', from: q1.from, to: q1.to }],
    ]);
    // The refusal is logged as a refused report is (decision 0036): a record the State can cite.
    const rejection = res.json().error.rejection as { id: string; logIndex: number; receiptUrl: string };
    expect(rejection.logIndex).toBeGreaterThanOrEqual(0);
    const listed = (await get('xa-ssac.reviewer', '/api/rejections?state=XA')).json() as {
      id: string;
      type: string;
      codes: string[];
    }[];
    expect(listed.find((r) => r.id === rejection.id)).toMatchObject({
      type: 'AP_DECLARATION',
      codes: ['ANNEX_REF_UNKNOWN', 'DATE_OUTSIDE_PERIOD', 'KEY_UNKNOWN', 'OUT_OF_RANGE'],
    });
    await t.log.flush();
    expect((await get('xa-ssac.reviewer', rejection.receiptUrl)).statusCode).toBe(200);
    // XB has no Additional Protocol in force in the demo world.
    const xb = await declare(t, 'xb-ssac.submitter', {
      state: 'XB',
      article: '2.a.i',
      period: q1,
      items: [],
    });
    expect(xb.statusCode).toBe(422);
    expect(xb.json().error.details).toEqual([
      expect.objectContaining({ field: 'state', code: 'NOT_ALLOWED' }),
    ]);
    // A State declares only for itself; an inspectorate declares nothing.
    expect(
      (await declare(t, 'xb-ssac.submitter', { state: 'XA', article: '2.a.i', period: q1, items: [] }))
        .statusCode,
    ).toBe(404);
    expect(
      (await declare(t, 'agency.inspector', { state: 'XA', article: '2.a.i', period: q1, items: [] }))
        .statusCode,
    ).toBe(403);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/declarations',
          headers: { ...bearer(t.token('xa-ssac.submitter')), 'content-type': 'application/json' },
          payload: '{"state":',
        })
      )
        .json()
        .error.details.map((d: { code: string }) => d.code),
    ).toEqual(['SIGNATURE_INVALID', 'MALFORMED']);
  });

  it('custos audit names a declaration whose rows were changed in the database', async () => {
    const res = await declare(t, 'xa-ssac.submitter', {
      state: 'XA',
      article: '2.a.ix',
      period: { from: '2026-07-01', to: '2026-09-30' },
      items: [{ ...centrifuges, exportDate: '2026-08-01' }],
    });
    const { id } = res.json() as { id: string };
    await t.log.flush();
    const audit = async () =>
      (await auditStore(t.ports, parseNoteVerifier(t.log.keys.vkey))).findings.map(
        (f) => `${f.kind} ${f.where}`,
      );
    expect(await audit()).toEqual([]);
    const k = t.ports.db.kysely;
    // The quantity the cross-checks compare, changed behind the log's back.
    await k
      .updateTable('declaration_items')
      .set({ quantity_milli: 13_000 })
      .where('declaration_id', '=', id)
      .execute();
    expect(await audit()).toEqual([`record-changed declaration:${id}`]);
    await k
      .updateTable('declaration_items')
      .set({ quantity_milli: 12_000 })
      .where('declaration_id', '=', id)
      .execute();
    // The declared fields, and the header.
    await k
      .updateTable('declaration_items')
      .set({ fields_json: JSON.stringify({ ...centrifuges, quantity: 1, exportDate: '2026-08-01' }) })
      .where('declaration_id', '=', id)
      .execute();
    await k.updateTable('declarations').set({ period_to: '2026-09-29' }).where('id', '=', id).execute();
    expect(await audit()).toEqual([`record-changed declaration:${id}`]);
    // A declaration inserted without its log record.
    await k
      .insertInto('declarations')
      .values({
        ...(await k.selectFrom('declarations').selectAll().where('id', '=', id).executeTakeFirstOrThrow()),
        id: 'AP-XA-forged',
        supplements: null,
      })
      .execute();
    expect(await audit()).toContain('row-not-logged declaration:AP-XA-forged');
  });
});
