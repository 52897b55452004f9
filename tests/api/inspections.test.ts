import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeDStatistic, drawSample } from '../../src/domain/inspections/index.js';
import { canonicalizeRecord, ed25519Sign, ed25519Verify, parseNoteVerifier } from '../../src/log/index.js';
import { auditStore } from '../../src/services/audit.js';
import { demoKeyPath } from '../../src/services/demo/seed.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe.each(testDialects())('inspections API on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
  });
  afterAll(async () => {
    await t.close();
  });

  const at = (ms: number) => new Date(t.clock.now().getTime() + ms).toISOString();
  const send = (method: 'POST' | 'PUT' | 'GET', url: string, login: string, body?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: bearer(t.token(login)),
      ...(body === undefined ? {} : { payload: body as object }),
    });
  const post = (url: string, login: string, body: unknown) => send('POST', url, login, body);
  const put = (url: string, login: string, body: unknown) => send('PUT', url, login, body);
  const get = (url: string, login: string) => send('GET', url, login);
  const AG = 'agency.inspector';
  const RSA = 'rsa.inspector';

  /** The notices published for one inspection (read from the event store). */
  async function noticesOf(id: string): Promise<{ state: string | null; data: Record<string, unknown> }[]> {
    const rows = await t.ports.db.kysely
      .selectFrom('events')
      .select(['state', 'data'])
      .where('type', '=', 'inspection.notice')
      .execute();
    return rows
      .map((r) => ({ state: r.state, data: JSON.parse(r.data) as Record<string, unknown> }))
      .filter((e) => e.data.inspection === id);
  }

  async function plan(body: Record<string, unknown>, login = AG) {
    return post('/api/inspections', login, { participants: ['agency'], facility: 'XA-FAB', ...body });
  }

  describe('notice rules for each type', () => {
    const cases: [string, Record<string, unknown>, number | null][] = [
      // [label, body, required hours or null when accepted]
      ['routine, other facility, 8 days', { type: 'routine', noticeHours: 192 }, null],
      ['routine, other facility, 3 days', { type: 'routine', noticeHours: 72 }, 168],
      [
        'routine, Pu / U > 5 % facility, 30 h',
        { type: 'routine', facilityKind: 'pu-or-u-above-5pct', noticeHours: 30 },
        null,
      ],
      ['routine, sealed store, 20 h', { type: 'routine', facilityKind: 'sealed-store', noticeHours: 20 }, 24],
      ['ad hoc for a transfer, 25 h', { type: 'ad-hoc', forTransfer: true, noticeHours: 25 }, null],
      ['ad hoc otherwise, 48 h', { type: 'ad-hoc', noticeHours: 48 }, 168],
      [
        'complementary access combined, 2 h',
        { type: 'complementary-access', combinedWithInspection: true, noticeHours: 2 },
        null,
      ],
      ['complementary access alone, 2 h', { type: 'complementary-access', noticeHours: 2 }, 24],
      ['DIV, 48 h where 72 h were agreed', { type: 'div', agreedNoticeHours: 72, noticeHours: 48 }, 72],
      ['DIV, 72 h as agreed', { type: 'div', agreedNoticeHours: 72, noticeHours: 72 }, null],
    ];
    it.each(cases)('%s', async (_label, spec, required) => {
      const { noticeHours, ...rest } = spec as { noticeHours: number };
      const start = 10 * DAY;
      const res = await plan({ ...rest, startsAt: at(start), noticeGivenAt: at(start - noticeHours * HOUR) });
      if (required === null) {
        expect(res.statusCode).toBe(201);
        expect(res.json().status).toBe('scheduled');
      } else {
        expect(res.statusCode).toBe(422);
        expect(res.json().error.code).toBe('NOTICE_RULE_VIOLATED');
        expect(res.json().error.details.requiredHours).toBe(required);
      }
    });

    it('refuses an announced type without notice, and a notice after the start', async () => {
      const none = await plan({ type: 'routine', startsAt: at(DAY) });
      expect(none.json().error.code).toBe('NOTICE_RULE_VIOLATED');
      expect(none.json().error.details.reason).toBe('no notice given');
      const late = await plan({ type: 'routine', startsAt: at(DAY), noticeGivenAt: at(2 * DAY) });
      expect(late.json().error.details.reason).toBe('notice given after the start');
    });

    it('special inspections need a consultation before the notice', async () => {
      const without = await plan({ type: 'special', startsAt: at(2 * DAY), noticeGivenAt: at(DAY) });
      expect(without.json().error.code).toBe('NOTICE_RULE_VIOLATED');
      const ok = await plan({
        type: 'special',
        startsAt: at(2 * DAY),
        noticeGivenAt: at(DAY),
        consultationAt: at(0),
      });
      expect(ok.statusCode).toBe(201);
    });

    it('sends the notice to the state as an event, and lets the state read it', async () => {
      const res = await plan({ type: 'routine', startsAt: at(9 * DAY), noticeGivenAt: at(0) });
      const id = res.json().id as string;
      const [notice] = await noticesOf(id);
      expect(notice?.state).toBe('XA');
      const seen = await get(`/api/inspections/${id}`, 'xa-ssac.reviewer');
      expect(seen.statusCode).toBe(200);
      expect(seen.json().noticeGivenAt).toBe(at(0));
      expect(seen.json().activities).toBeUndefined();
      expect((await get(`/api/inspections/${id}`, 'xb-ssac.reviewer')).statusCode).toBe(404);
      expect((await get(`/api/inspections/${id}`, RSA)).statusCode).toBe(404);
    });

    it('unannounced: no notice, hidden from the state until the team arrives', async () => {
      const res = await plan({ type: 'unannounced', startsAt: at(3 * DAY) });
      expect(res.statusCode).toBe(201);
      const id = res.json().id as string;
      expect(await noticesOf(id)).toEqual([]);
      expect((await get(`/api/inspections/${id}`, 'xa-ssac.reviewer')).statusCode).toBe(404);
      const listed = await get('/api/inspections?state=XA', 'xa-ssac.reviewer');
      expect(listed.json().items.map((x: { id: string }) => x.id)).not.toContain(id);
      const arrived = await post(`/api/inspections/${id}/arrival`, AG, { arrivedAt: at(3 * DAY) });
      expect(arrived.json().status).toBe('in-progress');
      const [notice] = await noticesOf(id);
      expect(notice?.data.arrivedAt).toBe(at(3 * DAY));
      expect((await get(`/api/inspections/${id}`, 'xa-ssac.reviewer')).statusCode).toBe(200);
      const again = await post(`/api/inspections/${id}/arrival`, AG, {});
      expect(again.json().error.code).toBe('INVALID_TRANSITION');
    });

    it('rescheduling checks the rule again', async () => {
      const id = (await plan({ type: 'routine', startsAt: at(9 * DAY), noticeGivenAt: at(0) })).json().id;
      const bad = await post(`/api/inspections/${id}/schedule`, AG, {
        startsAt: at(2 * DAY),
        noticeGivenAt: at(0),
      });
      expect(bad.json().error.code).toBe('NOTICE_RULE_VIOLATED');
      const ok = await post(`/api/inspections/${id}/schedule`, AG, {
        startsAt: at(8 * DAY),
        noticeGivenAt: at(0),
      });
      expect(ok.json().startsAt).toBe(at(8 * DAY));
    });
  });

  describe('planning and policy', () => {
    it('lets only inspectorates plan, for states in their scope, with participants of that state', async () => {
      const body = { type: 'routine', startsAt: at(9 * DAY), noticeGivenAt: at(0) };
      expect((await plan(body, 'xa-ssac.admin')).statusCode).toBe(403);
      const foreign = await post('/api/inspections', RSA, {
        ...body,
        facility: 'XC-RR',
        participants: ['rsa'],
      });
      expect(foreign.statusCode).toBe(404);
      const partner = await post('/api/inspections', AG, {
        ...body,
        facility: 'XC-RR',
        participants: ['agency', 'rsa'],
      });
      expect(partner.json().error.code).toBe('UNKNOWN_REFERENCE');
      const notMine = await post('/api/inspections', AG, {
        ...body,
        facility: 'XA-FAB',
        participants: ['rsa'],
      });
      expect(notMine.statusCode).toBe(403);
    });

    it('shows the annual routine effort against the cap', async () => {
      const res = await plan({
        type: 'routine',
        facility: 'XB-FAB',
        startsAt: '2027-03-10T08:00:00Z',
        noticeGivenAt: '2027-03-01T08:00:00Z',
        plannedManDays: 20,
        inventoryEkg: 100,
        throughputEkg: 250,
      });
      expect(res.statusCode).toBe(201);
      // other facility: 300/3 + 0.4 · 250 = 200 man-days
      expect(res.json().effort).toMatchObject({
        year: 2027,
        routineInspections: 1,
        plannedManDays: 20,
        remainingManDays: 180,
        withinCap: true,
        cap: { effectiveKg: 250, manDays: 200, rule: 'third-man-year-plus' },
      });
      // A year's effort counts the inspections starting in it (UTC), none of the years around it.
      const routine = (startsAt: string, noticeGivenAt: string) =>
        plan({ type: 'routine', facility: 'XB-FAB', startsAt, noticeGivenAt, plannedManDays: 5 });
      expect((await routine('2026-12-31T23:30:00Z', '2026-12-20T08:00:00Z')).json().effort).toMatchObject({
        year: 2026,
        routineInspections: 1,
        plannedManDays: 5,
      });
      expect((await routine('2028-01-01T00:30:00Z', '2027-12-20T08:00:00Z')).json().effort).toMatchObject({
        year: 2028,
        routineInspections: 1,
      });
      expect((await routine('2027-12-31T23:50:00Z', '2027-12-20T08:00:00Z')).json().effort).toMatchObject({
        year: 2027,
        routineInspections: 2,
        plannedManDays: 25,
      });
      const q = await get(
        '/api/inspection-effort?facility=XB-FAB&year=2027&facilityKind=reactor&inventoryEkg=1&throughputEkg=2',
        AG,
      );
      expect(q.json().cap).toEqual({
        effectiveKg: 2,
        manDays: 50,
        rule: 'one-sixth-man-year',
        maxRoutineInspections: 1,
      });
    });
  });

  describe('joint inspections: one job, one person', () => {
    let id: string;
    beforeAll(async () => {
      const res = await plan({
        type: 'routine',
        participants: ['agency', 'rsa'],
        startsAt: at(8 * DAY),
        noticeGivenAt: at(0),
        activities: ['item-counting', 'nda-measurement', 'seal-check'],
        assignments: [
          { activity: 'item-counting', inspectorate: 'rsa' },
          { activity: 'nda-measurement', inspectorate: 'agency' },
          { activity: 'seal-check', inspectorate: 'rsa' },
        ],
      });
      expect(res.statusCode).toBe(201);
      id = res.json().id;
    });

    it('refuses a plan where an activity is done twice, not at all, or by an outsider', async () => {
      const res = await put(`/api/inspections/${id}/activities`, AG, {
        activities: ['item-counting', 'nda-measurement', 'da-sampling'],
        assignments: [
          { activity: 'item-counting', inspectorate: 'rsa' },
          { activity: 'item-counting', inspectorate: 'agency' },
          { activity: 'nda-measurement', inspectorate: 'xa-ssac' },
        ],
      });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe('ASSIGNMENT_INVALID');
      const codes = res
        .json()
        .error.details.map((d: { code: string }) => d.code)
        .sort();
      expect(codes).toEqual(['DUPLICATE', 'NOT_PARTICIPANT', 'UNASSIGNED']);
      // The particulars the browser words each problem from (decision 0059).
      expect(res.json().error.details).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            code: 'DUPLICATE',
            rule: 'activity',
            values: { activity: 'item-counting' },
          }),
          expect.objectContaining({ code: 'NOT_PARTICIPANT', values: { inspectorate: 'xa-ssac' } }),
          expect.objectContaining({ code: 'UNASSIGNED', values: { activity: 'da-sampling' } }),
        ]),
      );
    });

    it('refuses three participants', async () => {
      const res = await plan({
        type: 'routine',
        participants: ['agency', 'rsa', 'agency'],
        startsAt: at(8 * DAY),
        noticeGivenAt: at(0),
      });
      expect(res.statusCode).toBe(400);
    });

    it('lets only the assigned inspectorate record, and shares the results with both', async () => {
      const stratum = {
        activity: 'nda-measurement',
        population: 10,
        operator: { random: 0.001, systematic: 0 },
        inspector: { random: 0.005, systematic: 0 },
      };
      const byRsa = await put(`/api/inspections/${id}/strata/pellets`, RSA, stratum);
      expect(byRsa.statusCode).toBe(422);
      expect(byRsa.json().error.details[0]).toMatchObject({
        code: 'ASSIGNED_TO_PARTNER',
        values: { activity: 'nda-measurement', inspectorate: 'agency' },
      });
      const unassigned = await put(`/api/inspections/${id}/strata/pellets`, AG, {
        ...stratum,
        activity: 'da-sampling',
      });
      expect(unassigned.json().error.details[0].code).toBe('UNASSIGNED');
      expect((await put(`/api/inspections/${id}/strata/pellets`, AG, stratum)).statusCode).toBe(200);
      const items = await post(`/api/inspections/${id}/strata/pellets/items`, AG, {
        items: [{ itemId: 'P-1', declared: 1000, measured: 1001 }],
      });
      expect(items.statusCode).toBe(200);
      const rsaItems = await post(`/api/inspections/${id}/strata/pellets/items`, RSA, {
        items: [{ itemId: 'P-2', declared: 1000, measured: 1000 }],
      });
      expect(rsaItems.json().error.code).toBe('ASSIGNMENT_INVALID');
      const seen = await get(`/api/inspections/${id}/verification`, RSA);
      expect(seen.statusCode).toBe(200);
      expect(seen.json()[0]).toMatchObject({ stratum: 'pellets', recordedBy: ['agency'] });
      expect(seen.json()[0].items).toHaveLength(1);
      expect((await get(`/api/inspections/${id}/verification`, 'xa-ssac.reviewer')).statusCode).toBe(404);
    });
  });

  describe('sampling plans', () => {
    const base = {
      population: 300,
      averageContent: 500,
      goalQuantity: 8000,
      nonDetectionProbability: 0.1,
      defectLevel: 'gross',
    };
    const ids = Array.from({ length: 300 }, (_, i) => `ASM-${String(i + 1).padStart(3, '0')}`);

    it('computes r = 16 and n = 41 for N = 300, x̄ = 500 g, M = 8000 g, β = 0.1', async () => {
      const res = await post('/api/sampling-plans', AG, base);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ sampleSize: 41, defectsToDetect: 16, method: 'attribute' });
      expect(res.json().sample).toBeUndefined();
      const partial = await post('/api/sampling-plans', AG, { ...base, defectLevel: 'partial' });
      expect(partial.json().method).toBe('nda-variables');
    });

    it('draws a reproducible sample from the seed and commits the draw to the log', async () => {
      const a = await post('/api/sampling-plans', AG, { ...base, itemIds: ids, seed: 'custos-2026-XA-FAB' });
      expect(a.statusCode).toBe(201);
      const b = await post('/api/sampling-plans', AG, {
        ...base,
        itemIds: [...ids].reverse(),
        seed: 'custos-2026-XA-FAB',
      });
      expect(a.json().sample).toHaveLength(41);
      expect(b.json().sample).toEqual(a.json().sample);
      expect(a.json().sample).toEqual(drawSample(ids, 41, 'custos-2026-XA-FAB'));
      expect(a.json().seed).toBe('custos-2026-XA-FAB');
      const rec = await t.ports.db.kysely
        .selectFrom('records')
        .selectAll()
        .where('id', '=', `sampling-draw:${a.json().id}`)
        .executeTakeFirstOrThrow();
      expect(rec.kind).toBe('sampling-draw');
      expect(rec.log_index).toBe(a.json().logIndex);
      const stored = await get(`/api/sampling-plans/${a.json().id}`, AG);
      expect(stored.json().sample).toEqual(a.json().sample);
      expect((await get(`/api/sampling-plans/${a.json().id}`, RSA)).statusCode).toBe(404);
    });

    it('picks and returns a random seed when none is given', async () => {
      const res = await post('/api/sampling-plans', AG, { ...base, itemIds: ids });
      expect(res.json().seed).toMatch(/^[0-9a-f]{32}$/);
      expect(res.json().sample).toEqual(drawSample(ids, 41, res.json().seed));
    });

    it('refuses an id list that is not the population, and states', async () => {
      const res = await post('/api/sampling-plans', AG, { ...base, itemIds: ids.slice(1) });
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
      expect((await post('/api/sampling-plans', 'xa-ssac.admin', base)).statusCode).toBe(403);
    });
  });

  describe('verification, findings, cases and statements (joint agency + rsa)', () => {
    let id: string;
    let planId: string;
    let sample: string[];
    const N = 300;
    const errors = {
      operator: { random: 0.001, systematic: 0.0005 },
      inspector: { random: 0.003, systematic: 0.001 },
    };
    beforeAll(async () => {
      const res = await plan({
        type: 'routine',
        participants: ['agency', 'rsa'],
        mbas: ['XA-F1'],
        startsAt: at(-2 * DAY),
        noticeGivenAt: at(-12 * DAY),
        activities: ['nda-measurement', 'seal-check'],
        assignments: [
          { activity: 'nda-measurement', inspectorate: 'agency' },
          { activity: 'seal-check', inspectorate: 'rsa' },
        ],
      });
      id = res.json().id;
      const ids = Array.from({ length: N }, (_, i) => `ASM-${i + 1}`);
      const drawn = await post('/api/sampling-plans', AG, {
        population: N,
        averageContent: 500,
        goalQuantity: 8000,
        nonDetectionProbability: 0.1,
        defectLevel: 'partial',
        itemIds: ids,
        seed: 'joint-1',
        inspectionId: id,
      });
      planId = drawn.json().id;
      sample = drawn.json().sample;
    });

    it('computes item tests and the D statistic, and turns significant ones into findings', async () => {
      const def = await put(`/api/inspections/${id}/strata/assemblies`, AG, {
        mba: 'XA-F1',
        activity: 'nda-measurement',
        population: N,
        samplingPlanId: planId,
        goalQuantity: 8000,
        ...errors,
      });
      expect(def.statusCode).toBe(200);
      const outside = await post(`/api/inspections/${id}/strata/assemblies/items`, AG, {
        items: [{ itemId: 'NOT-AN-ITEM', declared: 500, measured: 500 }],
      });
      expect(outside.json().error.details[0]).toMatchObject({
        code: 'NOT_IN_SAMPLE',
        values: { item: 'NOT-AN-ITEM' },
      });
      const items = sample.map((itemId, i) => ({
        itemId,
        declared: 500,
        // one item lacks 150 g; the others agree within measurement error
        measured: i === 7 ? 350 : 500 + (i % 3) - 1,
      }));
      const res = await post(`/api/inspections/${id}/strata/assemblies/items`, AG, { items });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      const expected = computeDStatistic({
        population: N,
        items: items.map((x) => ({ id: x.itemId, declared: x.declared, measured: x.measured })),
        ...errors,
      });
      const sumD = items.reduce((s, x) => s + (x.declared - x.measured), 0);
      expect(body.dStatistic.D).toBeCloseTo((N / 41) * sumD, 9);
      expect(body.dStatistic.D).toBeCloseTo(expected.D, 9);
      expect(body.dStatistic.variance).toBeCloseTo(expected.variance, 6);
      const significant = body.itemTests.filter((x: { significant: boolean }) => x.significant);
      expect(significant.map((x: { id: string }) => x.id)).toEqual([sample[7]]);
      const findings = (await get(`/api/inspections/${id}/findings`, RSA)).json();
      const partial = findings.find((f: { type: string }) => f.type === 'partial-defect');
      expect(partial).toMatchObject({
        severity: 'medium',
        items: [sample[7]],
        mbas: ['XA-F1'],
        source: 'verification',
      });
      expect(partial.value).toBeCloseTo(150, 9);
      // Recording the same data again adds no duplicate findings.
      await post(`/api/inspections/${id}/strata/assemblies/items`, AG, { items });
      const again = (await get(`/api/inspections/${id}/findings`, AG)).json();
      expect(again).toHaveLength(findings.length);
    });

    it('records attribute results: a broken seal is a finding', async () => {
      await put(`/api/inspections/${id}/strata/seals`, RSA, {
        activity: 'seal-check',
        population: 4,
        ...errors,
      });
      const res = await post(`/api/inspections/${id}/strata/seals/items`, RSA, {
        items: [
          { itemId: 'SEAL-1', declared: 0, sealIntact: true, present: true },
          { itemId: 'SEAL-2', declared: 0, sealIntact: false, present: true },
        ],
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().dStatistic).toBeNull();
      const findings = (await get(`/api/inspections/${id}/findings`, AG)).json();
      expect(findings.find((f: { type: string }) => f.type === 'seal-broken')).toMatchObject({
        items: ['SEAL-2'],
        severity: 'medium',
      });
    });

    it('lets the state see the findings but not the raw verification data', async () => {
      const f = await get(`/api/inspections/${id}/findings`, 'xa-ssac.reviewer');
      expect(f.statusCode).toBe(200);
      expect(f.json().length).toBeGreaterThanOrEqual(2);
      expect((await get(`/api/inspections/${id}/findings`, 'xb-ssac.reviewer')).statusCode).toBe(404);
    });

    it('opens a case for a finding, once', async () => {
      const findings = (await get(`/api/inspections/${id}/findings`, AG)).json();
      const partial = findings.find((f: { type: string }) => f.type === 'partial-defect');
      const res = await post(`/api/inspections/${id}/findings/${partial.id}/case`, AG, { kind: 'anomaly' });
      expect(res.json()).toMatchObject({ caseId: expect.any(String) });
      expect(res.statusCode).toBe(201);
      expect(res.json().caseId).toEqual(expect.any(String));
      const row = await t.ports.db.kysely
        .selectFrom('cases')
        .selectAll()
        .where('id', '=', res.json().caseId)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ kind: 'anomaly', state: 'XA', inspectorate: 'agency' });
      const twice = await post(`/api/inspections/${id}/findings/${partial.id}/case`, AG, { kind: 'anomaly' });
      expect(twice.json().error.code).toBe('CONFLICT');
      const manual = await post(`/api/inspections/${id}/findings`, RSA, {
        type: 'records-mismatch',
        severity: 'low',
        description: 'operating records list ASM-12 in the store; the item was found on the line',
        items: ['ASM-12'],
        openCase: 'discrepancy',
      });
      expect(manual.statusCode).toBe(201);
      expect(manual.json().caseId).toEqual(expect.any(String));
    });

    const seedOf = (org: string) =>
      new Uint8Array(
        Buffer.from(readFileSync(demoKeyPath(t.ports.config.dataDir, org), 'utf8').trim(), 'base64'),
      );
    async function signedStatement(login: string, signer: string, conclusion: string) {
      const draft = (await get(`/api/inspections/${id}/statements/draft`, login)).json();
      const statement = { ...draft, conclusion };
      const bytes = canonicalizeRecord(statement);
      return { statement, signature: Buffer.from(ed25519Sign(seedOf(signer), bytes)).toString('base64') };
    }

    it('each inspectorate signs its own statement; both verify independently offline', async () => {
      const wrong = await signedStatement(AG, 'rsa', 'no anomaly beyond the findings listed');
      const refused = await post(`/api/inspections/${id}/statements`, AG, wrong);
      expect(refused.statusCode).toBe(422);
      expect(refused.json().error.code).toBe('SIGNATURE_INVALID');

      const agency = await signedStatement(
        AG,
        'agency',
        'partial defect on one assembly; follow-up case opened',
      );
      const a = await post(`/api/inspections/${id}/statements`, AG, agency);
      expect(a.statusCode).toBe(201);
      expect(a.json().logIndex).toEqual(expect.any(Number));

      // The agency's signature says nothing for the regional authority.
      const afterOne = (await get(`/api/inspections/${id}/statements`, 'xa-ssac.reviewer')).json();
      expect(afterOne.map((s: { organisation: string }) => s.organisation)).toEqual(['agency']);

      const rsa = await signedStatement(RSA, 'rsa', 'seal SEAL-2 to be replaced; material accounted for');
      expect((await post(`/api/inspections/${id}/statements`, RSA, rsa)).statusCode).toBe(201);
      const dup = await post(`/api/inspections/${id}/statements`, RSA, rsa);
      expect(dup.json().error.code).toBe('ALREADY_EXISTS');

      const list = await get(`/api/inspections/${id}/statements`, 'xa-ssac.reviewer');
      expect(list.statusCode).toBe(200);
      const byOrg = new Map(list.json().map((s: { organisation: string }) => [s.organisation, s]));
      for (const org of ['agency', 'rsa']) {
        const s = byOrg.get(org) as {
          statement: unknown;
          signature: string;
          publicKey: string;
          signedBytes: string;
        };
        const bytes = canonicalizeRecord(s.statement);
        expect(Buffer.from(bytes).toString('utf8')).toBe(s.signedBytes);
        const pk = new Uint8Array(Buffer.from(s.publicKey, 'base64'));
        expect(ed25519Verify(pk, bytes, new Uint8Array(Buffer.from(s.signature, 'base64')))).toBe(true);
      }
      // Each verifies only under its own organisation's key.
      const ag = byOrg.get('agency') as { statement: unknown; signature: string };
      const rsaKey = (byOrg.get('rsa') as { publicKey: string }).publicKey;
      const agBytes = canonicalizeRecord(ag.statement);
      expect(
        ed25519Verify(
          new Uint8Array(Buffer.from(rsaKey, 'base64')),
          agBytes,
          new Uint8Array(Buffer.from(ag.signature, 'base64')),
        ),
      ).toBe(false);
      expect((await get(`/api/inspections/${id}/statements`, 'xb-ssac.reviewer')).statusCode).toBe(404);
    });

    it('refuses a statement whose facts differ from the record, or signed for the partner', async () => {
      const agency = await signedStatement(AG, 'agency', 'x');
      const forged = await post(`/api/inspections/${id}/statements`, RSA, agency);
      expect(forged.statusCode).toBe(403);
      const draft = (await get(`/api/inspections/${id}/statements/draft`, AG)).json();
      const altered = { ...draft, findings: [], conclusion: 'nothing found' };
      const bytes = canonicalizeRecord(altered);
      const res = await post(`/api/inspections/${id}/statements`, AG, {
        statement: altered,
        signature: Buffer.from(ed25519Sign(seedOf('agency'), bytes)).toString('base64'),
      });
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
      expect(res.json().error.details[0].field).toBe('statement.findings');
    });

    it('passes the audit: draws and statements rebuild from their rows', async () => {
      await t.log.flush();
      const report = await auditStore(t.ports, parseNoteVerifier(t.log.keys.vkey));
      expect(report.findings).toEqual([]);
    });
  });

  describe('designations', () => {
    it('the state accepts or rejects within 30 days; others cannot', async () => {
      const res = await post('/api/designations', 'agency.admin', {
        state: 'XA',
        inspector: 'Dr. A. Example',
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({
        status: 'pending',
        designated: false,
        receivedOn: '2026-11-28',
        answerDueOn: '2026-12-28',
      });
      const id = res.json().id;
      expect(
        (await post(`/api/designations/${id}/decision`, 'xb-ssac.admin', { decision: 'accepted' }))
          .statusCode,
      ).toBe(404);
      expect(
        (await post(`/api/designations/${id}/decision`, 'xa-ssac.reviewer', { decision: 'accepted' }))
          .statusCode,
      ).toBe(403);
      const ok = await post(`/api/designations/${id}/decision`, 'xa-ssac.admin', { decision: 'accepted' });
      expect(ok.json()).toMatchObject({ status: 'accepted', designated: true, lateAnswer: false });
      const twice = await post(`/api/designations/${id}/decision`, 'xa-ssac.admin', { decision: 'rejected' });
      expect(twice.json().error.code).toBe('INVALID_TRANSITION');
      expect(
        (await post('/api/designations', 'xa-ssac.admin', { state: 'XA', inspector: 'x' })).statusCode,
      ).toBe(403);
      expect((await post('/api/designations', 'rsa.admin', { state: 'XC', inspector: 'x' })).statusCode).toBe(
        404,
      );
    });

    it('an unanswered designation lapses after 30 days (silence is not consent)', async () => {
      const res = await post('/api/designations', RSA, { state: 'XB', inspector: 'Ms. B. Example' });
      const id = res.json().id;
      t.clock.advance(31 * DAY);
      try {
        const list = (await get('/api/designations?state=XB', 'xb-ssac.admin')).json().items;
        expect(list.find((d: { id: string }) => d.id === id)).toMatchObject({
          status: 'unanswered',
          designated: false,
        });
        expect((await get('/api/designations', RSA)).json().items.map((d: { id: string }) => d.id)).toContain(
          id,
        );
        expect(
          (await get('/api/designations', 'xa-ssac.admin')).json().items.map((d: { id: string }) => d.id),
        ).not.toContain(id);
      } finally {
        t.clock.advance(-31 * DAY);
      }
    });
  });
});
