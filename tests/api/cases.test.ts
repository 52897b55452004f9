import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionBytes } from '../../src/domain/cases/index.js';
import {
  ed25519PublicKey,
  ed25519Sign,
  encodeBase64,
  encodeHex,
  parseNoteVerifier,
  sha256,
} from '../../src/log/index.js';
import { auditStore } from '../../src/services/audit.js';
import {
  ensureCaseForAlarm,
  MAX_ATTACHMENT_BYTES,
  openCaseForAlarm,
} from '../../src/services/cases/index.js';
import { demoKeyPath } from '../../src/services/demo/seed.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { initialReport, submit } from '../fixtures/reports.js';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
const PDF = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n', 'latin1');

describe.each(testDialects())('cases API on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
  });
  afterAll(async () => {
    await t.close();
  });

  const as = (login: string) => bearer(t.token(login));
  const post = (url: string, login: string, body: unknown) =>
    t.app.inject({ method: 'POST', url, headers: as(login), payload: body as object });
  const get = (url: string, login: string) => t.app.inject({ method: 'GET', url, headers: as(login) });
  const tick = () => t.clock.advance(60_000);
  /** The agency's decision signature with the demo key file, as the web app computes it. */
  const signAsAgency = (
    caseId: string,
    decision: string,
    note: string,
    linkedReport: string | null = null,
  ) => {
    const seed = Buffer.from(readFileSync(demoKeyPath(t.tdb.dataDir, 'agency'), 'utf8').trim(), 'base64');
    const keyId = encodeHex(sha256(ed25519PublicKey(seed))).slice(0, 16);
    const bytes = decisionBytes({ caseId, decision, inspectorate: 'agency', note, linkedReport });
    return { keyId, signature: encodeBase64(ed25519Sign(seed, bytes)) };
  };

  async function openXaCase(title = 'Shipper/receiver difference on XA-F1'): Promise<string> {
    tick();
    const r = await post('/api/cases', 'agency.inspector', {
      kind: 'discrepancy',
      state: 'XA',
      mba: 'XA-F1',
      title,
      about: { report: 'r-1', lines: [3, 4] },
      note: 'internal: look at the batch reused in March',
    });
    expect(r.statusCode).toBe(201);
    return r.json().id as string;
  }

  it('runs the whole workflow: question, answer, review, resolution, reopen', async () => {
    const id = await openXaCase();
    tick();
    const q = await post(`/api/cases/${id}/transitions`, 'agency.inspector', {
      to: 'question-sent',
      note: 'Please explain lines 3 and 4.',
      dueDate: '2026-12-15',
    });
    expect(q.statusCode).toBe(200);
    expect(q.json()).toMatchObject({ status: 'question-sent', dueDate: '2026-12-15', overdue: false });
    tick();
    const a = await post(`/api/cases/${id}/transitions`, 'xa-ssac.submitter', {
      to: 'answered',
      note: 'A weighing error; corrected in report r-2.',
    });
    expect(a.statusCode).toBe(200);
    expect(a.json().status).toBe('answered');
    tick();
    expect(
      (await post(`/api/cases/${id}/transitions`, 'agency.reviewer', { to: 'under-review' })).statusCode,
    ).toBe(200);
    tick();
    const unsigned = await post(`/api/cases/${id}/transitions`, 'agency.inspector', {
      to: 'resolved',
      note: 'Explanation accepted; the correction fixes it.',
      linkedReport: 'r-2',
    });
    expect(unsigned.statusCode).toBe(400);
    expect(unsigned.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'signature', code: 'SIGNATURE_REQUIRED' }],
    });
    const res = await post(`/api/cases/${id}/transitions`, 'agency.inspector', {
      to: 'resolved',
      note: 'Explanation accepted; the correction fixes it.',
      linkedReport: 'r-2',
      signature: signAsAgency(id, 'resolved', 'Explanation accepted; the correction fixes it.', 'r-2'),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'resolved',
      decision: { status: 'resolved', attestation: 'signature' },
    });
    tick();
    const reopen = await post(`/api/cases/${id}/transitions`, 'agency.inspector', {
      to: 'open',
      note: 'New data',
    });
    expect(reopen.json().status).toBe('open');
    const view = (await get(`/api/cases/${id}`, 'agency.inspector')).json();
    expect(view.history.map((e: { to?: string; type: string }) => e.to ?? e.type)).toEqual([
      'open',
      'question-sent',
      'answered',
      'under-review',
      'resolved',
      'open',
    ]);
    expect(view.history[4]).toMatchObject({
      linkedReport: 'r-2',
      by: expect.any(String),
      actorOrg: 'agency',
    });
  });

  it('lets the state link its correction report when answering, only a report of its own', async () => {
    const accepted = await submit(t, 'xa-ssac.submitter', initialReport('XA-F1'));
    expect(accepted.statusCode).toBe(201);
    const reportId = accepted.json().id as string;
    const other = await submit(t, 'xb-ssac.submitter', initialReport('XB-F1'));
    expect(other.statusCode).toBe(201);
    const id = await openXaCase('correction linked by the state');
    tick();
    await post(`/api/cases/${id}/transitions`, 'agency.inspector', {
      to: 'question-sent',
      note: 'Please correct the inventory.',
      dueDate: '2027-03-01',
    });
    tick();
    const foreign = await post(`/api/cases/${id}/transitions`, 'xa-ssac.submitter', {
      to: 'answered',
      note: 'Corrected.',
      linkedReport: other.json().id,
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.details[0]).toMatchObject({ field: 'linkedReport', code: 'UNKNOWN_REPORT' });
    const ok = await post(`/api/cases/${id}/transitions`, 'xa-ssac.submitter', {
      to: 'answered',
      note: 'Corrected.',
      linkedReport: reportId,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().history.at(-1)).toMatchObject({ to: 'answered', linkedReport: reportId });
    const record = await get(`/api/records/case-transition:${id}:2`, 'agency.inspector');
    expect(record.json().content).toMatchObject({ linkedReport: reportId });
  });

  it('refuses invalid transitions with 409 INVALID_TRANSITION and wrong actors with 403', async () => {
    const id = await openXaCase();
    tick();
    const bad = await post(`/api/cases/${id}/transitions`, 'agency.inspector', { to: 'answered', note: 'x' });
    expect(bad.statusCode).toBe(409);
    expect(bad.json().error.code).toBe('INVALID_TRANSITION');
    const noDue = await post(`/api/cases/${id}/transitions`, 'agency.inspector', {
      to: 'question-sent',
      note: 'q',
    });
    expect(noDue.statusCode).toBe(400);
    expect(noDue.json().error.code).toBe('VALIDATION_FAILED');
    await post(`/api/cases/${id}/transitions`, 'agency.inspector', {
      to: 'question-sent',
      note: 'q',
      dueDate: '2027-01-10',
    });
    tick();
    // the state may only answer; the partner inspectorate reads but does not move the case
    const stateResolves = await post(`/api/cases/${id}/transitions`, 'xa-ssac.submitter', {
      to: 'escalated',
      note: 'no',
    });
    expect(stateResolves.statusCode).toBe(403);
    const partner = await post(`/api/cases/${id}/transitions`, 'rsa.inspector', { to: 'under-review' });
    expect(partner.statusCode).toBe(403);
    const auditor = await post(`/api/cases/${id}/transitions`, 'xa-ssac.auditor', {
      to: 'answered',
      note: 'x',
    });
    expect(auditor.statusCode).toBe(403);
    const otherState = await post(`/api/cases/${id}/transitions`, 'xb-ssac.submitter', {
      to: 'answered',
      note: 'x',
    });
    expect(otherState.statusCode).toBe(404);
  });

  it('applies the visibility matrix, internal notes hidden from the state and the partner', async () => {
    const id = await openXaCase('visibility');
    tick();
    await post(`/api/cases/${id}/messages`, 'agency.inspector', {
      text: 'internal reasoning',
      internal: true,
    });
    tick();
    await post(`/api/cases/${id}/messages`, 'agency.inspector', { text: 'to the state', internal: false });
    const c = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: as('agency.inspector'),
      payload: { kind: 'question', state: 'XC', title: 'XC question' },
    });
    const xcId = c.json().id as string;
    const matrix: [string, string, number][] = [
      ['agency.inspector', id, 200],
      ['rsa.inspector', id, 200],
      ['xa-ssac.submitter', id, 200],
      ['xa-ssac.reviewer', id, 200],
      ['xb-ssac.submitter', id, 404],
      ['xc-ssac.admin', id, 404],
      ['xa-ssac.auditor', id, 403],
      ['agency.inspector', xcId, 200],
      ['rsa.inspector', xcId, 404],
      ['xc-ssac.submitter', xcId, 200],
      ['xa-ssac.submitter', xcId, 404],
    ];
    for (const [login, caseId, status] of matrix) {
      expect([login, caseId, (await get(`/api/cases/${caseId}`, login)).statusCode]).toEqual([
        login,
        caseId,
        status,
      ]);
    }
    const notes = (login: string) =>
      get(`/api/cases/${id}`, login).then((r) =>
        (r.json().history as { note?: { text: string } }[]).flatMap((e) => (e.note ? [e.note.text] : [])),
      );
    expect(await notes('agency.inspector')).toEqual([
      'internal: look at the batch reused in March',
      'internal reasoning',
      'to the state',
    ]);
    expect(await notes('xa-ssac.submitter')).toEqual(['to the state']);
    expect(await notes('rsa.inspector')).toEqual(['to the state']);
    const xaList = (await get('/api/cases?state=XA', 'xa-ssac.submitter')).json();
    expect(xaList.items.every((x: { state: string }) => x.state === 'XA')).toBe(true);
    expect(xaList.items.some((x: { id: string }) => x.id === id)).toBe(true);
    const xcForXa = (await get('/api/cases?state=XC', 'xa-ssac.submitter')).json();
    expect(xcForXa.total).toBe(0);
    const rsaList = (await get('/api/cases', 'rsa.inspector')).json();
    expect(rsaList.items.some((x: { id: string }) => x.id === xcId)).toBe(false);
    expect(rsaList.items.find((x: { id: string }) => x.id === id)).toMatchObject({
      inspectorate: 'agency',
      sharedWith: ['rsa'],
    });
    const filtered = (await get('/api/cases?kind=question&status=open&limit=1', 'agency.inspector')).json();
    expect(filtered).toMatchObject({ total: 1, limit: 1, items: [{ id: xcId }] });
  });

  it('stores attachments by hash, checks type against magic bytes and size, never uses names as paths', async () => {
    const id = await openXaCase('attachments');
    tick();
    const ok = await post(`/api/cases/${id}/messages`, 'xa-ssac.submitter', {
      text: 'our records',
      attachments: [
        { name: '../../etc/passwd.png', contentType: 'image/png', data: PNG.toString('base64') },
        {
          name: 'ledger.csv',
          contentType: 'text/csv',
          data: Buffer.from('batch,weight\nB1,100\n').toString('base64'),
        },
        { name: 'letter.pdf', contentType: 'application/pdf', data: PDF.toString('base64') },
      ],
    });
    expect(ok.statusCode).toBe(201);
    const msg = ok.json().history.at(-1);
    expect(msg.attachments.map((a: { name: string }) => a.name)).toEqual([
      '.._.._etc_passwd.png',
      'ledger.csv',
      'letter.pdf',
    ]);
    const hash = msg.attachments[0].hash as string;
    const file = await get(`/api/cases/${id}/attachments/${hash}`, 'agency.inspector');
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(Buffer.from(file.rawPayload).equals(PNG)).toBe(true);
    expect((await get(`/api/cases/${id}/attachments/${hash}`, 'xb-ssac.submitter')).statusCode).toBe(404);
    expect((await get(`/api/cases/${id}/attachments/${'0'.repeat(64)}`, 'agency.inspector')).statusCode).toBe(
      404,
    );

    tick();
    const lying = await post(`/api/cases/${id}/messages`, 'xa-ssac.submitter', {
      text: 'x',
      attachments: [{ name: 'a.pdf', contentType: 'application/pdf', data: PNG.toString('base64') }],
    });
    expect(lying.statusCode).toBe(415);
    expect(lying.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const exe = await post(`/api/cases/${id}/messages`, 'xa-ssac.submitter', {
      text: 'x',
      attachments: [
        {
          name: 'a.exe',
          contentType: 'application/x-msdownload',
          data: Buffer.from('MZ\x90\x00').toString('base64'),
        },
      ],
    });
    expect(exe.statusCode).toBe(415);
    const binaryAsText = await post(`/api/cases/${id}/messages`, 'xa-ssac.submitter', {
      text: 'x',
      attachments: [
        {
          name: 'a.txt',
          contentType: 'text/plain',
          data: Buffer.from([0x4d, 0x5a, 0x00, 0x01]).toString('base64'),
        },
      ],
    });
    expect(binaryAsText.statusCode).toBe(415);
    const big = Buffer.alloc(MAX_ATTACHMENT_BYTES + 1, 0x61);
    const tooBig = await post(`/api/cases/${id}/messages`, 'xa-ssac.submitter', {
      text: 'x',
      attachments: [{ name: 'big.txt', contentType: 'text/plain', data: big.toString('base64') }],
    });
    expect([400, 413]).toContain(tooBig.statusCode);
    const notB64 = await post(`/api/cases/${id}/messages`, 'xa-ssac.submitter', {
      text: 'x',
      attachments: [{ name: 'a.txt', contentType: 'text/plain', data: 'not base64!' }],
    });
    expect(notB64.statusCode).toBe(400);
    // an internal note's attachment stays internal
    tick();
    const internal = await post(`/api/cases/${id}/messages`, 'agency.inspector', {
      text: 'internal scan',
      internal: true,
      attachments: [
        {
          name: 'scan.pdf',
          contentType: 'application/pdf',
          data: Buffer.concat([PDF, Buffer.from('x')]).toString('base64'),
        },
      ],
    });
    const ih = internal.json().history.at(-1).attachments[0].hash as string;
    expect((await get(`/api/cases/${id}/attachments/${ih}`, 'agency.inspector')).statusCode).toBe(200);
    expect((await get(`/api/cases/${id}/attachments/${ih}`, 'xa-ssac.submitter')).statusCode).toBe(404);
  });

  it('size limit answers BODY_TOO_LARGE just over 5 MiB', async () => {
    const id = await openXaCase('size');
    tick();
    const r = await post(`/api/cases/${id}/messages`, 'agency.inspector', {
      text: 'x',
      attachments: [
        {
          name: 'big.txt',
          contentType: 'text/plain',
          data: Buffer.alloc(MAX_ATTACHMENT_BYTES + 3, 0x61)
            .toString('base64')
            .slice(0, 6_990_508),
        },
      ],
    });
    expect(r.statusCode).toBe(413);
    expect(r.json().error.code).toBe('BODY_TOO_LARGE');
  });

  it('verifies a signed resolution against the inspectorate key and refuses a bad one', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url').toString('base64');
    const reg = await t.app.inject({
      method: 'POST',
      url: '/api/organisations/agency/keys',
      headers: as('agency.admin'),
      payload: { publicKey: raw, validFrom: '2026-01-01T00:00:00Z' },
    });
    expect(reg.statusCode).toBe(201);
    const keyId = reg.json().id as string;
    const id = await openXaCase('signed');
    const note = 'Accepted.';
    const bytes = decisionBytes({
      caseId: id,
      decision: 'resolved',
      inspectorate: 'agency',
      note,
      linkedReport: null,
    });
    const good = sign(null, bytes, privateKey).toString('base64');
    const wrong = sign(null, Buffer.from('other'), privateKey).toString('base64');
    tick();
    const bad = await post(`/api/cases/${id}/transitions`, 'agency.inspector', {
      to: 'resolved',
      note,
      signature: { keyId, signature: wrong },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.code).toBe('SIGNATURE_INVALID');
    const unknown = await post(`/api/cases/${id}/transitions`, 'agency.inspector', {
      to: 'resolved',
      note,
      signature: { keyId: '0123456789abcdef', signature: good },
    });
    expect(unknown.json().error.code).toBe('KEY_UNKNOWN');
    const ok = await post(`/api/cases/${id}/transitions`, 'agency.inspector', {
      to: 'resolved',
      note,
      signature: { keyId, signature: good },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().decision).toMatchObject({ status: 'resolved', attestation: 'signature' });
    expect(ok.json().history.at(-1).signature).toEqual({ keyId, signature: good });
  });

  it('refuses a decision signature that ZIP-215 accepts but strict RFC 8032 does not (decision 0014)', async () => {
    const { Point } = ed25519;
    const register = async (publicKey: Uint8Array) => {
      const reg = await t.app.inject({
        method: 'POST',
        url: '/api/organisations/agency/keys',
        headers: as('agency.admin'),
        payload: { publicKey: encodeBase64(publicKey), validFrom: '2026-01-01T00:00:00Z' },
      });
      expect(reg.statusCode).toBe(201);
      return reg.json().id as string;
    };
    const id = await openXaCase('edge-case signatures');
    const note = 'Accepted.';
    const bytes = decisionBytes({
      caseId: id,
      decision: 'resolved',
      inspectorate: 'agency',
      note,
      linkedReport: null,
    });
    const resolve = (keyId: string, sig: Uint8Array) =>
      post(`/api/cases/${id}/transitions`, 'agency.inspector', {
        to: 'resolved',
        note,
        signature: { keyId, signature: encodeBase64(sig) },
      });
    // A small-order key (the identity): R = identity, S = 0 "signs" every message under ZIP-215.
    const identity = Point.ZERO.toBytes();
    const forged = new Uint8Array(64);
    forged.set(identity, 0);
    expect(ed25519.verify(forged, bytes, identity)).toBe(true);
    tick();
    const smallOrder = await resolve(await register(identity), forged);
    expect(smallOrder.statusCode).toBe(422);
    expect(smallOrder.json().error.code).toBe('SIGNATURE_INVALID');
    // An honest key whose signature's R carries a small-order component: cofactored checks pass.
    const seed = new Uint8Array(32).fill(42);
    const { scalar, pointBytes } = ed25519.utils.getExtendedPublicKey(seed);
    const keyId = await register(pointBytes);
    const r = 987654321n;
    const R = Point.BASE.multiply(r)
      .add(Point.fromBytes(Buffer.from(ED25519_TORSION_SUBGROUP[1]!, 'hex')))
      .toBytes();
    const k = Point.Fn.create(
      BigInt(
        `0x${Buffer.from(sha512(Buffer.concat([R, pointBytes, bytes])))
          .reverse()
          .toString('hex')}`,
      ),
    );
    const S = Buffer.from(
      Point.Fn.create(r + k * scalar)
        .toString(16)
        .padStart(64, '0'),
      'hex',
    ).reverse();
    const torsion = new Uint8Array(Buffer.concat([R, S]));
    expect(ed25519.verify(torsion, bytes, pointBytes)).toBe(true);
    const bad = await resolve(keyId, torsion);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.code).toBe('SIGNATURE_INVALID');
    // The same key's ordinary signature is accepted: the refusals were about the edge cases.
    const ok = await resolve(keyId, ed25519Sign(seed, bytes));
    expect(ok.statusCode).toBe(200);
    expect(ok.json().decision).toMatchObject({ status: 'resolved', attestation: 'signature' });
  });

  it('opens one case per alarm cause, also under concurrent re-evaluation', async () => {
    const alarm = {
      source: 'balance',
      test: 'muf-3sigma',
      state: 'XB',
      mba: 'XB-F1',
      element: 'E',
      pit: '2026-06-30',
    } as const;
    const results = await Promise.all(Array.from({ length: 8 }, () => openCaseForAlarm(t.ports, alarm)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.case.id)).size).toBe(1);
    const again = await openCaseForAlarm(t.ports, alarm);
    expect(again.created).toBe(false);
    expect(again.case).toMatchObject({
      kind: 'anomaly',
      state: 'XB',
      mba: 'XB-F1',
      inspectorate: 'agency',
      sharedWith: ['rsa'],
    });
    const list = (await get('/api/cases?state=XB&mba=XB-F1&kind=anomaly', 'xb-ssac.submitter')).json();
    expect(list.total).toBe(1);
  });

  it('a pass opening many cases lets the event loop run, and one whose case exists opens nothing', async () => {
    // On SQLite every statement is synchronous: without a turn for the event loop, a pass of
    // thousands of alarms answered no request until it ended (ensureCaseForAlarm).
    const alarms = Array.from(
      { length: 150 },
      (_, i) =>
        ({ source: 'deadline', status: 'missing', state: 'XA', obligation: `ICR:XA-F1:pass-${i}` }) as const,
    );
    let turns = 0;
    const timer = setInterval(() => turns++, 1);
    const started = performance.now();
    let opened = 0;
    try {
      for (const a of alarms) if (await ensureCaseForAlarm(t.ports, a)) opened++;
    } finally {
      clearInterval(timer);
    }
    const ms = performance.now() - started;
    expect(opened).toBe(alarms.length);
    // A timer ran during the pass, about once per 8 ms slice (at least one when the pass was short).
    expect(turns).toBeGreaterThanOrEqual(Math.max(1, Math.floor(ms / 40)));
    for (const a of alarms.slice(0, 5)) expect(await ensureCaseForAlarm(t.ports, a)).toBe(false);
  });

  it('opens one case per cause from the API too, concurrently and after the automatic path (issue 16)', async () => {
    const cause = {
      source: 'sequence',
      test: 'page',
      state: 'XA',
      mba: 'XA-F1',
      element: 'E',
      pit: '2026-03-31',
    } as const;
    const body = { kind: 'anomaly', state: 'XA', mba: 'XA-F1', title: 'Page alarm on XA-F1', cause };
    tick();
    const opens = await Promise.all(
      Array.from({ length: 6 }, () => post('/api/cases', 'agency.inspector', body)),
    );
    expect(opens.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    const ids = new Set(opens.map((r) => r.json().id as string));
    expect(ids.size).toBe(1);
    const again = await post('/api/cases', 'agency.inspector', { ...body, title: 'clicked again' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: [...ids][0], title: 'Page alarm on XA-F1' });
    // The automatic path finds the case the inspector opened, and the other way round.
    expect((await openCaseForAlarm(t.ports, cause)).created).toBe(false);
    const auto = {
      source: 'deadline',
      status: 'missing',
      state: 'XA',
      obligation: 'ICR:XA-F1:2026-02',
    } as const;
    const opened = await openCaseForAlarm(t.ports, auto);
    const byHand = await post('/api/cases', 'agency.inspector', {
      kind: 'missing-report',
      state: 'XA',
      title: 'missing ICR',
      cause: auto,
    });
    expect(byHand.statusCode).toBe(200);
    expect(byHand.json().id).toBe(opened.case.id);
    // A cause about another state than the case is refused.
    const wrong = await post('/api/cases', 'agency.inspector', { ...body, state: 'XB', mba: undefined });
    expect(wrong.statusCode).toBe(400);
  });

  it('commits every transition and message to the log so the audit rebuilds them', async () => {
    await t.log.flush(true);
    const report = await auditStore(t.ports, parseNoteVerifier(t.log.keys.vkey));
    expect(report.findings).toEqual([]);
    const kinds = await t.ports.db.kysely
      .selectFrom('records')
      .select('kind')
      .where('kind', 'in', ['case-transition', 'case-message'])
      .execute();
    expect(kinds.some((k) => k.kind === 'case-transition')).toBe(true);
    expect(kinds.some((k) => k.kind === 'case-message')).toBe(true);
    // a changed message is detected
    await t.ports.db.kysely
      .updateTable('case_messages')
      .set({ body: 'rewritten' })
      .where('body', '=', 'to the state')
      .execute();
    const tampered = await auditStore(t.ports, parseNoteVerifier(t.log.keys.vkey));
    expect(tampered.findings.map((f) => f.kind)).toContain('record-changed');
  });
});
