import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../src/cli/reports.js';
import { parseNoteVerifier } from '../../src/log/index.js';
import { auditStore } from '../../src/services/audit.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { demoSeed } from '../fixtures/reports.js';

/**
 * Domestic-law compatibility (issue 19 item 2, decision 0033) over HTTP on the demo world, whose
 * legal register makes XA, XB and XC parties to the model safeguards agreement (INFCIRC/153) and
 * XA alone party to the model Additional Protocol (INFCIRC/540).
 */
const P62 = 'INFCIRC/153 para 62';
const P7 = 'INFCIRC/153 para 7';
const AP = 'INFCIRC/540 Art. 2';
const enc = encodeURIComponent;
const entryUrl = (state: string, ref: string) => `/api/states/${state}/compatibility/${enc(ref)}`;

interface Row {
  provision: { ref: string; instrument: string };
  status: string;
  entry: { version: number; status: string; domestic: Record<string, string> | null } | null;
}

describe.each(testDialects())('domestic-law compatibility (%s)', (dialect) => {
  let t: TestApp;
  const as = (login: string) => bearer(t.token(login));
  const put = (login: string, state: string, ref: string, payload: object) =>
    t.app.inject({ method: 'PUT', url: entryUrl(state, ref), headers: as(login), payload });
  const get = (login: string, url: string) => t.app.inject({ method: 'GET', url, headers: as(login) });
  const step = (
    login: string,
    state: string,
    ref: string,
    body: object | string,
    opts: { org?: string; signature?: string | null } = {},
  ) => {
    const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const headers: Record<string, string> = { ...as(login), 'content-type': 'application/json' };
    if (opts.signature !== null)
      headers['custos-signature'] =
        opts.signature ?? signatureHeader(demoSeed(t, opts.org ?? (login.split('.')[0] as string)), bytes);
    return t.app.inject({ method: 'POST', url: `${entryUrl(state, ref)}/steps`, headers, payload: bytes });
  };
  const stepBody = (state: string, provision: string, seq: number, rest: object) => ({
    v: 1,
    type: 'custos/compatibility-step',
    state,
    provision,
    seq,
    ...rest,
  });

  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists every provision binding the state, not reviewed until the state says otherwise', async () => {
    const xa = await get('xa-ssac.reviewer', '/api/states/XA/compatibility');
    expect(xa.statusCode, xa.body).toBe(200);
    const m = xa.json() as { rows: Row[]; gaps: Row[]; summary: Record<string, number> };
    const refs = m.rows.map((r) => r.provision.ref);
    expect(refs).toContain(P62);
    expect(refs).toContain(AP);
    expect(m.rows.every((r) => r.status === 'not-reviewed' && r.entry === null)).toBe(true);
    expect(m.gaps).toEqual([]);
    expect(m.summary['not-reviewed']).toBe(m.rows.length);
    // XC is not party to the Additional Protocol: none of its provisions binds it.
    const xc = (await get('xc-ssac.reviewer', '/api/states/XC/compatibility')).json() as { rows: Row[] };
    expect(xc.rows.map((r) => r.provision.ref)).toContain(P62);
    expect(xc.rows.map((r) => r.provision.ref)).not.toContain(AP);
  });

  it('versions every change, logs it, and shows gaps in the matrix', async () => {
    const first = await put('xa-ssac.submitter', 'XA', P62, {
      status: 'partial',
      domestic: {
        act: 'Nuclear Energy Act 2019',
        section: '§ 12',
        text: 'The operator reports its inventory within 90 days.',
        inForceFrom: '2019-07-01',
        institution: 'operator',
      },
      note: '90 days where the agreement asks for the end of the month after entry into force',
      evidence: 'Official Gazette 2019/44',
    });
    expect(first.statusCode, first.body).toBe(200);
    const w = first.json() as {
      entry: { version: number };
      logIndex: number;
      recordId: string;
      receiptUrl: string;
    };
    expect(w.entry.version).toBe(1);
    expect(w.recordId).toBe(`compatibility-entry:XA:1:${P62}`);
    expect(w.receiptUrl).toBe(`/api/records/${enc(w.recordId)}/receipt`);
    const rec = await get('agency.inspector', `/api/records/${enc(w.recordId)}`);
    expect(rec.statusCode, rec.body).toBe(200);
    expect((rec.json() as { logIndex: number }).logIndex).toBe(w.logIndex);

    const m = (await get('xa-ssac.reviewer', '/api/states/XA/compatibility')).json() as {
      gaps: Row[];
      summary: Record<string, number>;
    };
    expect(m.gaps.map((r) => [r.provision.ref, r.status])).toEqual([[P62, 'partial']]);
    expect(m.summary.partial).toBe(1);

    const second = await put('xa-ssac.admin', 'XA', P62, { status: 'conflicting', note: 'court ruling' });
    expect(second.statusCode, second.body).toBe(200);
    expect((second.json() as { entry: { version: number } }).entry.version).toBe(2);
    const view = (await get('agency.inspector', entryUrl('XA', P62))).json() as {
      status: string;
      versions: { version: number; status: string }[];
    };
    expect(view.status).toBe('conflicting');
    expect(view.versions.map((v) => [v.version, v.status])).toEqual([
      [2, 'conflicting'],
      [1, 'partial'],
    ]);
  });

  it('refuses refs the register does not know, provisions that do not bind the state, and bad entries', async () => {
    const unknown = await put('xa-ssac.submitter', 'XA', 'INFCIRC/153 para 999', { status: 'missing' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.code).toBe('UNKNOWN_PROVISION');
    const notBinding = await put('xc-ssac.submitter', 'XC', AP, { status: 'missing' });
    expect(notBinding.statusCode).toBe(422);
    expect(notBinding.json().error.code).toBe('PROVISION_NOT_BINDING');
    const dates = await put('xa-ssac.submitter', 'XA', P7, {
      status: 'implemented',
      domestic: { act: 'A', section: '1', text: 't', inForceFrom: '2020-01-02', inForceTo: '2020-01-01' },
    });
    expect(dates.statusCode).toBe(400);
    expect(dates.json().error.details).toEqual([
      expect.objectContaining({ code: 'DATE_ORDER', rule: 'endsBeforeStart', values: {} }),
    ]);
    for (const payload of [{ status: 'fine' }, { status: 'missing', extra: 1 }, {}]) {
      const res = await put('xa-ssac.submitter', 'XA', P7, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
    const control = await t.app.inject({
      method: 'PUT',
      url: `/api/states/XA/compatibility/${enc('para\n7')}`,
      headers: as('xa-ssac.submitter'),
      payload: { status: 'missing' },
    });
    expect(control.statusCode).toBe(400);
    // Nothing of the refusals was stored.
    expect((await get('xa-ssac.reviewer', entryUrl('XA', P7))).json().versions).toEqual([]);
  });

  it('a state reads and edits only its own entries; inspectorates read as their agreements allow', async () => {
    const cases: [string, 'GET' | 'PUT', string, number][] = [
      ['xb-ssac.submitter', 'PUT', 'XA', 404],
      ['xb-ssac.reviewer', 'GET', 'XA', 404],
      ['xa-ssac.reviewer', 'PUT', 'XA', 403],
      ['xa-ssac.auditor', 'GET', 'XA', 403],
      ['agency.inspector', 'PUT', 'XA', 403],
      ['agency.admin', 'PUT', 'XA', 403],
      ['agency.inspector', 'GET', 'XC', 200],
      ['rsa.inspector', 'GET', 'XA', 200],
      ['rsa.inspector', 'GET', 'XC', 404],
      ['agency.auditor', 'GET', 'XA', 403],
    ];
    for (const [login, method, state, status] of cases) {
      const res =
        method === 'GET'
          ? await get(login, `/api/states/${state}/compatibility`)
          : await put(login, state, P7, { status: 'missing' });
      expect(res.statusCode, `${login} ${method} ${state}: ${res.body}`).toBe(status);
    }
    // The node's operator does not speak for a state (decision 0033).
    const admin = await t.app.inject({
      method: 'PUT',
      url: entryUrl('XA', P7),
      headers: bearer(t.adminToken),
      payload: { status: 'missing' },
    });
    expect(admin.statusCode).toBe(403);
    const noState = await get('agency.inspector', '/api/states/QQ/compatibility');
    expect(noState.statusCode).toBe(404);
  });

  it('runs the signed review workflow: review → amendment → adoption, each logged, in order only', async () => {
    const ref = 'INFCIRC/153 para 7';
    const review = await step(
      'xa-ssac.submitter',
      'XA',
      ref,
      stepBody('XA', ref, 1, { step: 'review', status: 'missing', note: 'no accounting duty in law' }),
    );
    expect(review.statusCode, review.body).toBe(201);
    const r1 = review.json() as {
      step: { seq: number; signed: string };
      entry: { status: string; step: number };
    };
    expect(r1.step.seq).toBe(1);
    expect(r1.entry).toMatchObject({ status: 'missing', step: 1 });

    // Replaying the same signed step is refused: its number is taken.
    const replay = await step(
      'xa-ssac.submitter',
      'XA',
      ref,
      stepBody('XA', ref, 1, { step: 'review', status: 'missing', note: 'no accounting duty in law' }),
    );
    expect(replay.statusCode).toBe(409);
    expect(replay.json().error.code).toBe('CONFLICT');
    // An adoption must adopt a proposal.
    const early = await step(
      'xa-ssac.submitter',
      'XA',
      ref,
      stepBody('XA', ref, 2, {
        step: 'adoption',
        adoptedOn: '2026-11-30',
        domestic: { act: 'A', section: '1', text: 't' },
      }),
    );
    expect(early.statusCode).toBe(409);
    expect(early.json().error).toMatchObject({
      code: 'INVALID_TRANSITION',
      details: { from: 'review', to: 'adoption', allowed: ['review', 'amendment'] },
    });

    const proposed = {
      act: 'Nuclear Energy Act 2019',
      section: '§ 4a',
      text: 'The State keeps a system of accounting.',
    };
    const amendment = await step(
      'xa-ssac.admin',
      'XA',
      ref,
      stepBody('XA', ref, 2, { step: 'amendment', domestic: proposed }),
    );
    expect(amendment.statusCode, amendment.body).toBe(201);
    expect(amendment.json().entry).toBeNull();

    const adoption = await step(
      'xa-ssac.submitter',
      'XA',
      ref,
      stepBody('XA', ref, 3, {
        step: 'adoption',
        adoptedOn: '2026-11-30',
        domestic: { ...proposed, institution: 'state-authority' },
      }),
    );
    expect(adoption.statusCode, adoption.body).toBe(201);
    expect(adoption.json().entry).toMatchObject({
      status: 'implemented',
      step: 3,
      domestic: { ...proposed, institution: 'state-authority', inForceFrom: '2026-11-30' },
    });

    const view = (await get('agency.inspector', entryUrl('XA', ref))).json() as {
      status: string;
      steps: { seq: number; step: string; signed: string; keyId: string }[];
    };
    expect(view.status).toBe('implemented');
    expect(view.steps.map((s) => [s.seq, s.step])).toEqual([
      [3, 'adoption'],
      [2, 'amendment'],
      [1, 'review'],
    ]);
    // The step record carries the exact signed text, so anyone re-verifies it offline.
    const rec = await get('rsa.reviewer', `/api/records/${enc(`compatibility-step:XA:3:${ref}`)}`);
    expect(rec.statusCode, rec.body).toBe(200);
    expect((rec.json() as { content: { signed: string } }).content.signed).toBe(view.steps[0]?.signed);
  });

  it('refuses unsigned, badly signed, foreign-signed and misaddressed steps, storing nothing', async () => {
    const ref = 'INFCIRC/153 para 48';
    const body = stepBody('XA', ref, 1, { step: 'review', status: 'partial' });
    const missing = await step('xa-ssac.submitter', 'XA', ref, body, { signature: null });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().error.code).toBe('SIGNATURE_INVALID');
    const other = await step('xa-ssac.submitter', 'XA', ref, body, { org: 'xb-ssac' });
    expect(other.statusCode).toBe(422);
    expect(other.json().error.code).toBe('KEY_UNKNOWN');
    const good = signatureHeader(demoSeed(t, 'xa-ssac'), Buffer.from(JSON.stringify(body)));
    const tampered = await step(
      'xa-ssac.submitter',
      'XA',
      ref,
      { ...body, status: 'implemented' },
      { signature: good },
    );
    expect(tampered.statusCode).toBe(422);
    expect(tampered.json().error.code).toBe('SIGNATURE_INVALID');
    const elsewhere = await step(
      'xa-ssac.submitter',
      'XA',
      ref,
      stepBody('XA', P62, 1, { step: 'review', status: 'partial' }),
    );
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.json().error.details).toEqual([
      expect.objectContaining({
        field: 'provision',
        code: 'FIELD_CONFLICT',
        rule: 'address',
        values: { value: ref },
      }),
    ]);
    const notJson = await step('xa-ssac.submitter', 'XA', ref, '{"v":1,');
    expect(notJson.statusCode).toBe(400);
    const csv = await t.app.inject({
      method: 'POST',
      url: `${entryUrl('XA', ref)}/steps`,
      headers: { ...as('xa-ssac.submitter'), 'content-type': 'text/csv' },
      payload: 'a,b',
    });
    expect(csv.statusCode).toBe(415);
    const foreign = await step('xb-ssac.submitter', 'XA', ref, body);
    expect(foreign.statusCode).toBe(404);
    expect((await get('xa-ssac.reviewer', entryUrl('XA', ref))).json()).toMatchObject({
      steps: [],
      versions: [],
    });
  });

  it('shows one provision across the states each caller may read (harmonization view)', async () => {
    await put('xb-ssac.submitter', 'XB', P62, { status: 'implemented' });
    const url = `/api/compatibility/provisions/${enc(P62)}`;
    const agency = (await get('agency.reviewer', url)).json() as {
      rows: { state: string; status: string }[];
      summary: Record<string, number>;
    };
    expect(agency.rows.map((r) => [r.state, r.status])).toEqual([
      ['XA', 'conflicting'],
      ['XB', 'implemented'],
      ['XC', 'not-reviewed'],
    ]);
    expect(agency.summary).toMatchObject({ conflicting: 1, implemented: 1, 'not-reviewed': 1 });
    const rsa = (await get('rsa.inspector', url)).json() as { rows: { state: string }[] };
    expect(rsa.rows.map((r) => r.state)).toEqual(['XA', 'XB']);
    const xb = (await get('xb-ssac.reviewer', url)).json() as { rows: { state: string }[] };
    expect(xb.rows.map((r) => r.state)).toEqual(['XB']);
    expect((await get('xa-ssac.auditor', url)).statusCode).toBe(403);
    const unknown = await get('agency.reviewer', `/api/compatibility/provisions/${enc('no such para')}`);
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.code).toBe('UNKNOWN_PROVISION');
  });

  it('opens one case with the state about a gap, through the case service', async () => {
    const url = `${entryUrl('XA', P62)}/case`;
    const open = (login: string) =>
      t.app.inject({
        method: 'POST',
        url,
        headers: as(login),
        payload: { note: 'please explain the 90 days' },
      });
    const first = await open('agency.inspector');
    expect(first.statusCode, first.body).toBe(201);
    const c = first.json() as {
      id: string;
      kind: string;
      state: string;
      about: { provision: string };
      key: string;
    };
    expect(c).toMatchObject({ kind: 'question', state: 'XA', about: { provision: P62 } });
    const again = await open('agency.inspector');
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(c.id);
    // The state sees its case; a state cannot open one; an implemented provision is no gap.
    expect((await get('xa-ssac.reviewer', `/api/cases/${c.id}`)).statusCode).toBe(200);
    expect((await open('xa-ssac.admin')).statusCode).toBe(403);
    const noGap = await t.app.inject({
      method: 'POST',
      url: `${entryUrl('XB', P62)}/case`,
      headers: as('agency.inspector'),
      payload: {},
    });
    expect(noGap.statusCode).toBe(409);
    expect(noGap.json().error.code).toBe('CONFLICT');
    // The regional partner, which reads XA's cases, is answered the same case.
    const partner = await open('rsa.inspector');
    expect(partner.statusCode).toBe(200);
    expect(partner.json().id).toBe(c.id);
  });

  it('exports the matrix as CSV and as a printable page', async () => {
    const csv = await get('agency.reviewer', '/api/states/XA/compatibility?format=csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const rows = parse(csv.body) as string[][];
    expect(rows[0]?.slice(0, 4)).toEqual(['state', 'provision', 'instrument', 'status']);
    const p62 = rows.find((r) => r[1] === P62);
    // Version 2 replaced the entry whole (PUT): it names no domestic provision, only its note.
    expect(p62?.[3]).toBe('conflicting');
    expect(p62?.[4]).toBe('');
    expect(p62?.[10]).toBe('court ruling');
    expect(p62?.[12]).toBe('2');
    const html = await get('xa-ssac.reviewer', '/api/states/XA/compatibility?format=html');
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.headers['content-security-policy']).toContain("default-src 'none'");
    expect(html.body).toContain('Domestic-law compatibility — XA');
    expect(html.body).toContain('INFCIRC/153 para 62');
    expect((await get('xb-ssac.reviewer', '/api/states/XA/compatibility?format=csv')).statusCode).toBe(404);
  });

  it('custos audit rebuilds every entry and step, and names a version changed behind the log', async () => {
    await t.log.flush();
    const audit = () => auditStore(t.ports, parseNoteVerifier(t.log.keys.vkey));
    expect((await audit()).findings).toEqual([]);
    await t.ports.db.kysely
      .updateTable('compatibility_versions')
      .set({ status: 'implemented' })
      .where('state', '=', 'XA')
      .where('provision', '=', P62)
      .where('version', '=', 1)
      .execute();
    await t.ports.db.kysely
      .updateTable('compatibility_steps')
      .set({ signature: 'A'.repeat(88) })
      .where('state', '=', 'XA')
      .where('seq', '=', 2)
      .execute();
    const found = (await audit()).findings.map((f) => `${f.kind} ${f.where}`);
    expect(found).toEqual([
      `record-changed compatibility-entry:XA:1:${P62}`,
      'record-changed compatibility-step:XA:2:INFCIRC/153 para 7',
    ]);
  });
});
