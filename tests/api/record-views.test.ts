import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../src/cli/reports.js';
import { GENESIS_PREV, signBatch } from '../../src/domain/monitoring/index.js';
import { ed25519PublicKey } from '../../src/log/index.js';
import { contentLoaderFor } from '../../src/services/record-content.js';
import type { RecordKind } from '../../src/store/schema.types.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { demoSeed, initialReport, submit } from '../fixtures/reports.js';

/**
 * Issue 15 item 1: a record is shown only through its resource's view. For every record kind ×
 * every demo login, what the record endpoints reveal (the content at /api/records/:id and the
 * receipt) is compared with what the resource's own endpoint shows that login: the record is
 * readable exactly when the resource shows it whole. On the old code the partner inspectorate and
 * the state read the opening transition's internal note, and auditors read every report.
 */
const KINDS: readonly RecordKind[] = [
  'report',
  'report-rejection',
  'key-registration',
  'key-revocation',
  'agreement',
  'inspection-statement',
  'case-transition',
  'case-message',
  'sampling-draw',
  'legal-instrument',
  'device-change',
  'device-batch',
  'declared-activity',
  'compatibility-entry',
  'compatibility-step',
  'declaration',
];

interface Rec {
  readonly id: string;
  readonly kind: RecordKind;
  readonly subject_state: string | null;
  readonly subject_org: string | null;
}

/** Counts for RELIABILITY.md's security section (printed at the end). */
const checked = { logins: 0, records: 0, kinds: 0, requests: 0 };

describe('record views (sqlite)', () => {
  let t: TestApp;
  let caseId = '';
  let attachmentHash = '';
  beforeAll(async () => {
    t = await createTestApp('sqlite', { demo: 'full' });
    const as = (login: string) => bearer(t.token(login));
    const post = async (url: string, login: string, payload: object) => {
      const res = await t.app.inject({ method: 'POST', url, headers: as(login), payload });
      expect(res.statusCode, `${url} ${res.body}`).toBeLessThan(300);
      return res.json();
    };
    // A refusal (unsigned garbage is still a committed rejection) and a revoked key.
    const refused = await submit(t, 'xa-ssac.submitter', { ...initialReport(), lines: 'x' });
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);
    const keys = await t.app.inject({
      method: 'GET',
      url: '/api/organisations/xb-ssac/keys',
      headers: as('xb-ssac.admin'),
    });
    const keyId = (keys.json() as { items: { id: string }[] }).items[0]?.id as string;
    await post(`/api/organisations/xb-ssac/keys/${encodeURIComponent(keyId)}/revoke`, 'xb-ssac.admin', {});
    // A case about XA (shared with the regional partner) with internal and shared notes.
    caseId = (
      await post('/api/cases', 'agency.inspector', {
        kind: 'question',
        state: 'XA',
        mba: 'XA-F1',
        title: 'record views',
        note: 'INTERNAL-OPENING-NOTE',
      })
    ).id as string;
    const internal = await post(`/api/cases/${caseId}/messages`, 'agency.inspector', {
      text: 'INTERNAL-MESSAGE',
      internal: true,
      attachments: [
        { name: 'n.txt', contentType: 'text/plain', data: Buffer.from('INTERNAL-FILE').toString('base64') },
      ],
    });
    attachmentHash = internal.history.at(-1).attachments[0].hash as string;
    await post(`/api/cases/${caseId}/messages`, 'agency.inspector', { text: 'SHARED-MESSAGE' });
    await post(`/api/cases/${caseId}/transitions`, 'agency.inspector', {
      to: 'question-sent',
      note: 'INTERNAL-TRANSITION-NOTE',
      internal: true,
      dueDate: '2027-01-15',
    });
    // A free-standing sampling draw of the agency (the seed is the inspectorate's).
    await post('/api/sampling-plans', 'agency.inspector', {
      population: 30,
      averageContent: 500,
      goalQuantity: 8000,
      nonDetectionProbability: 0.1,
      defectLevel: 'gross',
      itemIds: Array.from({ length: 30 }, (_, i) => `I-${i}`),
    });
    // A monitoring device of the agency at an XA facility, and one batch of its (decision 0029).
    const seed = new Uint8Array(32).fill(21);
    await post('/api/devices', 'agency.admin', {
      id: 'RV-SEAL',
      kind: 'seal',
      facility: 'XA-STO',
      owners: ['agency'],
      publicKey: Buffer.from(ed25519PublicKey(seed)).toString('base64'),
      heartbeatSeconds: 600,
    });
    const batch = signBatch(seed, {
      device: 'RV-SEAL',
      seq: 1,
      prev: GENESIS_PREV,
      events: [{ time: t.clock.now().toISOString(), type: 'seal-close' }],
    });
    const sent = await t.app.inject({
      method: 'POST',
      url: '/api/devices/RV-SEAL/batches',
      headers: { 'content-type': 'application/json', 'custos-signature': batch.header },
      payload: Buffer.from(batch.bytes),
    });
    expect(sent.statusCode, sent.body).toBe(201);
    // Joint use granted after installation (decision 0063): the partner inspectorate reads the
    // device's data, batch included; the state was granted it and withdrawn, so reads health only.
    // The grant and withdrawal are device changes, read as the device is.
    await post('/api/devices/RV-SEAL/joint-use', 'agency.admin', {
      organisation: 'rsa',
      agreement: 'CSA-XA',
    });
    await post('/api/devices/RV-SEAL/joint-use', 'agency.admin', {
      organisation: 'xa-ssac',
      agreement: 'CSA-XA',
    });
    await post('/api/devices/RV-SEAL/joint-use/withdraw', 'agency.admin', { organisation: 'xa-ssac' });
    // Domestic-law compatibility (issue 19 item 2): an entry of XA, and a signed review step of XC
    // (XB's key was revoked above).
    const provision = encodeURIComponent('INFCIRC/153 para 62');
    const entry = await t.app.inject({
      method: 'PUT',
      url: `/api/states/XA/compatibility/${provision}`,
      headers: as('xa-ssac.submitter'),
      payload: { status: 'partial', note: 'record views' },
    });
    expect(entry.statusCode, entry.body).toBe(200);
    const step = Buffer.from(
      JSON.stringify({
        v: 1,
        type: 'custos/compatibility-step',
        state: 'XC',
        provision: 'INFCIRC/153 para 62',
        seq: 1,
        step: 'review',
        status: 'missing',
      }),
    );
    const reviewed = await t.app.inject({
      method: 'POST',
      url: `/api/states/XC/compatibility/${provision}/steps`,
      headers: {
        ...as('xc-ssac.submitter'),
        'content-type': 'application/json',
        'custos-signature': signatureHeader(demoSeed(t, 'xc-ssac'), step),
      },
      payload: step,
    });
    expect(reviewed.statusCode, reviewed.body).toBe(201);
    await t.log.flush();
  }, 240_000);
  afterAll(async () => {
    await t?.close();
  });

  /** Up to `per` records of each kind and subject state, plus every record of the case made above. */
  async function sample(per: number): Promise<Rec[]> {
    const rows = (await t.ports.db.kysely
      .selectFrom('records')
      .select(['id', 'kind', 'subject_state', 'subject_org'])
      .orderBy('log_index', 'desc')
      .execute()) as Rec[];
    const taken = new Map<string, number>();
    return rows.filter((r) => {
      if (r.id.includes(caseId)) return true;
      const key = `${r.kind} ${r.subject_state} ${r.subject_org}`;
      const n = taken.get(key) ?? 0;
      taken.set(key, n + 1);
      return n < per;
    });
  }

  /** What the resource's own endpoint shows `login` of the thing `r` records. */
  async function resourceShows(login: string, r: Rec, content: unknown): Promise<boolean> {
    const get = async (url: string) => {
      checked.requests++;
      return t.app.inject({ method: 'GET', url, headers: bearer(t.token(login)) });
    };
    const rest = r.id.slice(r.id.indexOf(':') + 1);
    switch (r.kind) {
      case 'report':
        return (await get(`/api/reports/${encodeURIComponent(r.id)}`)).statusCode === 200;
      case 'report-rejection': {
        const res = await get(`/api/rejections?state=${r.subject_state}&limit=500`);
        return res.statusCode === 200 && res.body.includes(`"id":${JSON.stringify(r.id)}`);
      }
      case 'agreement':
        return (await get(`/api/agreements/${encodeURIComponent(rest)}`)).statusCode === 200;
      case 'declaration':
        return (await get(`/api/declarations/${encodeURIComponent(rest)}`)).statusCode === 200;
      case 'legal-instrument':
      case 'institution-roles': {
        const cut = rest.lastIndexOf(':v');
        const [key, version] = [rest.slice(0, cut), rest.slice(cut + 2)];
        const url =
          r.kind === 'legal-instrument'
            ? `/api/instruments/${encodeURIComponent(key)}?version=${version}`
            : `/api/states/${key}/institutions?version=${version}`;
        return (await get(url)).statusCode === 200;
      }
      case 'key-registration':
      case 'key-revocation': {
        const res = await get(`/api/organisations/${r.subject_org}/keys?limit=500`);
        return res.statusCode === 200 && res.body.includes(`"id":${JSON.stringify(rest)}`);
      }
      case 'peer':
      case 'peer-revocation':
        return (await get('/api/peers')).statusCode === 200;
      case 'split-view-decision':
        return (await get('/api/federation/split-views')).statusCode === 200;
      case 'arrangement':
      case 'arrangement-end':
        return (await get('/api/arrangements')).statusCode === 200;
      case 'received':
        return (await get(`/api/reports/${encodeURIComponent(r.id)}`)).statusCode === 200;
      case 'sampling-draw':
        return (await get(`/api/sampling-plans/${encodeURIComponent(rest)}`)).statusCode === 200;
      case 'inspection-statement': {
        const [inspection, org] = rest.split(':') as [string, string];
        const res = await get(`/api/inspections/${encodeURIComponent(inspection)}/statements`);
        return res.statusCode === 200 && res.body.includes(`"organisation":${JSON.stringify(org)}`);
      }
      // A registry change is the device's state of health; a batch is data behind the barrier.
      case 'device-change':
        return (
          (await get(`/api/devices/${encodeURIComponent(rest.split(':')[0] as string)}`)).statusCode === 200
        );
      case 'device-batch':
        return (
          (await get(`/api/devices/${encodeURIComponent(rest.split(':')[0] as string)}/events?limit=1`))
            .statusCode === 200
        );
      case 'declared-activity': {
        const facility = (content as { facility: string }).facility;
        const res = await get(`/api/facilities/${facility}/activities?limit=1000`);
        return res.statusCode === 200 && res.body.includes(`"id":${JSON.stringify(rest)}`);
      }
      case 'compatibility-entry':
      case 'compatibility-step': {
        // `<state>:<n>:<ref>`: the entry view shows every version and step of the provision.
        const [state, , ...ref] = rest.split(':');
        return (
          (await get(`/api/states/${state}/compatibility/${encodeURIComponent(ref.join(':'))}`))
            .statusCode === 200
        );
      }
      case 'case-transition':
      case 'case-message': {
        const cut = rest.lastIndexOf(':');
        const res = await get(`/api/cases/${encodeURIComponent(rest.slice(0, cut))}`);
        if (res.statusCode !== 200) return false;
        const seq = Number(rest.slice(cut + 1));
        const shown = (res.json() as { history: { seq: number; note?: { text: string } }[] }).history.find(
          (e) => e.seq === seq,
        );
        // Whole: the record's note (if any) is shown too — otherwise the record would reveal it.
        const c = content as { note?: { text: string } | null; text?: string } | undefined;
        const note = r.kind === 'case-message' ? c?.text : (c?.note?.text ?? undefined);
        return shown !== undefined && (note === undefined || shown.note?.text === note);
      }
    }
  }

  it('every record kind × every login: the record shows what the resource shows, no more', {
    timeout: 600_000,
  }, async () => {
    const recs = await sample(4);
    const kinds = new Set(recs.map((r) => r.kind));
    expect([...kinds].sort()).toEqual([...KINDS].sort());
    // The committed content, rebuilt from the rows, tells the case checks which note a record carries.
    const contents = new Map<string, unknown>();
    for (const r of recs) contents.set(r.id, await contentLoaderFor(r.kind)?.(t.ports.db, r.id));
    const problems: string[] = [];
    let pairs = 0;
    for (const cred of t.demo) {
      for (const r of recs) {
        const url = `/api/records/${encodeURIComponent(r.id)}`;
        const [rec, receipt] = await Promise.all([
          t.app.inject({ method: 'GET', url, headers: bearer(cred.token) }),
          t.app.inject({ method: 'GET', url: `${url}/receipt`, headers: bearer(cred.token) }),
        ]);
        checked.requests += 2;
        pairs++;
        const shows = await resourceShows(cred.login, r, contents.get(r.id));
        for (const [what, res] of [
          ['record', rec],
          ['receipt', receipt],
        ] as const) {
          if (res.statusCode >= 500) problems.push(`${cred.login} ${what} ${r.id} → ${res.statusCode}`);
          if ((res.statusCode === 200) !== shows)
            problems.push(`${cred.login} ${what} ${r.id} → ${res.statusCode}, resource shows: ${shows}`);
          if (res.statusCode !== 200 && res.statusCode !== 404)
            problems.push(`${cred.login} ${what} ${r.id} → ${res.statusCode}: hidden records answer 404`);
        }
      }
    }
    checked.logins = t.demo.length;
    checked.records = recs.length;
    checked.kinds = kinds.size;
    expect(pairs).toBe(t.demo.length * recs.length);
    expect(problems).toEqual([]);
    console.info(`record views: ${JSON.stringify(checked)}`);
  });

  it('nobody but the owning inspectorate reads an internal note, through any door', async () => {
    const secret = ['INTERNAL-OPENING-NOTE', 'INTERNAL-MESSAGE', 'INTERNAL-TRANSITION-NOTE'];
    const leaks: string[] = [];
    for (const cred of t.demo) {
      const owner = cred.login.startsWith('agency.') && cred.login !== 'agency.auditor';
      const urls = [
        `/api/cases/${caseId}`,
        ...[0, 1, 2, 3].flatMap((seq) => [
          `/api/records/case-transition:${caseId}:${seq}`,
          `/api/records/case-message:${caseId}:${seq}`,
        ]),
        `/api/inbox?limit=500`,
      ];
      for (const url of urls) {
        const res = await t.app.inject({ method: 'GET', url, headers: bearer(cred.token) });
        for (const s of secret)
          if (!owner && res.body.includes(s)) leaks.push(`${cred.login} ${url} carries ${s}`);
      }
      const file = await t.app.inject({
        method: 'GET',
        url: `/api/cases/${caseId}/attachments/${attachmentHash}`,
        headers: bearer(cred.token),
      });
      if (!owner && file.statusCode === 200) leaks.push(`${cred.login} reads the internal attachment`);
      if (cred.login === 'agency.inspector' && file.statusCode !== 200)
        leaks.push(`${cred.login} cannot read its own attachment (${file.statusCode})`);
    }
    expect(leaks).toEqual([]);
  });
});
