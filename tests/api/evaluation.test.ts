import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvaluationService } from '../../src/services/evaluation/index.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { icr, initialReport, submit } from '../fixtures/reports.js';

interface Period {
  to: string;
  muf: number;
  sigmaMuf: number;
}

function line(
  n: number,
  date: string,
  code: string,
  batch: string,
  kmp: string,
  weight: number,
  other?: string,
) {
  return {
    line: n,
    date,
    code,
    batch,
    kmp,
    element: 'E',
    weight,
    fissileWeight: Math.round(weight * 40) / 1000,
    isotope: 'G',
    basis: 'M',
    form: 'U2',
    ...(other ? { counterpart: { state: 'XA', mba: other } } : {}),
  };
}

/**
 * The service keeps its evaluation between requests and updates it report by report; a service
 * created afresh over the same store evaluates everything from scratch. They must agree exactly.
 */
describe.each(testDialects())('incremental evaluation on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    t.clock.current = new Date('2026-02-05T10:00:00Z');
  });
  afterAll(async () => {
    await t.close();
  });

  const get = async (url: string) => {
    const res = await t.app.inject({ method: 'GET', url, headers: bearer(t.token('agency.inspector')) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const ok = async (body: object) => {
    const res = await submit(t, 'xa-ssac.submitter', body);
    expect(res.statusCode, res.body).toBe(201);
  };
  /** The long-lived service (warm, updated in place) against a fresh one. */
  const sameAsFresh = async () => {
    const warm = await t.evaluation.world();
    const fresh = await createEvaluationService(t.ports).world();
    expect(warm.mbas).toEqual(fresh.mbas);
    expect(warm.evaluations).toEqual(fresh.evaluations);
    expect(warm.matches).toEqual(fresh.matches);
    expect(warm.alarms).toEqual(fresh.alarms);
    return warm;
  };
  const transfer = async (batch: string) =>
    (await get(`/api/transfers?q=${batch}&limit=1000`)).items.find(
      (m: { batch: string }) => m.batch === batch,
    );

  it('gives after each report, correction, late receipt and PIL what a fresh evaluation gives', async () => {
    await ok(initialReport('XA-F1'));
    await ok(initialReport('XA-S1'));
    await ok(
      icr(1, '2026-01', [
        line(1, '2026-01-10', 'SD', 'T-2', 'B', 2000, 'XA-S1'),
        line(2, '2026-01-12', 'RD', 'T-1', 'A', 1000, 'XA-S1'),
        line(3, '2026-01-20', 'LD', 'W-1', 'C', 5),
      ]),
    );
    await get('/api/mbas/XA-F1/balances?element=E');
    expect(await transfer('T-1')).toMatchObject({ status: 'pending' });
    await sameAsFresh();

    // The shipper's side of T-1 arrives after the receipt was evaluated.
    await ok({
      ...icr(1, '2026-01', [line(1, '2026-01-11', 'SD', 'T-1', 'B', 1000, 'XA-F1')]),
      mba: 'XA-S1',
    });
    expect((await transfer('T-1')).status).toMatch(/^(matched|discrepant)$/);
    await sameAsFresh();

    // A correction of January's discard, a new line, and the PIL that closes the first period.
    t.clock.current = new Date('2026-03-01T10:00:00Z');
    await ok(
      icr(2, '2026-02', [
        { ...line(1, '2026-01-20', 'LD', 'W-1', 'C', 7), corrects: { reportNumber: 1, line: 3 } },
        line(2, '2026-02-14', 'LD', 'W-2', 'C', 3),
      ]),
    );
    await get('/api/mbas/XA-F1/balances?element=E');
    await sameAsFresh();
    await ok({
      ...initialReport('XA-F1'),
      type: 'PIL',
      reportDate: '2026-03-01',
      pit: '2026-02-28',
      lines: initialReport('XA-F1').lines.map((l) => ({ ...l, weight: l.weight - 10 })),
    });
    const closed = (await get('/api/mbas/XA-F1/balances?element=E')).periods as Period[];
    expect(closed.map((p) => p.to)).toEqual(['2026-02-28']);
    expect(await transfer('T-2')).toMatchObject({ status: 'pending' });
    await sameAsFresh();

    // A new date: T-2 has waited past the receiver's ICR deadline (2 March) and is unmatched...
    t.clock.current = new Date('2026-04-03T10:00:00Z');
    expect(await transfer('T-2')).toMatchObject({ status: 'unmatched' });
    expect(
      (await get('/api/alarms?mba=XA-F1&code=TRANSFER_UNMATCHED')).items.map((a: { ref: string }) => a.ref),
    ).toEqual(['XA-F1/1/1']);
    await sameAsFresh();
    // ...until its late receipt matches it.
    await ok({
      ...icr(2, '2026-02', [line(1, '2026-02-03', 'RD', 'T-2', 'A', 2000, 'XA-F1')]),
      mba: 'XA-S1',
    });
    expect((await transfer('T-2')).status).toMatch(/^(matched|discrepant)$/);
    expect(await get('/api/alarms?mba=XA-F1&code=TRANSFER_UNMATCHED')).toMatchObject({ items: [], total: 0 });
    await sameAsFresh();
  });

  it('opens one case for an export without its advance notice, once however often it runs', async () => {
    // 2 kg of plutonium (2 ekg) exported to XB with no notice: NOTICE_MISSING (domain.md §2).
    await ok(
      icr(3, '2026-03', [
        {
          ...line(1, '2026-03-16', 'SF', 'PU-X', 'B', 2000),
          element: 'P',
          isotope: undefined,
          fissileWeight: undefined,
          form: 'PH',
          counterpart: { state: 'XB', mba: 'XB-F1' },
        },
      ]),
    );
    const alarms = (await get('/api/alarms?mba=XA-F1&code=NOTICE_MISSING')).items;
    expect(alarms.map((a: { ref: string }) => a.ref)).toEqual(['XA-F1/3/1']);
    await sameAsFresh();
    const noticeCases = () =>
      t.ports.db.kysely
        .selectFrom('cases')
        .select(['case_key', 'state'])
        .where('kind', '=', 'notice')
        .execute();
    expect(await noticeCases()).toEqual([]);
    await t.evaluation.openCases();
    expect(await noticeCases()).toEqual([{ case_key: 'notice:XA:XA-F1%2F3%2F1:missing', state: 'XA' }]);
    await t.evaluation.openCases();
    await createEvaluationService(t.ports).openCases();
    expect((await noticeCases()).length).toBe(1);
    const cases = await get('/api/cases?kind=notice');
    expect(JSON.stringify(cases)).toContain('missing advance notice for transfer XA-F1/3/1');
  });

  it('evaluates again when a KMP’s errors change in the registry (registry edits are not logged)', async () => {
    const before = (await get('/api/mbas/XA-F1/balances?element=E')).periods as Period[];
    expect(before[0]?.sigmaMuf).toBeGreaterThan(0);
    await t.ports.db.kysely
      .updateTable('kmps')
      .set({ random_rsd: 0.05 })
      .where('mba', '=', 'XA-F1')
      .where('code', '=', 'D')
      .execute();
    const after = (await get('/api/mbas/XA-F1/balances?element=E')).periods as Period[];
    expect(after[0]?.muf).toBe(before[0]?.muf);
    // The inventory KMP D holds 750 kg at both PITs: 5 % random error on each dominates σMUF.
    expect(after[0]?.sigmaMuf).toBeGreaterThan(10 * (before[0]?.sigmaMuf ?? 0));
    await sameAsFresh();
  });
});

/**
 * domain.md §4: a receipt booked at the shipper's declared value (basis N) and later corrected to
 * the receiver's own measurement (basis M) stays in BE at the booked value; SRD = booked −
 * measured brings BEA to the measurement. Matching sees the shipper's declared value against the
 * receiver's measurement.
 */
describe.each(testDialects())('SRD adjustment of a receipt measured by the receiver on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    t.clock.current = new Date('2026-02-05T10:00:00Z');
  });
  afterAll(async () => {
    await t.close();
  });

  const get = async (url: string) => {
    const res = await t.app.inject({ method: 'GET', url, headers: bearer(t.token('agency.inspector')) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const ok = async (login: string, body: object) => {
    const res = await submit(t, login, body);
    expect(res.statusCode, res.body).toBe(201);
  };
  const transferLine = (n: number, code: string, weight: number, basis: string, other: string) => ({
    line: n,
    date: '2026-01-12',
    code,
    batch: 'T-X',
    kmp: 'A',
    element: 'E',
    weight,
    fissileWeight: Math.round(weight * 40) / 1000,
    isotope: 'G',
    basis,
    form: 'U2',
    counterpart: { state: other.slice(0, 2), mba: other },
  });
  const sameAsFresh = async () => {
    const warm = await t.evaluation.world();
    const fresh = await createEvaluationService(t.ports).world();
    expect(warm.evaluations).toEqual(fresh.evaluations);
    expect(warm.matches).toEqual(fresh.matches);
  };

  it('keeps the booked value in BE, enters SRD = booked − measured and matches against the measurement', async () => {
    const pb = 750_000.125;
    await ok('xa-ssac.submitter', initialReport('XA-F1'));
    await ok('xb-ssac.submitter', initialReport('XB-F1'));
    // XB-F1 ships 1 000 g; XA-F1 books the receipt at the shipper's value (basis N).
    await ok('xb-ssac.submitter', {
      ...icr(1, '2026-01', [transferLine(1, 'SD', 1000, 'M', 'XA-F1')]),
      mba: 'XB-F1',
    });
    await ok('xa-ssac.submitter', icr(1, '2026-01', [transferLine(1, 'RD', 1000, 'N', 'XB-F1')]));
    t.clock.current = new Date('2026-03-01T10:00:00Z');
    const base = initialReport('XA-F1');
    await ok('xa-ssac.submitter', {
      ...base,
      type: 'PIL',
      reportDate: '2026-03-01',
      pit: '2026-02-28',
      lineCount: 3,
      lines: [
        ...base.lines,
        { ...base.lines[0], line: 3, batch: 'T-X', kmp: 'A', weight: 990, fissileWeight: 39.6, form: 'U2' },
      ],
    });
    const booked = (await get('/api/mbas/XA-F1/balances?element=E')).periods[0];
    expect(booked).toMatchObject({ pb, increases: { RD: 1000 }, srd: 0 });
    expect(booked.be).toBe(booked.bea);
    const before = (await get('/api/transfers?q=T-X')).items.find(
      (m: { batch: string }) => m.batch === 'T-X',
    );
    expect(before).toMatchObject({ status: 'matched', srd: 0 });
    await sameAsFresh();

    // XA-F1 measures 990 g (fissile 39.6 g) and reports it as a correction of its receipt, basis M.
    await ok(
      'xa-ssac.submitter',
      icr(2, '2026-02', [
        { ...transferLine(1, 'RD', 990, 'M', 'XB-F1'), corrects: { reportNumber: 1, line: 1 } },
      ]),
    );
    const p = (await get('/api/mbas/XA-F1/balances?element=E')).periods[0];
    expect(p).toMatchObject({ pb, increases: { RD: 1000 }, be: booked.be, srd: 10, pe: pb + 990 });
    expect(p.bea).toBe(p.be - p.srd);
    expect(p.bea).toBe(pb + 990);
    expect(p.muf).toBe(0);
    expect(p.fissile.srd).toBeCloseTo(0.4, 9);
    expect(p.fissile.bea).toBe(p.fissile.be - p.fissile.srd);
    const after = (await get('/api/transfers?q=T-X')).items.find((m: { batch: string }) => m.batch === 'T-X');
    expect(after.status).toMatch(/^(matched|discrepant)$/);
    // Shipper's declared 1 000 g − receiver's measured 990 g; the receipt still shows as declared.
    expect(after.srd).toBe(10);
    expect(after.sigma).toBeGreaterThan(0);
    expect(after.receipt).toMatchObject({ weight: 1000, id: 'XA-F1/2/1' });
    expect(after.shipment).toMatchObject({ weight: 1000, mba: 'XB-F1' });
    await sameAsFresh();
  });
});
