import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeStateApObligations } from '../../src/services/declarations/obligations.js';
import { type DurableEventSink, runSchedulerOnce } from '../../src/services/notifications/index.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { declare } from '../fixtures/declarations.js';

interface ApObligation {
  id: string;
  ref: string;
  status: string;
  dueDate: string;
  daysOverdue?: number;
  daysRemaining?: number;
  declarationId?: string;
}
interface Timeliness {
  declarations: { agreement: string; counts: Record<string, number>; obligations: ApObligation[] } | null;
}

/**
 * Issue 19 item 4: the Article 3 deadlines appear in the timeliness API and in the reminders.
 * Arcadia's Protocol entered into force on 2025-11-01; the clock stands at 2026-11-28.
 */
describe.each(testDialects())('Additional Protocol deadlines (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });
  const timeliness = async (login: string, state: string) => {
    const r = await t.app.inject({
      method: 'GET',
      url: `/api/states/${state}/timeliness`,
      headers: bearer(t.token(login)),
    });
    expect(r.statusCode).toBe(200);
    return r.json() as Timeliness;
  };
  const byId = (tl: Timeliness, id: string) => tl.declarations?.obligations.find((o) => o.id === id);

  it('lists the declarations owed with their due dates and the provision each comes from', async () => {
    const tl = await timeliness('xa-ssac.reviewer', 'XA');
    expect(tl.declarations?.agreement).toBe('AP-XA');
    expect(byId(tl, 'AP:2.a.i:initial')).toMatchObject({
      status: 'missing',
      dueDate: '2026-04-30',
      daysOverdue: 212,
      ref: 'INFCIRC/540 Art. 3.a',
    });
    expect(byId(tl, 'AP:2.a.vi.b:2025')).toMatchObject({
      dueDate: '2026-05-15',
      ref: 'INFCIRC/540 Art. 3.c',
    });
    expect(byId(tl, 'AP:2.a.ix:2026-Q3')).toMatchObject({
      status: 'upcoming',
      dueDate: '2026-11-29',
      daysRemaining: 1,
      ref: 'INFCIRC/540 Art. 3.d',
    });
    // The Agency is party to AP-XA; the regional inspectorate reads XA's reports, not its declarations.
    expect((await timeliness('agency.inspector', 'XA')).declarations?.agreement).toBe('AP-XA');
    expect((await timeliness('rsa.inspector', 'XA')).declarations).toBeNull();
    // No Protocol in force: nothing owed.
    expect((await timeliness('xc-ssac.reviewer', 'XC')).declarations).toBeNull();
  });

  it('reminds once before the due date and opens a case for what is missing', async () => {
    const source = async () => [
      {
        state: 'XA',
        obligations: [],
        declarations: (await computeStateApObligations(t.ports, 'XA', '2026-11-28'))?.obligations ?? [],
      },
    ];
    const sink = t.ports.events as DurableEventSink;
    const first = await runSchedulerOnce(t.ports, sink, source);
    expect(first.reminders).toBeGreaterThan(0);
    expect(first.casesOpened).toBeGreaterThan(0);
    const events = await t.ports.db.kysely
      .selectFrom('events')
      .select(['type', 'data'])
      .where('type', 'like', 'deadline.%')
      .where('state', '=', 'XA')
      .execute();
    const q3 = events.filter(
      (e) => (JSON.parse(e.data) as { obligation: string }).obligation === 'AP:2.a.ix:2026-Q3',
    );
    expect(q3.map((e) => e.type)).toEqual(['deadline.due-1d']);
    expect(JSON.parse(q3[0]?.data ?? '{}')).toMatchObject({
      article: '2.a.ix',
      provision: 'INFCIRC/540 Art. 3.d',
    });
    // Once only.
    const again = await runSchedulerOnce(t.ports, sink, source);
    expect(again).toMatchObject({ reminders: 0, casesOpened: 0 });
    const cases = await t.app.inject({
      method: 'GET',
      url: '/api/cases?state=XA&limit=200',
      headers: bearer(t.token('agency.inspector')),
    });
    const about = (cases.json() as { items: { kind: string; about?: { obligation?: string } }[] }).items
      .filter((c) => c.about?.obligation?.startsWith('AP:'))
      .map((c) => `${c.kind} ${c.about?.obligation}`);
    expect(about).toContain('missing-report AP:2.a.i:initial');
  });

  it('a declaration of the quarter meets it; a supplement does not count again', async () => {
    const r = await declare(t, 'xa-ssac.submitter', {
      state: 'XA',
      article: '2.a.ix',
      period: { from: '2026-07-01', to: '2026-09-30' },
      items: [],
    });
    expect(r.statusCode).toBe(201);
    const id = r.json().id as string;
    expect(byId(await timeliness('xa-ssac.reviewer', 'XA'), 'AP:2.a.ix:2026-Q3')).toMatchObject({
      status: 'met',
      declarationId: id,
    });
    t.clock.advance(10 * 86_400_000);
    await declare(t, 'xa-ssac.submitter', {
      state: 'XA',
      article: '2.a.ix',
      period: { from: '2026-07-01', to: '2026-09-30' },
      items: [],
      supplements: id,
    });
    expect(byId(await timeliness('xa-ssac.reviewer', 'XA'), 'AP:2.a.ix:2026-Q3')).toMatchObject({
      status: 'met',
      declarationId: id,
    });
  });
});
