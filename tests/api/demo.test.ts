import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { submit } from '../fixtures/reports.js';

/** The demo world's year of reports, submitted through the real path, and what the engine finds in it. */
describe('the demo year (sqlite)', () => {
  let t: TestApp;
  const get = (url: string, login = 'agency.inspector') =>
    t.app.inject({ method: 'GET', url, headers: bearer(t.token(login)) });
  beforeAll(async () => {
    t = await createTestApp('sqlite', { demo: 'full' });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('stores every demo report with no refusal', async () => {
    const reports = await t.ports.db.kysely.selectFrom('reports').select(['id']).execute();
    const refused = await t.ports.db.kysely
      .selectFrom('report_rejections')
      .select(['id', 'details_json'])
      .execute();
    expect(refused.map((r) => r.details_json)).toEqual([]);
    expect(reports.length).toBeGreaterThan(60);
  });

  it("catches the protracted loss on XA-P1 with Page's test while every |MUF| stays within 3σ", async () => {
    const res = await get('/api/mbas/XA-P1/balances?element=P');
    expect(res.statusCode).toBe(200);
    const { periods } = res.json();
    expect(periods).toHaveLength(11);
    for (const p of periods) {
      expect(Math.abs(p.muf)).toBeLessThan(3 * p.sigmaMuf);
      expect(p.muf).toBeGreaterThan(0);
    }
    expect(periods.some((p: { alarms: string[] }) => p.alarms.includes('PAGE'))).toBe(true);
    expect(
      periods.flatMap((p: { alarms: string[] }) => p.alarms).filter((a: string) => a !== 'PAGE'),
    ).toEqual([]);
    const alarms = (await get('/api/alarms?mba=XA-P1&code=PAGE')).json();
    expect(alarms.total).toBeGreaterThan(0);
    expect(alarms.items.length).toBe(alarms.total);
  });

  it('matches every transfer, including the export from Borduria to Arcadia', async () => {
    const page = (await get('/api/transfers?limit=1000')).json();
    const all = page.items;
    expect(all.length).toBe(page.total);
    expect(all.filter((m: { status: string }) => m.status !== 'matched')).toEqual([]);
    const exp = all.find((m: { batch: string }) => m.batch === 'XB-EXP-2026-1');
    expect(exp).toMatchObject({ status: 'matched', srd: 100 });
    // Arcadia sees its receipt and the outcome, but not Borduria's side or the SRD.
    const xa = (await get('/api/transfers?q=XB-EXP-2026-1', 'xa-ssac.reviewer'))
      .json()
      .items.find((m: { batch: string }) => m.batch === 'XB-EXP-2026-1');
    expect(xa.shipment).toEqual({ state: 'XB' });
    expect(xa.srd).toBeNull();
  });

  it('shows late reports in Borduria’s timeliness and a correction in Arcadia’s history', async () => {
    const xb = (await get('/api/states/XB/timeliness?status=late&limit=1000')).json();
    expect(
      xb.obligations.filter((o: { status: string }) => o.status === 'late').map((o: { id: string }) => o.id),
    ).toContain('ICR:XB-F1:2026-03');
    const corrections = (await get('/api/mbas/XA-F1/corrections')).json();
    expect(corrections.total).toBe(1);
    expect(corrections.items[0].history.length).toBeGreaterThan(1);
  });

  it('takes a report submitted after the world was evaluated into the next evaluation', async () => {
    expect((await get('/api/transfers?q=LATE-1')).json()).toMatchObject({ items: [], total: 0 });
    t.clock.current = new Date('2026-12-05T10:00:00Z');
    const line = {
      line: 1,
      date: '2026-11-25',
      code: 'SD',
      batch: 'LATE-1',
      kmp: 'B',
      element: 'E',
      weight: 1000,
      fissileWeight: 40,
      isotope: 'G',
      basis: 'M',
      form: 'U2',
      counterpart: { state: 'XA', mba: 'XA-S1' },
    };
    const report = {
      type: 'ICR',
      mba: 'XA-F1',
      reportNumber: 13,
      reportDate: '2026-12-01',
      period: { from: '2026-11-01', to: '2026-11-30' },
      reportingPerson: 'x',
      lineCount: 1,
      lines: [line],
    };
    expect((await submit(t, 'xa-ssac.submitter', report)).statusCode).toBe(201);
    const after = (await get('/api/transfers?q=LATE-1'))
      .json()
      .items.find((m: { batch: string }) => m.batch === 'LATE-1');
    expect(after).toMatchObject({ status: 'pending', receipt: null });
  });

  it('opens one case per alarm cause, and none again on re-evaluation', async () => {
    const first = await t.evaluation.openCases();
    expect(first).toBeGreaterThan(0);
    expect(await t.evaluation.openCases()).toBe(0);
    const cases = await t.ports.db.kysely.selectFrom('cases').select(['case_key']).execute();
    expect(cases.some((c) => c.case_key?.includes('XA-P1'))).toBe(true);
  });
});

describe('the demo joint inspection (sqlite)', () => {
  it('is seeded with both statements and a finding that opened a case', async () => {
    const t = await createTestApp('sqlite', { demo: 'full' });
    try {
      const inspections = await t.ports.db.kysely.selectFrom('inspections').selectAll().execute();
      expect(inspections.length).toBeGreaterThan(0);
      const statements = await t.ports.db.kysely.selectFrom('inspection_statements').selectAll().execute();
      expect(new Set(statements.map((s) => s.organisation_id))).toEqual(new Set(['agency', 'rsa']));
      const cases = await t.ports.db.kysely.selectFrom('cases').select(['case_key']).execute();
      expect(cases.some((c) => c.case_key?.startsWith('verification'))).toBe(true);
    } finally {
      await t.close();
    }
  }, 120_000);
});

describe('the demo timeliness record (sqlite)', () => {
  it('has late reports but nothing missing before November 2026', async () => {
    const t = await createTestApp('sqlite', { demo: 'full' });
    try {
      t.clock.current = new Date('2026-11-28T09:00:00Z');
      for (const state of ['XA', 'XB', 'XC']) {
        const res = (
          await t.app.inject({
            method: 'GET',
            url: `/api/states/${state}/timeliness?status=missing&limit=1000`,
            headers: bearer(t.adminToken),
          })
        ).json();
        const missing = res.obligations.filter(
          (o: { status: string; dueDate: string }) => o.status === 'missing' && o.dueDate < '2026-11-01',
        );
        expect(
          missing.map((o: { id: string }) => o.id),
          state,
        ).toEqual([]);
      }
    } finally {
      await t.close();
    }
  }, 120_000);
});

describe('the demo Additional Protocol declarations (sqlite)', () => {
  let t: TestApp;
  const get = (url: string, login = 'agency.inspector') =>
    t.app.inject({ method: 'GET', url, headers: bearer(t.token(login)) });
  beforeAll(async () => {
    t = await createTestApp('sqlite', { demo: 'full' });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('are submitted signed through the real path, none refused, each logged', async () => {
    const rows = await t.ports.db.kysely
      .selectFrom('declarations')
      .select(['id', 'state', 'article', 'period_from', 'supplements', 'log_index', 'key_id'])
      .execute();
    const refused = await t.ports.db.kysely
      .selectFrom('report_rejections')
      .select(['details_json'])
      .where('type', '=', 'AP_DECLARATION')
      .execute();
    expect(refused).toEqual([]);
    expect(new Set(rows.map((r) => r.state))).toEqual(new Set(['XA', 'XB']));
    expect(rows.every((r) => r.log_index >= 0 && r.key_id !== '')).toBe(true);
    // Borduria's 2025 holdings were amended by one supplement.
    const supplement = rows.filter((r) => r.supplements !== null);
    expect(supplement).toHaveLength(1);
    const amended = rows.find((r) => r.id === supplement[0]?.supplements);
    expect(amended).toMatchObject({ state: 'XB', article: '2.a.vi.a', period_from: '2025-01-01' });
    const body = (await get(`/api/declarations/${supplement[0]?.id}`, 'xb-ssac.reviewer')).json();
    expect(body).toMatchObject({ supplements: amended?.id });
  });

  it('match the Annex II export with its confirmation and the source material, and leave one export unmatched', async () => {
    const res = (await get('/api/alarms?limit=200')).json() as {
      items: { code: string; state: string; ref: string | null }[];
    };
    const declared = res.items.filter((a) => /^(ANNEX_II|SOURCE_MATERIAL)_/.test(a.code));
    expect(declared.map((a) => `${a.code} ${a.state} ${a.ref?.split('#')[1]}`)).toEqual([
      'ANNEX_II_UNMATCHED XA 1',
    ]);
    // The unmatched item is the second of Arcadia's 2026-Q1 export declaration.
    const id = declared[0]?.ref?.split('#')[0] ?? '';
    const d = (await get(`/api/declarations/${id}`)).json();
    expect(d).toMatchObject({ state: 'XA', article: '2.a.ix', period: { from: '2026-01-01' } });
    expect(d.items[1]).toMatchObject({ annexRef: '5.1.2', destinationState: 'XB' });
  });

  it("give both States' Article 3 deadlines: met, one late, none missing", async () => {
    const xb = (await get('/api/states/XB/timeliness')).json().declarations;
    expect(xb.agreement).toBe('AP-XB');
    const status = (id: string) => xb.obligations.find((o: { id: string }) => o.id === id)?.status;
    expect(status('AP:2.a.vi.a:initial')).toBe('met');
    expect(status('AP:2.a.vi.a:2025')).toBe('met');
    expect(status('AP:2.a.x:2025')).toBe('late');
    expect(status('AP:2.a.vi.b:2025')).toBe('met');
    expect(status('AP:2.a.ix:2026-Q2')).toBe('met');
    expect(status('AP:2.a.ix:2026-Q3')).toBe('upcoming');
    const xa = (await get('/api/states/XA/timeliness')).json().declarations;
    const xaStatus = (id: string) => xa.obligations.find((o: { id: string }) => o.id === id)?.status;
    expect(xaStatus('AP:2.a.ix:2026-Q1')).toBe('met');
    expect(xaStatus('AP:2.a.ix:2026-Q2')).toBe('late');
    for (const d of [xa, xb])
      expect(d.obligations.filter((o: { status: string }) => o.status === 'missing')).toEqual([]);
  });

  it("count in the inspectorate's states table beside the reports, for those the Protocol opens them to", async () => {
    const xb = (await get('/api/states/XB/evaluation?year=2026')).json();
    expect(xb.declarations).toMatchObject({ agreement: 'AP-XB', late: 1, missing: 0 });
    expect(xb.declarations.onTime).toBeGreaterThan(5);
    const xa = (await get('/api/states/XA/evaluation?year=2026')).json();
    expect(xa.declarations).toMatchObject({ agreement: 'AP-XA', late: 1, missing: 0 });
    // The regional inspectorate is party to neither Protocol; a state sees its own.
    expect(
      (await get('/api/states/XA/evaluation?year=2026', 'rsa.inspector')).json().declarations,
    ).toBeNull();
    expect(
      (await get('/api/states/XB/evaluation?year=2026', 'xb-ssac.reviewer')).json().declarations,
    ).toMatchObject({ late: 1 });
  });
});
