import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNoteVerifier } from '../../src/log/index.js';
import { auditStore } from '../../src/services/audit.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';

/** The legal register (issue 19 item 1): instruments, provisions, versions, each logged. */
describe.each(testDialects())('the legal register (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
  });
  afterAll(async () => {
    await t.close();
  });
  const admin = () => bearer(t.adminToken);
  const bilateral = {
    id: 'BIL-XA-XB',
    title: 'Bilateral cooperation agreement between Arcadia and Borduria',
    kind: 'bilateral',
    parties: ['XA', 'XB'],
    signature: '2025-06-01',
    inForce: '2025-09-01',
    provisions: [
      {
        ref: 'BIL-XA-XB Art. 5',
        text: 'Each party notifies the other of an intended transfer at least 30 days before shipment.',
        obligations: [
          { kind: 'report', reportType: 'BILATERAL_TRANSFER', deadline: { anchor: 'event', days: -30 } },
        ],
      },
      { ref: 'BIL-XA-XB Art. 1', text: 'Definitions.' },
    ],
  };

  it('registers an instrument (201) and reads it back by id, with its provisions in order', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/instruments',
      headers: admin(),
      payload: bilateral,
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ id: 'BIL-XA-XB', version: 1, inForce: '2025-09-01' });
    expect(body.logIndex).toBeGreaterThanOrEqual(0);
    const got = await t.app.inject({
      method: 'GET',
      url: '/api/instruments/BIL-XA-XB',
      headers: bearer(t.token('xb-ssac.reviewer')),
    });
    expect(got.statusCode).toBe(200);
    const { logIndex: _l, ...expected } = body;
    expect(got.json()).toEqual(expected);
    expect(got.json().provisions.map((p: { ref: string }) => p.ref)).toEqual([
      'BIL-XA-XB Art. 5',
      'BIL-XA-XB Art. 1',
    ]);
  });

  it('lists the register, with the demo world’s model texts, and finds a provision by its ref', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/api/instruments?party=XA', headers: admin() });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((i: { id: string }) => i.id)).toEqual([
      'BIL-XA-XB',
      'INFCIRC-153',
      'INFCIRC-540',
    ]);
    const xc = await t.app.inject({ method: 'GET', url: '/api/instruments?party=XC', headers: admin() });
    expect(xc.json().items.map((i: { id: string }) => i.id)).toEqual(['INFCIRC-153']);
    const p = await t.app.inject({
      method: 'GET',
      url: `/api/provisions?ref=${encodeURIComponent('INFCIRC/540 Art. 4.b.(ii)')}`,
      headers: bearer(t.token('agency.inspector')),
    });
    expect(p.statusCode).toBe(200);
    expect(p.json()).toMatchObject({
      instrument: 'INFCIRC-540',
      version: 1,
      provision: {
        obligations: [{ kind: 'access', when: 'combined-with-inspection', noticePeriod: { hours: 2 } }],
      },
    });
    const none = await t.app.inject({ method: 'GET', url: '/api/provisions?ref=nope', headers: admin() });
    expect(none.statusCode).toBe(404);
  });

  it('refuses bad instruments with every problem at once, and nothing is stored', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/instruments',
      headers: admin(),
      payload: {
        ...bilateral,
        id: 'BAD-1',
        inForce: '2025-01-01',
        provisions: [
          {
            ref: 'BAD-1 a',
            text: 'x',
            obligations: [{ kind: 'report', reportType: 'X', deadline: { anchor: 'pit', days: -3 } }],
          },
          { ref: 'BAD-1 a', text: 'y' },
        ],
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    const fields = res
      .json()
      .error.details.map((d: { field: string }) => d.field)
      .sort();
    expect(fields).toEqual(['inForce', 'provisions[0].obligations[0].deadline.days', 'provisions[1].ref']);
    // Each problem carries its rule and values, so the browser words it (decision 0059).
    expect(res.json().error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          field: 'inForce',
          code: 'DATE_ORDER',
          rule: 'inForceBeforeSignature',
          values: {},
        }),
        expect.objectContaining({
          field: 'provisions[0].obligations[0].deadline.days',
          code: 'OUT_OF_RANGE',
          rule: 'beforeAnchor',
          values: {},
        }),
        expect.objectContaining({
          field: 'provisions[1].ref',
          code: 'DUPLICATE',
          rule: 'value',
          values: { value: 'BAD-1 a' },
        }),
      ]),
    );
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/instruments/BAD-1', headers: admin() })).statusCode,
    ).toBe(404);
    const dup = await t.app.inject({
      method: 'POST',
      url: '/api/instruments',
      headers: admin(),
      payload: bilateral,
    });
    expect(dup.json().error.code).toBe('ALREADY_EXISTS');
    const party = await t.app.inject({
      method: 'POST',
      url: '/api/instruments',
      headers: admin(),
      payload: { ...bilateral, id: 'BIL-2', parties: ['XA', 'ZZ'], provisions: [] },
    });
    expect(party.json().error.code).toBe('UNKNOWN_REFERENCE');
    const stolen = await t.app.inject({
      method: 'POST',
      url: '/api/instruments',
      headers: admin(),
      payload: { ...bilateral, id: 'BIL-3', provisions: [{ ref: 'INFCIRC/153 para 62', text: 'mine' }] },
    });
    expect(stolen.statusCode).toBe(409);
    expect(stolen.json().error.code).toBe('CONFLICT');
  });

  it('only registry administrators write; everyone signed in reads', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/instruments',
      headers: bearer(t.token('xa-ssac.submitter')),
      payload: { ...bilateral, id: 'BIL-4', provisions: [] },
    });
    expect(res.statusCode).toBe(403);
    const anon = await t.app.inject({ method: 'GET', url: '/api/instruments/INFCIRC-153' });
    expect(anon.statusCode).toBe(401);
  });

  it('a change makes a new version; old versions stay readable; a stale change is refused', async () => {
    const changed = {
      ...bilateral,
      provisions: [{ ...bilateral.provisions[0], text: 'Notice at least 45 days before shipment.' }],
    };
    const { id: _id, ...body } = changed;
    const res = await t.app.inject({
      method: 'PUT',
      url: '/api/instruments/BIL-XA-XB',
      headers: admin(),
      payload: { ...body, baseVersion: 1 },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      version: 2,
      provisions: [{ text: 'Notice at least 45 days before shipment.' }],
    });
    const v1 = await t.app.inject({
      method: 'GET',
      url: '/api/instruments/BIL-XA-XB?version=1',
      headers: admin(),
    });
    expect(v1.json().provisions).toHaveLength(2);
    const stale = await t.app.inject({
      method: 'PUT',
      url: '/api/instruments/BIL-XA-XB',
      headers: admin(),
      payload: { ...body, baseVersion: 1 },
    });
    expect(stale.json().error.code).toBe('CONFLICT');
    // The dropped ref is free again for another instrument.
    const reuse = await t.app.inject({
      method: 'POST',
      url: '/api/instruments',
      headers: admin(),
      payload: { ...bilateral, id: 'BIL-5', provisions: [{ ref: 'BIL-XA-XB Art. 1', text: 'moved' }] },
    });
    expect(reuse.statusCode).toBe(201);
  });

  it('every version is a log record the audit rebuilds; a provision edited in the database is named', async () => {
    await t.log.flush();
    const verifier = parseNoteVerifier(t.log.keys.vkey);
    expect((await auditStore(t.ports, verifier)).findings).toEqual([]);
    await t.ports.db.kysely
      .updateTable('legal_provisions')
      .set({ text: 'rewritten' })
      .where('instrument_id', '=', 'BIL-XA-XB')
      .where('version', '=', 1)
      .where('position', '=', 0)
      .execute();
    const findings = (await auditStore(t.ports, verifier)).findings.map((f) => `${f.kind} ${f.where}`);
    expect(
      findings.some((f) => f.startsWith('record-changed') && f.includes('instrument:BIL-XA-XB:v1')),
    ).toBe(true);
  });
});

/** Issue 19 item 1: deadlines and notices cite their provision, and follow a changed provision. */
describe.each(testDialects())('rules from the register (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
  });
  afterAll(async () => {
    await t.close();
  });
  const admin = () => bearer(t.adminToken);
  const timeliness = async () =>
    (
      await t.app.inject({
        method: 'GET',
        url: '/api/states/XA/timeliness?limit=1000',
        headers: bearer(t.token('xa-ssac.reviewer')),
      })
    ).json() as { obligations: { id: string; dueDate: string; basis: { ref: string; version: number } }[] };
  const plan = (hoursAhead: number) => {
    const start = new Date(t.clock.now().getTime() + 30 * 86_400_000);
    return t.app.inject({
      method: 'POST',
      url: '/api/inspections',
      headers: bearer(t.token('agency.inspector')),
      payload: {
        type: 'routine',
        participants: ['agency'],
        facility: 'XA-FAB',
        facilityKind: 'other',
        startsAt: start.toISOString(),
        noticeGivenAt: new Date(start.getTime() - hoursAhead * 3_600_000).toISOString(),
      },
    });
  };

  it('every obligation cites the provision of the demo register it comes from', async () => {
    const { obligations } = await timeliness();
    const icr =
      obligations.find((o) => o.id === 'ICR:XA-FAB-1:2026-01') ??
      obligations.find((o) => o.id.startsWith('ICR:'));
    expect(icr?.basis).toEqual({ ref: 'INFCIRC/153 para 63(a)', instrument: 'INFCIRC-153', version: 1 });
    const initial = obligations.find((o) => o.id.startsWith('INITIAL:'));
    expect(initial).toMatchObject({ dueDate: '2025-12-30', basis: { ref: 'INFCIRC/153 para 62' } });
  });

  it('an inspection notice is judged under its provision, and cites it', async () => {
    const ok = await plan(168);
    expect(ok.statusCode).toBe(201);
    expect(ok.json().noticeBasis).toEqual({
      ref: 'INFCIRC/153 para 83(c)',
      instrument: 'INFCIRC-153',
      version: 1,
    });
    const short = await plan(100);
    expect(short.statusCode).toBe(422);
    expect(short.json().error).toMatchObject({
      code: 'NOTICE_RULE_VIOLATED',
      details: { requiredHours: 168, basis: { ref: 'INFCIRC/153 para 83(c)' } },
    });
  });

  it('a changed provision changes the deadlines and the notice rule, citing the new version', async () => {
    const current = (
      await t.app.inject({ method: 'GET', url: '/api/instruments/INFCIRC-153', headers: admin() })
    ).json();
    const before = await timeliness();
    const { id: _id, version, ...body } = current;
    const provisions = body.provisions.map((p: { ref: string }) =>
      p.ref === 'INFCIRC/153 para 62'
        ? {
            ...p,
            obligations: [
              {
                kind: 'report',
                reportType: 'INITIAL',
                deadline: { anchor: 'end-of-month-of-entry-into-force', days: 45 },
              },
            ],
          }
        : p.ref === 'INFCIRC/153 para 83(c)'
          ? {
              ...p,
              obligations: [
                { kind: 'notice', subject: 'routine', when: 'strategic-facility', leadTime: { hours: 24 } },
                { kind: 'notice', subject: 'routine', leadTime: { hours: 72 } },
              ],
            }
          : p,
    );
    const res = await t.app.inject({
      method: 'PUT',
      url: '/api/instruments/INFCIRC-153',
      headers: admin(),
      payload: { ...body, provisions, baseVersion: version },
    });
    expect(res.statusCode).toBe(200);
    const after = await timeliness();
    const initial = after.obligations.find((o) => o.id.startsWith('INITIAL:'));
    expect(initial).toMatchObject({
      dueDate: '2026-01-14',
      basis: { ref: 'INFCIRC/153 para 62', version: 2 },
    });
    // Obligations under untouched provisions keep their dates, now citing version 2.
    const icrBefore = before.obligations.filter((o) => o.id.startsWith('ICR:')).map((o) => o.dueDate);
    const icrAfter = after.obligations.filter((o) => o.id.startsWith('ICR:')).map((o) => o.dueDate);
    expect(icrAfter).toEqual(icrBefore);
    const short = await plan(100);
    expect(short.statusCode).toBe(201);
    expect(short.json().noticeBasis).toEqual({
      ref: 'INFCIRC/153 para 83(c)',
      instrument: 'INFCIRC-153',
      version: 2,
    });
  });
});
