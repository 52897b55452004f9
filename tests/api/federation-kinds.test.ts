import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAcknowledgement } from '../../src/domain/federation/index.js';
import {
  canonicalizeRecord,
  decodeBase64,
  ed25519PublicKey,
  ed25519Sign,
  parseNoteVerifier,
} from '../../src/log/index.js';
import { auditStore } from '../../src/services/audit.js';
import { bearer } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { type FedNode as Node, startTwoNodes, type TwoNodes } from '../fixtures/federation.js';
import { demoSeed, exportNoticeReport, initialReport, submit } from '../fixtures/reports.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function notice(mba: string, reportNumber: number, reference: string, otherState: string) {
  return exportNoticeReport({
    mba,
    reportNumber,
    reference,
    otherState,
    reportDate: '2026-11-27',
    preparationDate: '2026-12-20',
    notice: {
      element: 'E',
      weight: 125000.5,
      fissileWeight: 4500.25,
      form: 'U2',
      batches: ['B-17'],
      dispatchDate: '2026-12-25',
      arrivalDate: '2026-12-28',
    },
  });
}

/**
 * Issue 17 item 2 and decision 0044: every kind an arrangement may name flows with its original,
 * its source entry, inclusion proof and checkpoint, verified on the receiver and read there under
 * its original id as the origin's; what the arrangement does not cover is refused with a code,
 * recorded, and changes nothing; an ended arrangement lets nothing logged after its end flow.
 */
describe.each(testDialects())('forwarded kinds between two nodes on %s', (dialect) => {
  let nodes: TwoNodes;
  let regional: Node;
  let agency: Node;
  let peerOfAgency: string;
  let peerOfRegional: string;
  const ids: Record<string, string> = {};
  const as = (n: Node, login?: string) => bearer(login ? n.t.token(login) : n.t.adminToken);
  const post = (n: Node, url: string, body: unknown, login?: string) =>
    n.t.app.inject({ method: 'POST', url, headers: as(n, login), payload: body as object });
  const get = (n: Node, url: string, login?: string) =>
    n.t.app.inject({ method: 'GET', url, headers: as(n, login) });
  const deliver = () => nodes.deliver();
  const counts = async (n: Node) => {
    const k = n.t.ports.db.kysely;
    const c = async (table: 'records' | 'fed_inbox' | 'reports' | 'cases' | 'inspection_statements') =>
      Number(
        (
          await k
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      records: await c('records'),
      inbox: await c('fed_inbox'),
      reports: await c('reports'),
      cases: await c('cases'),
      statements: await c('inspection_statements'),
    };
  };
  const outbox = (state: string) =>
    regional.t.ports.db.kysely
      .selectFrom('fed_outbox')
      .select(['record_id', 'status', 'last_error'])
      .where('state', '=', state)
      .orderBy('log_index')
      .execute();
  const deadOn = async (n: Node, recordId: string) =>
    ((await get(n, '/api/federation/dead-letters?limit=500')).json().items as { recordId: string }[]).find(
      (d) => d.recordId === recordId,
    );

  beforeAll(async () => {
    nodes = await startTwoNodes(dialect);
    ({ regional, agency, peerOfAgency, peerOfRegional } = nodes);
    const arrange = (n: Node, body: object) => nodes.arrange(n, body);
    // The regional node sends XA and XB whole, and only XC's transfer notices.
    ids.send = await arrange(regional, {
      peer: peerOfAgency,
      direction: 'send',
      states: ['XA', 'XB'],
      kinds: ['key-registration', 'report', 'inspection-statement', 'case-transition'],
    });
    await arrange(regional, {
      peer: peerOfAgency,
      direction: 'send',
      states: ['XC'],
      kinds: ['key-registration', 'transfer-notice'],
    });
    // The agency receives XA's keys, notices, statements and cases: not its other reports, not XB, not XC.
    ids.receive = await arrange(agency, {
      peer: peerOfRegional,
      direction: 'receive',
      states: ['XA'],
      kinds: ['key-registration', 'transfer-notice', 'inspection-statement', 'case-transition'],
    });
    // The agency knows the regional node's inspectorate key (exchanged out of band, like node keys).
    const seed = demoSeed(regional.t, 'agency');
    const reg = await post(agency, '/api/organisations/agency/keys', {
      publicKey: Buffer.from(ed25519PublicKey(seed)).toString('base64'),
      validFrom: '2026-01-01T00:00:00.000Z',
    });
    expect(reg.statusCode).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await nodes?.close();
  });

  it('forwards a transfer notice under `transfer-notice`, and an arrangement of notices alone queues no other report', async () => {
    const xa = await submit(regional.t, 'xa-ssac.submitter', notice('XA-F1', 1, 'EXP-XA-1', 'XB'));
    expect(xa.statusCode, xa.body).toBe(201);
    const xaId = xa.json().id as string;
    const xcNotice = await submit(regional.t, 'xc-ssac.submitter', notice('XC-R1', 1, 'EXP-XC-1', 'XA'));
    const xcIcr = await submit(regional.t, 'xc-ssac.submitter', initialReport('XC-R1'));
    expect([xcNotice.statusCode, xcIcr.statusCode], xcNotice.body).toEqual([201, 201]);
    // The sender queues XC's notice and not its ICR (whatever the ICR's fate on its own node).
    const xcQueued = (await outbox('XC')).map((r) => r.record_id);
    expect(xcQueued).toContain(xcNotice.json().id);
    expect(xcQueued).not.toContain(xcIcr.json().id);
    await deliver();

    const there = await get(agency, `/api/reports/${encodeURIComponent(xaId)}`);
    expect(there.statusCode).toBe(200);
    const here = await get(regional, `/api/reports/${encodeURIComponent(xaId)}`);
    expect(there.json().bodySha256 ?? there.json().report?.bodySha256).toBe(
      here.json().bodySha256 ?? here.json().report?.bodySha256,
    );
    const prov = (await get(agency, `/api/records/${encodeURIComponent(xaId)}/provenance`)).json();
    expect(prov.chain.map((c: { origin: string }) => c.origin)).toEqual([
      'regional.test/log',
      'agency.test/log',
    ]);
    expect(prov.chain[0].logIndex).toBe(xa.json().logIndex);
    // XC is outside the agency's arrangement: refused, recorded on both sides, nothing stored.
    expect(await deadOn(agency, xcNotice.json().id)).toMatchObject({
      code: 'NOT_ARRANGED',
      direction: 'inbound',
    });
    expect(await deadOn(regional, xcNotice.json().id)).toMatchObject({
      code: 'NOT_ARRANGED',
      direction: 'outbound',
    });
    expect((await get(agency, `/api/reports/${encodeURIComponent(xcNotice.json().id)}`)).statusCode).toBe(
      404,
    );
  });

  it('refuses a report kind the receiver did not arrange (an XA initial inventory under `transfer-notice` only): recorded, nothing changed', async () => {
    await deliver();
    const before = await counts(agency);
    const report = await submit(regional.t, 'xa-ssac.submitter', initialReport('XA-F1'));
    expect(report.statusCode, report.body).toBe(201);
    await deliver();
    expect(await deadOn(agency, report.json().id)).toMatchObject({ code: 'NOT_ARRANGED' });
    expect(await counts(agency)).toEqual(before);
  });

  it('forwards an inspection statement with its findings, verified against the inspectorate key, shown as the origin’s', async () => {
    const AG = 'agency.inspector';
    const at = (ms: number) => new Date(regional.t.clock.now().getTime() + ms).toISOString();
    const planned = await post(
      regional,
      '/api/inspections',
      {
        type: 'routine',
        participants: ['agency'],
        facility: 'XA-FAB',
        mbas: ['XA-F1'],
        startsAt: at(-2 * DAY),
        noticeGivenAt: at(-12 * DAY),
        activities: ['seal-check'],
        assignments: [{ activity: 'seal-check', inspectorate: 'agency' }],
      },
      AG,
    );
    expect(planned.statusCode).toBe(201);
    const id = planned.json().id as string;
    const finding = await post(
      regional,
      `/api/inspections/${id}/findings`,
      { type: 'seal', severity: 'low', description: 'seal 17 replaced' },
      AG,
    );
    expect(finding.statusCode).toBe(201);
    const draft = (await get(regional, `/api/inspections/${id}/statements/draft`, AG)).json();
    const statement = { ...draft, conclusion: 'no anomaly beyond the replaced seal' };
    const signature = Buffer.from(
      ed25519Sign(demoSeed(regional.t, 'agency'), canonicalizeRecord(statement)),
    ).toString('base64');
    const signed = await post(regional, `/api/inspections/${id}/statements`, { statement, signature }, AG);
    expect(signed.statusCode).toBe(201);
    const before = await counts(agency);
    await deliver();

    // Read on the agency through the usual endpoint, as the regional node's, never merged.
    const listed = await get(agency, `/api/inspections/${id}/statements`, 'xa-ssac.reviewer');
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toHaveLength(1);
    const [s] = listed.json();
    expect(s).toMatchObject({
      origin: 'regional.test/log',
      organisation: 'agency',
      signature,
      inspection: id,
    });
    expect(s.statement.findings).toHaveLength(1);
    expect(s.statement.conclusion).toBe(statement.conclusion);
    expect(
      (await import('../../src/domain/inspections/index.js')).verifyStatementSignature(
        s.statement,
        s.signature,
        s.publicKey,
      ),
    ).toBe(true);
    // Nothing merged: the agency has no inspection and no statement of its own from it.
    const after = await counts(agency);
    expect(after.statements).toBe(before.statements);
    expect(after.inbox).toBe(before.inbox + 1);
    const recordId = `inspection-statement:${id}:agency`;
    const rec = (await get(agency, `/api/records/${encodeURIComponent(recordId)}`)).json();
    expect(rec.kind).toBe('received');
    expect(rec.forwarded).toMatchObject({ origin: 'regional.test/log', kind: 'inspection-statement' });
    expect(rec.forwarded.content.signature).toBe(signature);
    const prov = (await get(agency, `/api/records/${encodeURIComponent(recordId)}/provenance`)).json();
    expect(prov).toMatchObject({ kind: 'inspection-statement' });
    expect(prov.chain[0]).toMatchObject({ origin: 'regional.test/log', logIndex: signed.json().logIndex });
    // The chain checks offline: the inspectorate's signature (its key as the agency registered it,
    // proven in the agency's log) → the regional log → the agency's log.
    await agency.t.log.flush();
    const chain = await get(agency, `/api/records/${encodeURIComponent(recordId)}/provenance/chain`);
    expect(chain.statusCode, chain.body).toBe(200);
    const { verifyProvenanceChain } = await import('../../src/domain/federation/index.js');
    const v = verifyProvenanceChain(chain.json().chain, {
      sourceLogKey: chain.json().sourceLogKey,
      receiverLogKey: chain.json().receiverLogKey,
    });
    expect(v.ok, JSON.stringify(v)).toBe(true);
    // Another state's users do not see it.
    expect((await get(agency, `/api/inspections/${id}/statements`, 'xb-ssac.reviewer')).statusCode).toBe(404);
  });

  it('forwards a case about XA to inspectorates only; a case about XB is refused and changes nothing', async () => {
    const opened = await post(
      regional,
      '/api/cases',
      { kind: 'question', state: 'XA', title: 'XA question for the partner' },
      'agency.inspector',
    );
    expect(opened.statusCode).toBe(201);
    const caseId = opened.json().id as string;
    await deliver();
    const recordId = `case-transition:${caseId}:0`;
    const rec = await get(agency, `/api/records/${encodeURIComponent(recordId)}`, 'agency.inspector');
    expect(rec.statusCode).toBe(200);
    expect(rec.json().forwarded).toMatchObject({ origin: 'regional.test/log', kind: 'case-transition' });
    expect(rec.json().forwarded.content.opened).toMatchObject({
      state: 'XA',
      title: 'XA question for the partner',
    });
    // Not the agency's own case, and not shown to the state's users.
    expect((await get(agency, `/api/cases/${caseId}`, 'agency.inspector')).statusCode).toBe(404);
    expect(
      (await get(agency, `/api/records/${encodeURIComponent(recordId)}`, 'xa-ssac.reviewer')).statusCode,
    ).toBe(404);

    // The case's conversation flows with it (decision 0054): a message, as the origin committed it.
    const said = await post(
      regional,
      `/api/cases/${caseId}/messages`,
      { text: 'Please explain the balance', internal: false },
      'agency.inspector',
    );
    expect(said.statusCode, said.body).toBe(201);
    await deliver();
    const message = await regional.t.ports.db.kysely
      .selectFrom('records')
      .select('id')
      .where('kind', '=', 'case-message')
      .where('id', 'like', `case-message:${caseId}:%`)
      .executeTakeFirstOrThrow();
    const fwd = await get(agency, `/api/records/${encodeURIComponent(message.id)}`, 'agency.inspector');
    expect(fwd.statusCode, fwd.body).toBe(200);
    expect(fwd.json().forwarded).toMatchObject({ origin: 'regional.test/log', kind: 'case-message' });
    expect(fwd.json().forwarded.content).toMatchObject({ case: caseId, text: 'Please explain the balance' });
    expect(
      (await get(agency, `/api/records/${encodeURIComponent(message.id)}`, 'xa-ssac.reviewer')).statusCode,
    ).toBe(404);

    const before = await counts(agency);
    const xb = await post(
      regional,
      '/api/cases',
      { kind: 'question', state: 'XB', title: 'XB question' },
      'agency.inspector',
    );
    expect(xb.statusCode).toBe(201);
    await deliver();
    const xbRecord = `case-transition:${xb.json().id}:0`;
    expect(await deadOn(agency, xbRecord)).toMatchObject({ code: 'NOT_ARRANGED' });
    expect(await counts(agency)).toEqual(before);

    for (const n of [regional, agency]) {
      await n.t.log.flush();
      const audit = await auditStore(n.t.ports, parseNoteVerifier(n.t.log.keys.vkey));
      expect(audit.findings).toEqual([]);
    }
    expect(decodeBase64(agency.identity.nodeKey)).toHaveLength(32);
  });

  it('ends an arrangement on each node (logged): nothing logged after its end flows', async () => {
    const end = (n: Node, id: string, body: object = {}) => post(n, `/api/arrangements/${id}/end`, body);
    const kinds = async (n: Node) =>
      (await n.t.ports.db.kysely.selectFrom('records').select('kind').execute()).filter(
        (r) => r.kind === 'arrangement-end',
      ).length;
    expect((await end(agency, ids.receive as string, { to: '2026-01-02' })).json().error.code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await end(agency, 'no-such-arrangement')).statusCode).toBe(404);
    expect((await post(agency, `/api/arrangements/${ids.receive}/end`, {}, 'xa-ssac.admin')).statusCode).toBe(
      403,
    );
    // The agency ends its side now: a case the regional node still sends is refused.
    const ended = await end(agency, ids.receive as string);
    expect(ended.statusCode, ended.body).toBe(200);
    expect(ended.json()).toMatchObject({ id: ids.receive, to: agency.t.clock.now().toISOString() });
    expect((await end(agency, ids.receive as string)).statusCode).toBe(409);
    regional.t.clock.advance(1000);
    agency.t.clock.advance(1000);
    const before = await counts(agency);
    const late = await post(
      regional,
      '/api/cases',
      { kind: 'question', state: 'XA', title: 'after the end' },
      'agency.inspector',
    );
    expect(late.statusCode).toBe(201);
    await deliver();
    expect(await deadOn(agency, `case-transition:${late.json().id}:0`)).toMatchObject({
      code: 'NOT_ARRANGED',
    });
    expect(await counts(agency)).toEqual(before);
    // The regional node ends its side: nothing about XA is queued any more.
    expect((await end(regional, ids.send as string)).statusCode).toBe(200);
    regional.t.clock.advance(1000);
    const after = await post(
      regional,
      '/api/cases',
      { kind: 'question', state: 'XA', title: 'not sent' },
      'agency.inspector',
    );
    expect((await outbox('XA')).map((r) => r.record_id)).not.toContain(
      `case-transition:${after.json().id}:0`,
    );
    // Both nodes recorded the end in their logs; the list shows it.
    expect([await kinds(regional), await kinds(agency)]).toEqual([1, 1]);
    const listed = (await get(regional, '/api/arrangements')).json() as { id: string; to: string | null }[];
    expect(listed.find((a) => a.id === ids.send)?.to).not.toBeNull();
    // The state's ledger shows the period, and each acknowledgement verifies with the receiver's
    // node key by the same pure check the browser runs; a changed one does not.
    const ledger = (await get(regional, '/api/states/XA/sharing?limit=500', 'xa-ssac.reviewer')).json();
    expect(ledger.arrangements).toContainEqual(
      expect.objectContaining({ id: ids.send, peerOrigin: 'agency.test/log', from: '2026-01-01' }),
    );
    expect(ledger.arrangements.find((a: { id: string }) => a.id === ids.send).to).not.toBeNull();
    const acked = ledger.items.filter((i: { acknowledgement: unknown }) => i.acknowledgement !== null);
    expect(acked.length).toBeGreaterThan(3);
    for (const i of acked) {
      expect(i.peerNodeKey).toBe(agency.identity.nodeKey);
      expect(verifyAcknowledgement(i.acknowledgement, i.peerNodeKey)).toBe(true);
    }
    const forged = { ...acked[0].acknowledgement, status: 'refused' };
    expect(verifyAcknowledgement(forged, acked[0].peerNodeKey)).toBe(false);
    for (const n of [regional, agency]) {
      await n.t.log.flush();
      expect((await auditStore(n.t.ports, parseNoteVerifier(n.t.log.keys.vkey))).findings).toEqual([]);
    }
  });
});
