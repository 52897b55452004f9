/**
 * GET /api/inspections and GET /api/designations paged in SQL (issue 14, decision 0090). The
 * oracle is the lists as they were: every row read in the list's order, then kept in JavaScript
 * by the old rules (scope, participation in the parsed `participants`, the state's view of
 * unannounced inspections). Pages of every size must add up to it, row for row, for every kind of
 * caller — among them inspectorates whose ids are a prefix of another's, contain a LIKE wildcard
 * or differ only in case — and each listed inspection must be what reading it alone answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FACILITY_KINDS,
  INSPECTION_TYPES,
  JOINT_ACTIVITIES,
  type JointActivity,
} from '../../src/domain/inspections/index.js';
import { inScope, isGlobalAdmin, isInspectorate, type Principal } from '../../src/domain/policy/index.js';
import type { OrganisationKind } from '../../src/domain/registry/index.js';
import { DEMO_FACILITIES } from '../../src/services/demo/world.js';
import { createInspectionService, type InspectionService } from '../../src/services/inspections/index.js';
import { scopeOf } from '../../src/services/scope.js';
import { createInspectionsRepo } from '../../src/store/inspections.repo.js';
import { createRegistryRepo } from '../../src/store/registry.repo.js';
import type { InspectionRow, InspectorDesignationRow } from '../../src/store/schema.types.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { seededRandom } from '../fixtures/random.js';

/**
 * Inspectorates beside the demo's `agency` and `rsa`: a prefix of `agency`, one `agency` is a
 * prefix of, one whose `_` a LIKE pattern would read as any character, one differing in case, and
 * one party to no agreement in force.
 */
const EXTRA_INSPECTORATES = ['agen', 'agency-2', 'agenc_', 'AGENCY', 'lapsed'] as const;
const INSPECTORATES: readonly [string, OrganisationKind][] = [
  ['agency', 'inspectorate'],
  ['rsa', 'regional-inspectorate'],
  ...EXTRA_INSPECTORATES.map((id): [string, OrganisationKind] => [id, 'inspectorate']),
];
const PARTICIPANTS: readonly string[][] = [
  ['agency'],
  ['agency', 'rsa'],
  ['rsa'],
  ['agen'],
  ['agency-2'],
  ['agenc_'],
  ['AGENCY'],
  ['agen', 'agency-2'],
  ['rsa', 'agenc_'],
  ['lapsed'],
  ['agency', 'lapsed'],
];

const principal = (
  login: string,
  org: string | null,
  kind: OrganisationKind | null,
  state: string | null,
  roles: string[],
): Principal =>
  ({
    userId: `u-${login}`,
    login,
    organisationId: org,
    organisationKind: kind,
    state,
    roles: new Set(roles),
  }) as Principal;

const CALLERS: readonly Principal[] = [
  principal('admin', null, null, null, ['admin']),
  ...INSPECTORATES.map(([id, kind]) => principal(`${id}.inspector`, id, kind, null, ['inspector'])),
  principal('xa.reviewer', 'xa-ssac', 'state-authority', 'XA', ['reviewer']),
  principal('xb.admin', 'xb-ssac', 'state-authority', 'XB', ['admin']),
  principal('xc.submitter', 'xc-ssac', 'state-authority', 'XC', ['submitter']),
];

describe.each(testDialects())('inspection and designation lists on %s', (dialect) => {
  let t: TestApp;
  let svc: InspectionService;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    svc = createInspectionService(t.ports);
    await seedWorld(t);
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  /** The old list: every row in the list's order, kept by the rules in JavaScript. */
  async function oldInspections(p: Principal, f: { state?: string; from?: string; to?: string } = {}) {
    const scope = await scopeOf(t.ports, p);
    const rows = await t.ports.db.kysely
      .selectFrom('inspections')
      .selectAll()
      .orderBy('starts_at')
      .orderBy('id')
      .execute();
    return rows
      .filter((r) => f.state === undefined || r.state === f.state)
      .filter(
        (r) => (f.from === undefined || r.starts_at >= f.from) && (f.to === undefined || r.starts_at < f.to),
      )
      .filter((r) => inScope(scope, r.state))
      .filter((r) =>
        isGlobalAdmin(p)
          ? true
          : isInspectorate(p)
            ? (JSON.parse(r.participants) as string[]).includes(p.organisationId ?? '')
            : !(r.type === 'unannounced' && r.arrived_at === null),
      )
      .map((r) => r.id);
  }

  async function oldDesignations(p: Principal) {
    const scope = await scopeOf(t.ports, p);
    const rows = await t.ports.db.kysely
      .selectFrom('inspector_designations')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows
      .filter(
        (r) =>
          isGlobalAdmin(p) ||
          (isInspectorate(p) ? r.inspectorate === p.organisationId : inScope(scope, r.state)),
      )
      .map((r) => r.id);
  }

  /** Every page of a list at one size, checking each page's total and window. */
  async function walk(
    read: (w: { limit: number; offset: number }) => Promise<{ items: { id: string }[]; total: number }>,
    limit: number,
  ): Promise<{ ids: string[]; totals: Set<number> }> {
    const ids: string[] = [];
    const totals = new Set<number>();
    for (let offset = 0; ; offset += limit) {
      const page = await read({ limit, offset });
      totals.add(page.total);
      expect(page.items.length).toBeLessThanOrEqual(limit);
      ids.push(...page.items.map((i) => i.id));
      if (page.items.length < limit) break;
    }
    return { ids, totals };
  }

  it('pages every caller’s inspections exactly as the old rules listed them, at every page size', async () => {
    let nonEmpty = 0;
    for (const p of CALLERS) {
      const expected = await oldInspections(p);
      if (expected.length > 0) nonEmpty += 1;
      for (const limit of [1, 7, 500]) {
        const { ids, totals } = await walk((w) => svc.listInspections(p, w), limit);
        expect(ids, `${p.login} by ${limit}`).toEqual(expected);
        expect([...totals], `${p.login} by ${limit}`).toEqual([expected.length]);
      }
      const past = await svc.listInspections(p, { limit: 10, offset: expected.length + 5 });
      expect(past.items).toEqual([]);
      expect(past.total).toBe(expected.length);
    }
    // Every caller but the one out of every agreement (lapsed) sees something.
    expect(nonEmpty).toBeGreaterThanOrEqual(CALLERS.length - 1);
  });

  it('an inspectorate lists only the inspections it takes part in, never those of an id it is a prefix of', async () => {
    const listed = async (org: string) => {
      const p = CALLERS.find((c) => c.organisationId === org) as Principal;
      const page = await svc.listInspections(p, { limit: 500, offset: 0 });
      return page.items;
    };
    for (const org of ['agency', 'agen', 'agenc_', 'AGENCY']) {
      const items = await listed(org);
      expect(items.length, org).toBeGreaterThan(0);
      for (const i of items) expect(i.participants, org).toContain(org);
    }
    // lapsed is party to no agreement in force: no state is in its scope, whatever it takes part in.
    expect(await listed('lapsed')).toEqual([]);
  });

  it('hides from a state its unannounced inspections until the team arrives, and shows it only its part', async () => {
    const p = CALLERS.find((c) => c.login === 'xa.reviewer') as Principal;
    const page = await svc.listInspections(p, { limit: 500, offset: 0 });
    const all = await t.ports.db.kysely
      .selectFrom('inspections')
      .selectAll()
      .where('state', '=', 'XA')
      .execute();
    const hidden = all.filter((r) => r.type === 'unannounced' && r.arrived_at === null).map((r) => r.id);
    const arrived = all.filter((r) => r.type === 'unannounced' && r.arrived_at !== null).map((r) => r.id);
    expect(hidden.length).toBeGreaterThan(0);
    expect(arrived.length).toBeGreaterThan(0);
    const ids = page.items.map((i) => i.id);
    for (const id of hidden) expect(ids).not.toContain(id);
    for (const id of arrived) expect(ids).toContain(id);
    expect(page.items.every((i) => i.state === 'XA' && i.activities === undefined)).toBe(true);
  });

  it('narrows by state and by the start’s dates as the old list did', async () => {
    for (const p of CALLERS.filter((c) => c.login === 'admin' || c.login === 'agency.inspector')) {
      for (const f of [{ state: 'XB' }, { from: '2027-01-01', to: '2027-07-01' }, { from: '2028-02-15' }]) {
        const { ids, totals } = await walk((w) => svc.listInspections(p, { ...f, ...w }), 5);
        const expected = await oldInspections(p, f);
        expect(ids, JSON.stringify(f)).toEqual(expected);
        expect([...totals]).toEqual([expected.length]);
      }
    }
  });

  it('answers each listed inspection as reading it alone does (activities and effort read per page)', async () => {
    for (const login of ['admin', 'agency.inspector', 'rsa.inspector', 'xb.admin']) {
      const p = CALLERS.find((c) => c.login === login) as Principal;
      const page = await svc.listInspections(p, { limit: 500, offset: 0 });
      for (const item of page.items) expect(item, login).toEqual(await svc.getInspection(p, item.id));
    }
    const admin = CALLERS[0] as Principal;
    const routine = (await svc.listInspections(admin, { limit: 500, offset: 0 })).items.filter(
      (i) => i.effort !== undefined,
    );
    expect(routine.length).toBeGreaterThan(5);
    expect(routine.some((i) => (i.activities?.length ?? 0) > 0)).toBe(true);
  });

  it('pages every caller’s designations exactly as the old rules listed them', async () => {
    for (const p of CALLERS) {
      const expected = await oldDesignations(p);
      for (const limit of [1, 4, 500]) {
        const { ids, totals } = await walk((w) => svc.listDesignations(p, w), limit);
        expect(ids, `${p.login} by ${limit}`).toEqual(expected);
        expect([...totals], `${p.login} by ${limit}`).toEqual([expected.length]);
      }
    }
    // The inspectorate sees its own proposals even to a state it no longer has an agreement with.
    const orphan = CALLERS.find((c) => c.organisationId === 'lapsed') as Principal;
    expect((await svc.listDesignations(orphan, { limit: 500, offset: 0 })).total).toBeGreaterThan(0);
  });

  describe('over HTTP', () => {
    /** As a demo user, or as the node's administrator (who sees every inspection). */
    const get = (url: string, login?: string) =>
      t.app.inject({ method: 'GET', url, headers: bearer(login ? t.token(login) : t.adminToken) });

    it('answers a page with its total and window, 100 rows by default', async () => {
      const first = await get('/api/inspections');
      expect(first.statusCode, first.body).toBe(200);
      const body = first.json() as { items: { id: string }[]; total: number; limit: number; offset: number };
      expect(body.limit).toBe(100);
      expect(body.offset).toBe(0);
      expect(body.total).toBeGreaterThan(100);
      expect(body.items).toHaveLength(100);
      const rest = (await get(`/api/inspections?limit=500&offset=100`)).json() as typeof body;
      expect(rest.total).toBe(body.total);
      const ids = [...body.items, ...rest.items].map((i) => i.id);
      expect(ids).toHaveLength(body.total);
      expect(new Set(ids).size).toBe(body.total);
      const designations = (await get('/api/designations?state=XA&limit=3', 'xa-ssac.admin')).json();
      expect(designations).toMatchObject({ limit: 3, offset: 0 });
      expect(designations.items.length).toBeLessThanOrEqual(3);
      expect(designations.items.every((d: { state: string }) => d.state === 'XA')).toBe(true);
    });

    it('refuses a bad window, a bad date or an unknown parameter with 400 VALIDATION_FAILED', async () => {
      for (const [url, field] of [
        ['/api/inspections?limit=0', 'querystring.limit'],
        ['/api/inspections?limit=501', 'querystring.limit'],
        ['/api/inspections?limit=ten', 'querystring.limit'],
        ['/api/inspections?offset=-1', 'querystring.offset'],
        ['/api/inspections?offset=1.5', 'querystring.offset'],
        ['/api/inspections?from=2027-13-01', 'querystring.from'],
        ['/api/inspections?to=tomorrow', 'querystring.to'],
        ['/api/inspections?sort=startsAt', 'querystring'],
        ['/api/designations?limit=0', 'querystring.limit'],
        ['/api/designations?limit=501', 'querystring.limit'],
        ['/api/designations?offset=-1', 'querystring.offset'],
      ] as const) {
        const res = await get(url, 'agency.inspector');
        expect(res.statusCode, url).toBe(400);
        expect(res.json().error.code, url).toBe('VALIDATION_FAILED');
        expect(JSON.stringify(res.json().error.details), url).toContain(field);
      }
    });

    it('a state out of scope is 404, as it was', async () => {
      expect((await get('/api/inspections?state=XB', 'xa-ssac.reviewer')).statusCode).toBe(404);
      expect((await get('/api/designations?state=XC', 'rsa.inspector')).statusCode).toBe(404);
    });
  });
});

/**
 * The world the lists are read from: the extra inspectorates (each but `lapsed` party to an
 * agreement in force with XA and XB), 240 inspections over three years with every type, arrival
 * and participant set (starts repeated so the id breaks ties; some written with an offset), and
 * designations by every inspectorate.
 */
async function seedWorld(t: TestApp): Promise<void> {
  const registry = createRegistryRepo(t.ports.db);
  const k = t.ports.db.kysely;
  const by = { at: '2026-11-01T00:00:00Z', by: 'test' };
  for (const id of EXTRA_INSPECTORATES) {
    await registry.insertOrganisation(
      k,
      { id, name: `Inspectorate ${id}`, kind: 'inspectorate', state: null },
      by,
    );
  }
  await registry.insertAgreement(
    k,
    {
      id: 'CSA-EXTRA',
      type: 'CSA',
      title: 'Test agreement of the extra inspectorates',
      entryIntoForce: '2025-11-01',
      status: 'in-force',
      parties: [
        { kind: 'state', ref: 'XA' },
        { kind: 'state', ref: 'XB' },
        { kind: 'organisation', ref: 'agen' },
        { kind: 'organisation', ref: 'agency-2' },
        { kind: 'organisation', ref: 'agenc_' },
        { kind: 'organisation', ref: 'AGENCY' },
      ],
    },
    by,
  );
  const random = seededRandom(90);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const repo = createInspectionsRepo(k);
  const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString();
  for (let i = 0; i < 240; i++) {
    const facility = pick(DEMO_FACILITIES);
    const type = i % 5 === 0 ? 'unannounced' : pick(INSPECTION_TYPES);
    // Every third start repeats the one before: the id orders them.
    const start = day(Math.floor(i / 3) * 13 + (i % 3 === 0 ? 0 : 1));
    const startsAt = i % 11 === 0 ? `${start.slice(0, 19)}+02:00` : start;
    const row: InspectionRow = {
      id: `ins-t${String((i * 7919) % 1000).padStart(3, '0')}-${i}`,
      type,
      facility: facility.code,
      state: facility.state,
      facility_kind: pick(FACILITY_KINDS),
      mbas: '[]',
      participants: JSON.stringify(pick(PARTICIPANTS)),
      starts_at: startsAt,
      notice_given_at: type === 'unannounced' ? null : start,
      arrived_at: random() < 0.4 ? start : null,
      notice_terms: '{}',
      required_notice_hours: 24,
      planned_man_days: Math.floor(random() * 20),
      inventory_ekg: random() < 0.5 ? Math.floor(random() * 5000) : null,
      throughput_ekg: random() < 0.5 ? Math.floor(random() * 5000) : null,
      status: 'scheduled',
      created_at: day(i),
      created_by: 'test',
    };
    await repo.insertInspection(row);
    if (random() < 0.5) {
      const activities = new Set<JointActivity>([pick(JOINT_ACTIVITIES), pick(JOINT_ACTIVITIES)]);
      const who = JSON.parse(row.participants) as string[];
      await repo.replaceActivities(
        row.id,
        [...activities].map((activity) => ({ activity, inspectorate: pick(who) })),
      );
    }
  }
  for (let i = 0; i < 60; i++) {
    const row: InspectorDesignationRow = {
      id: `des-t${String((i * 31) % 100).padStart(2, '0')}-${i}`,
      inspectorate: pick(INSPECTORATES)[0],
      state: pick(['XA', 'XB', 'XC']),
      inspector: `Inspector ${i}`,
      received_on: day(i).slice(0, 10),
      decision: null,
      decided_on: null,
      decided_by: null,
      // Pairs proposed at the same instant: the id orders them.
      created_at: day(Math.floor(i / 2)),
      created_by: 'test',
    };
    await repo.insertDesignation(row);
  }
}
