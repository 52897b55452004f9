import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * Authorization matrix (reliability issue 3), generated from the route table: every route the app
 * registers is captured by an onRoute hook installed the moment Fastify is constructed, then
 * every route × every demo login × own state / other state / other inspectorate is called.
 * Asserted: the route is classified below (a new route cannot escape), its declared policy is
 * the one classified, 401 without (or with a bad) credential on every non-public route, no 5xx
 * anywhere, out-of-scope items answer 403/404, and no 200 body carries another state's data.
 */
interface SeenRoute {
  readonly method: string;
  readonly url: string;
  readonly auth: string | undefined;
}
const seen: SeenRoute[] = [];

vi.mock('fastify', async (importOriginal) => {
  type Factory = (opts?: unknown) => {
    addHook(
      name: 'onRoute',
      fn: (route: { method: string | string[]; url: string; config?: unknown }) => void,
    ): void;
  };
  const mod = (await importOriginal()) as { default: Factory };
  const wrapped: Factory = (opts) => {
    const app = mod.default(opts);
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        seen.push({ method, url: route.url, auth: (route.config as { auth?: string } | undefined)?.auth });
      }
    });
    return app;
  };
  return { ...mod, default: wrapped };
});

const { bearer, createTestApp } = await import('../fixtures/app.js');
const { initialReport, submit } = await import('../fixtures/reports.js');
type TestApp = Awaited<ReturnType<typeof createTestApp>>;

type StateCode = 'XA' | 'XB' | 'XC';
const STATES: StateCode[] = ['XA', 'XB', 'XC'];

/** What a route needs to be called about one target (a state and an organisation). */
interface Target {
  readonly label: string;
  readonly state: StateCode;
  readonly org: string;
  readonly mba: string;
  readonly facility: string;
  readonly agreement: string;
  /** A report of that state (submitted in beforeAll), or a placeholder id. */
  report: string;
}

const TARGETS: Target[] = [
  {
    label: 'XA',
    state: 'XA',
    org: 'xa-ssac',
    mba: 'XA-F1',
    facility: 'XA-FAB',
    agreement: 'CSA-XA',
    report: 'none',
  },
  {
    label: 'XB',
    state: 'XB',
    org: 'xb-ssac',
    mba: 'XB-F1',
    facility: 'XB-FAB',
    agreement: 'CSA-XB',
    report: 'none',
  },
  {
    label: 'XC',
    state: 'XC',
    org: 'xc-ssac',
    mba: 'XC-R1',
    facility: 'XC-RR',
    agreement: 'CSA-XC',
    report: 'none',
  },
  // Other inspectorate: the organisation-scoped routes called about the agency and the regional one.
  {
    label: 'agency',
    state: 'XC',
    org: 'agency',
    mba: 'XC-R1',
    facility: 'XC-RR',
    agreement: 'AP-XA',
    report: 'none',
  },
  {
    label: 'rsa',
    state: 'XA',
    org: 'rsa',
    mba: 'XA-R1',
    facility: 'XA-NPP',
    agreement: 'REG-RC',
    report: 'none',
  },
];

/**
 * 'item': reads one thing of the target state (out of scope → 403/404, never 200).
 * 'list' and 'read': reads filtered to the caller's scope (must not carry other states' data).
 * 'write': a mutation (called with an empty body: never 5xx, never 2xx out of scope).
 * 'self': a mutation about the caller only (its session, its tokens, its inbox).
 * 'stream': the SSE stream (only the credential checks; an open stream never ends in inject).
 * 'docs': Swagger UI assets, public by design.
 */
type Kind = 'item' | 'list' | 'read' | 'write' | 'self' | 'stream' | 'docs';
type Auth = 'public' | 'log' | 'user' | 'docs' | 'metrics' | 'peer';

interface Expectation {
  readonly auth: Auth;
  readonly kind: Kind;
  /** The URL to call for a target (defaults to the route with :params filled from the target). */
  readonly url?: (t: Target) => string;
  /** A write about the target's state, with a body the schema accepts (see StateWrite). */
  readonly write?: StateWrite;
}

/**
 * A write about one state, sent with a valid body so that the scope check, not the schema, is what
 * refuses it out of scope (FORBIDDEN for a role that may never do it, NOT_FOUND for a state outside
 * the caller's scope). `by` names a login the same write succeeds for, which proves the body valid.
 */
interface StateWrite {
  /** `variant` keeps the matrix's bodies apart from the control's (codes are unique). */
  readonly body: (t: Target, variant: string) => Record<string, unknown>;
  readonly by: (t: Target) => string;
}

const E = (auth: Auth, kind: Kind, url?: (t: Target) => string, write?: StateWrite): Expectation => ({
  auth,
  kind,
  url,
  write,
});

/** A registered code that is new for each target and variant. */
const fresh = (prefix: string, t: Target, variant: string) => `${prefix}-${t.label}-${variant}`.toUpperCase();

/** A valid Ed25519 public key (raw, base64), as an organisation registers it. */
function freshPublicKey(): string {
  const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
  return Buffer.from(jwk.x as string, 'base64url').toString('base64');
}

/** A provision of the model safeguards agreement every demo state is party to (issue 19). */
const PROVISION = 'INFCIRC/153 para 62';
const compatibilityUrl = (t: Target) =>
  `/api/states/${t.state}/compatibility/${encodeURIComponent(PROVISION)}`;

/** The inspectorate admin that may set up facilities in every demo state. */
const registryAdmin = () => 'agency.admin';

/** Every route the app registers (HEAD mirrors GET and is left out), with its policy decision. */
const EXPECTED: Record<string, Expectation> = {
  'GET /api/docs': E('docs', 'docs'),
  'GET /api/docs/static/index.html': E('docs', 'docs'),
  'GET /api/docs/static/swagger-initializer.js': E('docs', 'docs'),
  'GET /api/docs/json': E('docs', 'docs'),
  'GET /api/docs/yaml': E('docs', 'docs'),
  'GET /api/docs/static/*': E('docs', 'docs', () => '/api/docs/static/index.css'),
  'GET /api/openapi.json': E('public', 'read'),
  'GET /healthz': E('public', 'read'),
  'GET /metrics': E('metrics', 'read'),
  'POST /api/session': E('public', 'write'),
  'DELETE /api/session': E('public', 'self'),
  'GET /api/me': E('user', 'read'),
  'PUT /api/me/locale': E('user', 'self'),
  'POST /api/states': E('user', 'write'),
  'GET /api/states': E('user', 'list'),
  'GET /api/states/:code': E('user', 'read', (t) => `/api/states/${t.state}`),
  'POST /api/organisations': E('user', 'write'),
  'GET /api/organisations': E('user', 'list'),
  'GET /api/organisations/:id': E('user', 'read', (t) => `/api/organisations/${t.org}`),
  'POST /api/organisations/:id/keys': E('user', 'write', (t) => `/api/organisations/${t.org}/keys`, {
    body: () => ({ publicKey: freshPublicKey() }),
    by: (t) => `${t.org}.admin`,
  }),
  'GET /api/organisations/:id/keys': E('user', 'read', (t) => `/api/organisations/${t.org}/keys`),
  'POST /api/organisations/:id/keys/:keyId/revoke': E(
    'user',
    'write',
    (t) => `/api/organisations/${t.org}/keys/0000000000000000/revoke`,
  ),
  'GET /api/organisations/:id/users': E('user', 'read', (t) => `/api/organisations/${t.org}/users`),
  'POST /api/agreements': E('user', 'write'),
  'GET /api/agreements': E('user', 'list'),
  'GET /api/agreements/:id': E('user', 'read', (t) => `/api/agreements/${t.agreement}`),
  // The legal register is public law, read as the directory is (decision 0031).
  'POST /api/instruments': E('user', 'write'),
  'PUT /api/instruments/:id': E('user', 'write', () => '/api/instruments/INFCIRC-153'),
  'GET /api/instruments': E('user', 'list'),
  'GET /api/instruments/:id': E('user', 'read', () => '/api/instruments/INFCIRC-153'),
  'GET /api/provisions': E(
    'user',
    'read',
    () => `/api/provisions?ref=${encodeURIComponent('INFCIRC/153 para 62')}`,
  ),
  'POST /api/facilities': E('user', 'write', undefined, {
    body: (t, v) => ({
      code: fresh('F', t, v),
      name: 'matrix facility',
      type: 'storage',
      state: t.state,
      latitude: 0,
      longitude: 0,
    }),
    by: registryAdmin,
  }),
  'GET /api/facilities': E('user', 'list'),
  'GET /api/facilities/:code': E('user', 'item', (t) => `/api/facilities/${t.facility}`),
  'POST /api/mbas': E('user', 'write', undefined, {
    body: (t, v) => ({ code: fresh('M', t, v), facility: t.facility }),
    by: registryAdmin,
  }),
  'GET /api/mbas': E('user', 'list'),
  'GET /api/mbas/:code': E('user', 'item', (t) => `/api/mbas/${t.mba}`),
  'POST /api/kmps': E('user', 'write', undefined, {
    body: (t, v) => ({
      code: `K${v}`.toUpperCase(),
      mba: t.mba,
      kind: 'flow',
      method: 'matrix',
      randomRsd: 0.01,
      systematicRsd: 0.01,
    }),
    by: registryAdmin,
  }),
  'GET /api/kmps': E('user', 'list'),
  'GET /api/kmps/:id': E('user', 'item', (t) => `/api/kmps/${t.mba}:A`),
  'POST /api/users': E('user', 'write', undefined, {
    body: (t, v) => ({
      login: fresh('u', t, v).toLowerCase(),
      name: 'Matrix User',
      organisation: t.org,
      roles: ['reviewer'],
    }),
    by: (t) => `${t.org}.admin`,
  }),
  'POST /api/tokens': E('user', 'self'),
  'GET /api/tokens': E('user', 'list'),
  'GET /api/node': E('user', 'read'),
  'POST /api/peers': E('user', 'write'),
  'GET /api/peers': E('user', 'list'),
  'POST /api/peers/:id/revoke': E('user', 'write', () => '/api/peers/no-such-peer/revoke'),
  'POST /api/arrangements': E('user', 'write'),
  'GET /api/arrangements': E('user', 'list'),
  'POST /api/arrangements/:id/end': E('user', 'write', () => '/api/arrangements/no-such-arrangement/end'),
  'GET /api/states/:code/sharing': E('user', 'item', (t) => `/api/states/${t.state}/sharing`),
  'GET /api/federation/dead-letters': E('user', 'list'),
  'GET /api/federation/split-views': E('user', 'list'),
  'GET /api/federation/split-views/:id/evidence': E(
    'user',
    'read',
    () => '/api/federation/split-views/no-such-split-view/evidence',
  ),
  'POST /api/federation/split-views/:id/decision': E(
    'user',
    'write',
    () => '/api/federation/split-views/no-such-split-view/decision',
  ),
  'POST /api/federation/checkpoints': E('peer', 'write'),
  'GET /api/records/:id/provenance': E('user', 'item', (t) => `/api/records/${t.report}/provenance`),
  'GET /api/records/:id/provenance/chain': E(
    'user',
    'item',
    (t) => `/api/records/${t.report}/provenance/chain`,
  ),
  'POST /api/federation/inbox': E('peer', 'write'),
  'POST /api/tokens/:id/revoke': E('user', 'self', () => '/api/tokens/no-such-token/revoke'),
  'GET /log/checkpoint': E('log', 'read'),
  'GET /log/key': E('log', 'read'),
  'GET /log/witnesses': E('log', 'read'),
  'GET /log/tile/*': E('log', 'read', () => '/log/tile/0/000.p/1'),
  'GET /log/proof/inclusion': E('log', 'read', () => '/log/proof/inclusion?index=0&size=2'),
  'GET /log/proof/consistency': E('log', 'read', () => '/log/proof/consistency?from=1&to=2'),
  'GET /log/entries/:index': E('log', 'read', () => '/log/entries/0'),
  'GET /api/log/checkpoints': E('log', 'read'),
  'GET /api/log/checkpoints/:size': E('log', 'read', () => '/api/log/checkpoints/1'),
  'GET /api/records/:id/receipt': E('user', 'item', (t) => `/api/records/${t.report}/receipt`),
  'GET /api/records/:id': E('user', 'item', (t) => `/api/records/${t.report}`),
  'GET /api/cases': E('user', 'list'),
  'POST /api/cases': E('user', 'write', undefined, {
    body: (t) => ({ kind: 'question', state: t.state, title: 'matrix case' }),
    by: () => 'agency.inspector',
  }),
  'GET /api/cases/:id': E('user', 'item', () => '/api/cases/no-such-case'),
  'POST /api/cases/:id/transitions': E('user', 'write', () => '/api/cases/no-such-case/transitions'),
  'POST /api/cases/:id/messages': E('user', 'write', () => '/api/cases/no-such-case/messages'),
  'GET /api/cases/:id/attachments/:hash': E(
    'user',
    'item',
    () => `/api/cases/no-such-case/attachments/${'0'.repeat(64)}`,
  ),
  'GET /api/events': E('user', 'stream'),
  'GET /api/inbox': E('user', 'list'),
  'POST /api/inbox/read': E('user', 'self'),
  'POST /api/webhooks': E('user', 'write'),
  'GET /api/webhooks': E('user', 'list'),
  'DELETE /api/webhooks/:id': E('user', 'write', () => '/api/webhooks/no-such-hook'),
  'POST /api/webhooks/:id/verify': E('user', 'write', () => '/api/webhooks/no-such-hook/verify'),
  'GET /api/webhooks/:id/deliveries': E('user', 'item', () => '/api/webhooks/no-such-hook/deliveries'),
  'POST /api/devices': E('user', 'write'),
  'GET /api/devices': E('user', 'list'),
  'GET /api/devices/:id': E('user', 'item', () => '/api/devices/no-such-device'),
  'POST /api/devices/:id/lifecycle': E('user', 'write', () => '/api/devices/no-such-device/lifecycle'),
  'GET /api/devices/:id/joint-use': E('user', 'item', () => '/api/devices/no-such-device/joint-use'),
  'POST /api/devices/:id/joint-use': E('user', 'write', () => '/api/devices/no-such-device/joint-use'),
  'POST /api/devices/:id/joint-use/withdraw': E(
    'user',
    'write',
    () => '/api/devices/no-such-device/joint-use/withdraw',
  ),
  'GET /api/devices/:id/events': E('user', 'item', () => '/api/devices/no-such-device/events'),
  'GET /api/devices/:id/status': E('user', 'item', () => '/api/devices/no-such-device/status'),
  'GET /api/devices/:id/refusals': E('user', 'item', () => '/api/devices/no-such-device/refusals'),
  'POST /api/devices/:id/reverify': E('user', 'write', () => '/api/devices/no-such-device/reverify'),
  'POST /api/facilities/:code/activities': E(
    'user',
    'write',
    (t) => `/api/facilities/${t.facility}/activities`,
    {
      body: (_t, v) => ({
        containment: `MATRIX-${v}`,
        from: '2026-11-20T08:00:00Z',
        to: '2026-11-20T12:00:00Z',
        description: 'matrix activity',
      }),
      by: (t) => `${t.org}.submitter`,
    },
  ),
  'GET /api/facilities/:code/activities': E(
    'user',
    'item',
    (t) => `/api/facilities/${t.facility}/activities`,
  ),
  // A device authenticates by its signature over the batch, not as a user (decision 0029).
  'POST /api/devices/:id/batches': E('public', 'write', () => '/api/devices/no-such-device/batches'),
  'POST /api/inspections': E('user', 'write'),
  'GET /api/inspections': E('user', 'list'),
  'GET /api/inspection-effort': E('user', 'list'),
  'GET /api/inspections/:id': E('user', 'item', () => '/api/inspections/no-such-inspection'),
  'POST /api/inspections/:id/schedule': E(
    'user',
    'write',
    () => '/api/inspections/no-such-inspection/schedule',
  ),
  'POST /api/inspections/:id/arrival': E(
    'user',
    'write',
    () => '/api/inspections/no-such-inspection/arrival',
  ),
  'PUT /api/inspections/:id/activities': E(
    'user',
    'write',
    () => '/api/inspections/no-such-inspection/activities',
  ),
  'PUT /api/inspections/:id/strata/:stratum': E(
    'user',
    'write',
    () => '/api/inspections/no-such-inspection/strata/A',
  ),
  'POST /api/inspections/:id/strata/:stratum/items': E(
    'user',
    'write',
    () => '/api/inspections/no-such-inspection/strata/A/items',
  ),
  'GET /api/inspections/:id/verification': E(
    'user',
    'item',
    () => '/api/inspections/no-such-inspection/verification',
  ),
  'GET /api/inspections/:id/findings': E(
    'user',
    'item',
    () => '/api/inspections/no-such-inspection/findings',
  ),
  'POST /api/inspections/:id/findings': E(
    'user',
    'write',
    () => '/api/inspections/no-such-inspection/findings',
  ),
  'GET /api/inspections/:id/findings/:findingId': E(
    'user',
    'item',
    () => '/api/inspections/no-such-inspection/findings/f1',
  ),
  'POST /api/inspections/:id/findings/:findingId/case': E(
    'user',
    'write',
    () => '/api/inspections/no-such-inspection/findings/f1/case',
  ),
  'GET /api/inspections/:id/statements/draft': E(
    'user',
    'item',
    () => '/api/inspections/no-such-inspection/statements/draft',
  ),
  'POST /api/inspections/:id/statements': E(
    'user',
    'write',
    () => '/api/inspections/no-such-inspection/statements',
  ),
  'GET /api/inspections/:id/statements': E(
    'user',
    'item',
    () => '/api/inspections/no-such-inspection/statements',
  ),
  'POST /api/sampling-plans': E('user', 'write'),
  'GET /api/sampling-plans/:id': E('user', 'item', () => '/api/sampling-plans/no-such-plan'),
  'POST /api/designations': E('user', 'write'),
  'GET /api/designations': E('user', 'list'),
  'POST /api/designations/:id/decision': E(
    'user',
    'write',
    () => '/api/designations/no-such-designation/decision',
  ),
  'POST /api/reports': E('user', 'write'),
  // Practice only reads: it answers what submitting would do and stores nothing (decision 0026).
  'POST /api/reports/practice': E('user', 'read'),
  'GET /api/reports': E('user', 'list'),
  'GET /api/reports/:id': E('user', 'item', (t) => `/api/reports/${t.report}`),
  'GET /api/reports/:id/body': E('user', 'item', (t) => `/api/reports/${t.report}/body`),
  // Additional Protocol declarations (issue 19): signed writes, reads as the Protocols allow, and
  // the locked declaration's PUT/PATCH/DELETE (answered 404 here: no such declaration).
  'POST /api/declarations': E('user', 'write'),
  'GET /api/declarations': E('user', 'list'),
  'GET /api/declarations/:id': E('user', 'item', () => '/api/declarations/AP-XA-none'),
  'GET /api/declarations/:id/body': E('user', 'item', () => '/api/declarations/AP-XA-none/body'),
  'PUT /api/declarations/:id': E('user', 'write', () => '/api/declarations/AP-XA-none'),
  'PATCH /api/declarations/:id': E('user', 'write', () => '/api/declarations/AP-XA-none'),
  'DELETE /api/declarations/:id': E('user', 'write', () => '/api/declarations/AP-XA-none'),
  // Site maps (issue 19): a State's submitters upload for their own State; read through a declaration.
  'POST /api/declarations/attachments': E('user', 'write', undefined, {
    body: (t, v) => ({
      state: t.state,
      contentType: 'application/pdf',
      data: Buffer.from(`%PDF-1.7\n% matrix ${v}\n`).toString('base64'),
    }),
    by: (t) => `${t.org}.submitter`,
  }),
  'GET /api/declarations/:id/attachments/:hash': E(
    'user',
    'item',
    () => `/api/declarations/AP-XA-none/attachments/${'0'.repeat(64)}`,
  ),
  'GET /api/rejections': E('user', 'list'),
  'GET /api/mbas/:code/lines': E('user', 'item', (t) => `/api/mbas/${t.mba}/lines`),
  'GET /api/mbas/:code/corrections': E('user', 'item', (t) => `/api/mbas/${t.mba}/corrections`),
  'GET /api/mbas/:code/balances': E('user', 'item', (t) => `/api/mbas/${t.mba}/balances`),
  'GET /api/alarms/summary': E('user', 'list'),
  'GET /api/alarms': E('user', 'list'),
  'GET /api/transfers': E('user', 'list'),
  'GET /api/states/:code/evaluation': E('user', 'item', (t) => `/api/states/${t.state}/evaluation?year=2025`),
  'GET /api/states/:code/timeliness': E('user', 'item', (t) => `/api/states/${t.state}/timeliness`),
  'GET /api/states/:code/compatibility': E('user', 'item', (t) => `/api/states/${t.state}/compatibility`),
  'GET /api/states/:code/compatibility/:ref': E('user', 'item', (t) => compatibilityUrl(t)),
  'PUT /api/states/:code/compatibility/:ref': E('user', 'write', (t) => compatibilityUrl(t), {
    body: (_t, v) => ({ status: 'missing', note: `matrix ${v}` }),
    by: (t) => `${t.org}.submitter`,
  }),
  'POST /api/states/:code/compatibility/:ref/steps': E(
    'user',
    'write',
    (t) => `${compatibilityUrl(t)}/steps`,
  ),
  'POST /api/states/:code/compatibility/:ref/case': E('user', 'write', (t) => `${compatibilityUrl(t)}/case`),
  // Institutional roles (issue 19 item 3): read as the state's data, set by its own administrators.
  'GET /api/states/:code/institutions': E('user', 'item', (t) => `/api/states/${t.state}/institutions`),
  'PUT /api/states/:code/institutions': E('user', 'write', (t) => `/api/states/${t.state}/institutions`, {
    body: () => ({ roles: [] }),
    by: (t) => `${t.org}.admin`,
  }),
  // The harmonization view lists only the states in the caller's scope.
  'GET /api/compatibility/provisions/:ref': E(
    'user',
    'list',
    () => `/api/compatibility/provisions/${encodeURIComponent(PROVISION)}`,
  ),
  'POST /log/witness/add-checkpoint': E('public', 'write'),
  'GET /log/witness/key': E('public', 'read'),
};

/** Which states' data a login may see (demo world: rsa covers XA and XB, the agency all three). */
function visibleStates(login: string): StateCode[] {
  const org = login.split('.')[0];
  if (org === 'agency') return [...STATES];
  if (org === 'rsa') return ['XA', 'XB'];
  return STATES.filter((s) => `${s.toLowerCase()}-ssac` === org);
}

/** Strings that only appear in data of a state: its facility and MBA codes and its report ids. */
function leakMarkers(state: StateCode): string[] {
  const t = TARGETS.find((x) => x.label === state) as Target;
  const facilities: Record<StateCode, string[]> = {
    XA: ['XA-NPP', 'XA-FAB', 'XA-STO'],
    XB: ['XB-ENR', 'XB-FAB'],
    XC: ['XC-RR'],
  };
  const mbas: Record<StateCode, string[]> = {
    XA: ['XA-R1', 'XA-F1', 'XA-S1'],
    XB: ['XB-E1', 'XB-F1'],
    XC: ['XC-R1'],
  };
  return [...facilities[state], ...mbas[state], ...(t.report === 'none' ? [] : [t.report])];
}

function routeKey(r: SeenRoute): string {
  return `${r.method} ${r.url}`;
}

function defaultUrl(url: string): string {
  return url;
}

describe('authorization matrix (sqlite)', () => {
  let t: TestApp;
  let routes: SeenRoute[];
  beforeAll(async () => {
    t = await createTestApp('sqlite', { demo: true });
    routes = seen.filter((r) => r.method !== 'HEAD');
    for (const [login, state] of [
      ['xa-ssac.submitter', 'XA'],
      ['xb-ssac.submitter', 'XB'],
    ] as const) {
      const target = TARGETS.find((x) => x.label === state) as Target;
      const res = await submit(t, login, initialReport(target.mba));
      expect(res.statusCode, res.body).toBe(201);
      target.report = (res.json() as { id: string }).id;
    }
    await t.log.flush();
  });
  afterAll(async () => {
    await t.close();
  });

  it('captured the route table', () => {
    expect(routes.length).toBeGreaterThan(50);
  });

  it('classifies every route, and every classified route exists (no route escapes)', () => {
    const registered = new Set(routes.map(routeKey));
    const unclassified = [...registered].filter((k) => !(k in EXPECTED));
    const stale = Object.keys(EXPECTED).filter((k) => !registered.has(k));
    expect(unclassified, 'new routes need a line in EXPECTED (tests/api/authz-matrix.test.ts)').toEqual([]);
    expect(stale, 'EXPECTED names routes the app no longer has').toEqual([]);
  });

  it('each route declares the policy the matrix expects', () => {
    const wrong = routes
      .filter((r) => EXPECTED[routeKey(r)] !== undefined)
      .filter((r) =>
        EXPECTED[routeKey(r)]?.auth === 'docs'
          ? r.auth !== undefined
          : r.auth !== EXPECTED[routeKey(r)]?.auth,
      )
      .map((r) => `${routeKey(r)} declares ${r.auth}`);
    expect(wrong).toEqual([]);
  });

  const urlsOf = (key: string): string[] => {
    const e = EXPECTED[key] as Expectation;
    const path = key.slice(key.indexOf(' ') + 1);
    return [...new Set(TARGETS.map((target) => (e.url ? e.url(target) : defaultUrl(path))))];
  };
  const methodOf = (key: string) => key.slice(0, key.indexOf(' ')) as 'GET' | 'POST' | 'PUT' | 'DELETE';

  it('peer routes refuse anything without a node signature (RFC 9421), whatever the user token', async () => {
    const wrong: string[] = [];
    for (const key of Object.keys(EXPECTED).filter((k) => EXPECTED[k]?.auth === 'peer')) {
      for (const headers of [{}, bearer(t.adminToken)]) {
        const res = await t.app.inject({
          method: methodOf(key),
          url: urlsOf(key)[0] as string,
          headers,
          payload: {},
        });
        const code = (res.json() as { error?: { code?: string } }).error?.code;
        if (res.statusCode !== 401 || code !== 'REQUEST_SIGNATURE_INVALID')
          wrong.push(`${key} → ${res.statusCode} ${code}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('401 without credentials and with an unknown token on every user route', async () => {
    const wrong: string[] = [];
    for (const key of Object.keys(EXPECTED).filter((k) => EXPECTED[k]?.auth === 'user')) {
      for (const url of urlsOf(key)) {
        for (const headers of [{}, bearer('unknown-token-0000000000')]) {
          const method = methodOf(key);
          const res = await t.app.inject({
            method,
            url,
            headers,
            ...(method === 'GET' ? {} : { payload: {} }),
          });
          const code = (res.json() as { error?: { code?: string } }).error?.code;
          // Authentication runs at onRequest, before the body is parsed or validated: always 401.
          if (res.statusCode === 401 && code === 'UNAUTHENTICATED') continue;
          wrong.push(`${key} ${url} → ${res.statusCode} ${code}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('public and log routes answer without credentials, never 5xx', async () => {
    const wrong: string[] = [];
    for (const key of Object.keys(EXPECTED).filter(
      (k) => !['user', 'peer'].includes(EXPECTED[k]?.auth ?? ''),
    )) {
      for (const url of urlsOf(key)) {
        const method = methodOf(key);
        const res = await t.app.inject({ method, url, ...(method === 'GET' ? {} : { payload: {} }) });
        if (res.statusCode >= 500 || res.statusCode === 401) wrong.push(`${key} ${url} → ${res.statusCode}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('every login × every route × own / other state / other inspectorate: no 5xx, no leak, out of scope is 403/404', {
    timeout: 180_000,
  }, async () => {
    const problems: string[] = [];
    let calls = 0;
    for (const cred of t.demo) {
      const visible = visibleStates(cred.login);
      const hidden = STATES.filter((s) => !visible.includes(s));
      const markers = hidden.flatMap(leakMarkers);
      for (const key of Object.keys(EXPECTED)) {
        const e = EXPECTED[key] as Expectation;
        if (e.kind === 'stream' || e.kind === 'docs') continue;
        const method = methodOf(key);
        const path = key.slice(key.indexOf(' ') + 1);
        const done = new Set<string>();
        // Does the call depend on the target (an item or a write of that state), or is it the same for all?
        const targeted =
          e.write !== undefined ||
          (e.url !== undefined && e.url(TARGETS[0] as Target) !== e.url(TARGETS[1] as Target));
        for (const target of TARGETS) {
          const url = e.url ? e.url(target) : defaultUrl(path);
          const body = e.write?.body(target, 'm') ?? {};
          if (done.has(`${url} ${target.label}`) || (!targeted && done.size > 0)) continue;
          done.add(`${url} ${target.label}`);
          const res = await t.app.inject({
            method,
            url,
            headers: bearer(cred.token),
            ...(method === 'GET' ? {} : { payload: body }),
          });
          calls++;
          const where = `${cred.login} ${method} ${url}`;
          if (res.statusCode >= 500) problems.push(`${where} → ${res.statusCode} ${res.body.slice(0, 200)}`);
          // The witness endpoint speaks C2SP tlog-witness (plain-text answers, statuses fixed by the spec).
          if (res.statusCode >= 400 && !url.startsWith('/log/witness/') && !/"code":"[A-Z_]+"/.test(res.body))
            problems.push(`${where} → ${res.statusCode} without an error code`);
          const outOfScope = !visible.includes(target.state) && target.label === target.state;
          if (e.kind === 'item' && outOfScope && targeted && res.statusCode < 400)
            problems.push(`${where} → ${res.statusCode}: another state's item is readable`);
          if (e.kind === 'write' && outOfScope && res.statusCode < 300)
            problems.push(`${where} → ${res.statusCode}: a write about another state succeeded`);
          const code =
            e.write !== undefined && res.statusCode >= 400
              ? (res.json() as { error?: { code?: string } }).error?.code
              : undefined;
          if (e.write !== undefined && outOfScope && code !== 'FORBIDDEN' && code !== 'NOT_FOUND')
            problems.push(`${where} → ${res.statusCode} ${code}: not refused by the scope check`);
          if (res.statusCode === 200 && !url.startsWith('/log/') && !url.startsWith('/metrics')) {
            for (const m of markers)
              if (res.body.includes(m)) problems.push(`${where} → 200 carries ${m} (state not in scope)`);
          }
        }
      }
    }
    expect(calls).toBeGreaterThan(1000);
    // Positive control: the markers do appear where the caller may see them.
    const all = await t.app.inject({
      method: 'GET',
      url: '/api/mbas',
      headers: bearer(t.token('agency.inspector')),
    });
    for (const s of STATES)
      for (const m of leakMarkers(s).filter((x) => /^X[A-C]-[A-Z]\d$/.test(x))) expect(all.body).toContain(m);
    const own = await t.app.inject({
      method: 'GET',
      url: '/api/reports',
      headers: bearer(t.token('xb-ssac.reviewer')),
    });
    expect(own.body).toContain(TARGETS[1]?.report);
    expect(problems).toEqual([]);
  });

  it('the writes about a state send valid bodies: each succeeds for a login in scope', async () => {
    const refused: string[] = [];
    for (const [key, e] of Object.entries(EXPECTED)) {
      if (e.write === undefined) continue;
      for (const target of TARGETS.filter((x) => x.label === x.state)) {
        const url = e.url ? e.url(target) : defaultUrl(key.slice(key.indexOf(' ') + 1));
        const res = await t.app.inject({
          method: methodOf(key),
          url,
          headers: bearer(t.token(e.write.by(target))),
          payload: e.write.body(target, 'c'),
        });
        if (res.statusCode >= 300)
          refused.push(
            `${e.write.by(target)} ${key} ${target.label} → ${res.statusCode} ${res.body.slice(0, 200)}`,
          );
      }
    }
    expect(refused).toEqual([]);
  });

  it('with CUSTOS_LOG_PUBLIC=0 every log route wants a credential', async () => {
    const closed = await createTestApp('sqlite', { demo: false, env: { CUSTOS_LOG_PUBLIC: '0' } });
    try {
      const wrong: string[] = [];
      for (const key of Object.keys(EXPECTED).filter((k) => EXPECTED[k]?.auth === 'log')) {
        for (const url of urlsOf(key)) {
          const res = await closed.app.inject({ method: methodOf(key), url });
          if (res.statusCode !== 401) wrong.push(`${key} ${url} → ${res.statusCode}`);
        }
      }
      expect(wrong).toEqual([]);
    } finally {
      await closed.close();
    }
  });
});
