import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { declare } from '../fixtures/declarations.js';

interface AlarmItem {
  key: string;
  code: string;
  state: string;
  mba: string;
  date: string;
  ref: string | null;
}

const q1 = { from: '2026-01-01', to: '2026-03-31' };
const year2025 = { from: '2025-01-01', to: '2025-12-31' };
const annexII = (annexRef: string, quantity: number, destinationState: string, exportDate: string) => ({
  annexRef,
  description: `Annex II ${annexRef} items`,
  quantity,
  destinationState,
  intendedUseLocation: 'Borduria Enrichment Plant',
  exportDate,
});

/**
 * Issue 19 item 5: exports declared by one State matched with the other State's import
 * confirmations, across States that cannot see each other's declarations; unmatched and
 * discrepant items are alarms in /api/alarms that open cases. The clock stands at 2026-11-28:
 * 2026-Q1 Annex II items and 2025 source-material items are past their grace periods.
 */
describe.each(testDialects())('declaration cross-checks (%s)', (dialect) => {
  let t: TestApp;
  let xaExports: string;
  let xbImports: string;
  let xaSource: string;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    // Borduria's Additional Protocol with the Agency (the demo world has only Arcadia's).
    const ap = await t.app.inject({
      method: 'POST',
      url: '/api/agreements',
      headers: bearer(t.adminToken),
      payload: {
        id: 'AP-XB',
        type: 'AP',
        title: 'Additional Protocol (INFCIRC/540) — Borduria',
        entryIntoForce: '2026-01-01',
        parties: [
          { kind: 'state', ref: 'XB' },
          { kind: 'organisation', ref: 'agency' },
        ],
      },
    });
    expect(ap.statusCode).toBe(201);
    const ok = async (login: string, body: object) => {
      const r = await declare(t, login, body);
      expect(r.statusCode, r.body).toBe(201);
      return r.json().id as string;
    };
    xaExports = await ok('xa-ssac.submitter', {
      state: 'XA',
      article: '2.a.ix',
      period: q1,
      items: [
        annexII('5.1', 12, 'XB', '2026-02-10'), // confirmed as declared
        annexII('2.2', 100, 'XB', '2026-02-11'), // confirmed with 90: discrepant
        annexII('5.1.2', 3, 'XC', '2026-03-01'), // XC confirms nothing: unmatched
        annexII('5.1', 12, 'XB', '2026-03-20'), // a second identical export, confirmed
      ],
    });
    xbImports = await ok('xb-ssac.submitter', {
      state: 'XB',
      article: '2.a.ix.b',
      period: q1,
      items: [
        { annexRef: '5.1', quantity: 12, originState: 'XA', importDate: '2026-03-25' },
        { annexRef: '2.2', quantity: 90, originState: 'XA', importDate: '2026-02-20' },
        { annexRef: '6.1', quantity: 4, originState: 'XA', importDate: '2026-03-02' }, // no export
        { annexRef: '5.1', quantity: 12, originState: 'XA', importDate: '2026-02-15' },
      ],
    });
    xaSource = await ok('xa-ssac.submitter', {
      state: 'XA',
      article: '2.a.vi.b',
      period: year2025,
      items: [
        {
          element: 'U',
          chemicalComposition: 'UOC',
          quantityKg: 500.25,
          destinationState: 'XB',
          exportDate: '2025-06-01',
        },
        {
          element: 'Th',
          chemicalComposition: 'ThO2',
          quantityKg: 10,
          destinationState: 'XB',
          exportDate: '2025-07-01',
        },
      ],
    });
    // XB's import is declared under its own Protocol; it entered into force in 2026, but the
    // source-material match does not depend on when either Protocol began.
    await ok('xb-ssac.submitter', {
      state: 'XB',
      article: '2.a.vi.c',
      period: year2025,
      items: [
        {
          element: 'U',
          chemicalComposition: 'UOC',
          quantityKg: 500.25,
          originState: 'XA',
          importDate: '2025-06-20',
        },
      ],
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const alarms = async (login: string, query = '') => {
    const r = await t.app.inject({
      method: 'GET',
      url: `/api/alarms?limit=1000${query}`,
      headers: bearer(t.token(login)),
    });
    expect(r.statusCode, r.body).toBe(200);
    const items = (r.json() as { items: AlarmItem[] }).items;
    return items.filter((a) => a.mba === '').map((a) => `${a.code} ${a.state} ${a.ref} ${a.date}`);
  };

  it('raises unmatched and discrepant items, each on the State whose item it is', async () => {
    expect((await alarms('agency.inspector')).sort()).toEqual(
      [
        `ANNEX_II_DISCREPANT XA ${xaExports}#1 2026-02-11`,
        `ANNEX_II_UNMATCHED XA ${xaExports}#2 2026-03-01`,
        `ANNEX_II_UNMATCHED XB ${xbImports}#2 2026-03-02`,
        `SOURCE_MATERIAL_UNMATCHED XA ${xaSource}#1 2025-07-01`,
      ].sort(),
    );
    expect(await alarms('agency.inspector', '&code=ANNEX_II_DISCREPANT')).toEqual([
      `ANNEX_II_DISCREPANT XA ${xaExports}#1 2026-02-11`,
    ]);
    expect(await alarms('agency.inspector', '&state=XB')).toEqual([
      `ANNEX_II_UNMATCHED XB ${xbImports}#2 2026-03-02`,
    ]);
  });

  it('shows a State only its own findings, and an inspectorate only those of its Protocols', async () => {
    expect((await alarms('xa-ssac.reviewer')).every((a) => a.split(' ')[1] === 'XA')).toBe(true);
    expect(await alarms('xb-ssac.reviewer')).toEqual([`ANNEX_II_UNMATCHED XB ${xbImports}#2 2026-03-02`]);
    // The regional inspectorate sees XA's and XB's MBAs but is party to neither Protocol.
    expect(await alarms('rsa.inspector')).toEqual([]);
    const summary = await t.app.inject({
      method: 'GET',
      url: '/api/alarms/summary',
      headers: bearer(t.token('agency.inspector')),
    });
    const xb = (summary.json() as { states: { state: string; codes: Record<string, number> }[] }).states.find(
      (s) => s.state === 'XB',
    );
    expect(xb?.codes.ANNEX_II_UNMATCHED).toBe(1);
  });

  it('opens one case per finding through the alarm → case path, once', async () => {
    await t.evaluation.openCases();
    const r = await t.app.inject({
      method: 'GET',
      url: '/api/cases?state=XA&limit=200',
      headers: bearer(t.token('agency.inspector')),
    });
    const cases = (
      r.json() as { items: { kind: string; title: string; about?: { declaration?: string } }[] }
    ).items.filter((c) => c.about?.declaration !== undefined);
    expect(cases.map((c) => [c.kind, c.about?.declaration]).sort()).toEqual(
      [
        ['discrepancy', `${xaExports}#1`],
        ['transfer-unmatched', `${xaExports}#2`],
        ['transfer-unmatched', `${xaSource}#1`],
      ].sort(),
    );
    t.clock.advance(86_400_000);
    await t.evaluation.openCases();
    const again = await t.app.inject({
      method: 'GET',
      url: '/api/cases?state=XA&limit=200',
      headers: bearer(t.token('agency.inspector')),
    });
    expect(
      (again.json() as { items: { about?: { declaration?: string } }[] }).items.filter(
        (c) => c.about?.declaration,
      ).length,
    ).toBe(3);
  });

  it('a supplement that corrects the quantity settles the discrepancy', async () => {
    const r = await declare(t, 'xa-ssac.submitter', {
      state: 'XA',
      article: '2.a.ix',
      period: q1,
      supplements: xaExports,
      items: [
        annexII('5.1', 12, 'XB', '2026-02-10'),
        annexII('2.2', 90, 'XB', '2026-02-11'),
        annexII('5.1.2', 3, 'XC', '2026-03-01'),
        annexII('5.1', 12, 'XB', '2026-03-20'),
      ],
    });
    expect(r.statusCode).toBe(201);
    const supplement = r.json().id as string;
    const xa = (await alarms('agency.inspector', '&state=XA')).filter((a) => a.startsWith('ANNEX_II'));
    expect(xa).toEqual([`ANNEX_II_UNMATCHED XA ${supplement}#2 2026-03-01`]);
  });
});
