import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { verifyAcknowledgement } from '../../src/domain/federation/index.js';
import { parseNoteVerifier } from '../../src/log/index.js';
import { auditStore } from '../../src/services/audit.js';
import { INBOX_BATCH } from '../../src/services/federation/inbox.js';
import { buildBundle, ensureNodeKey, INBOX_PATH, signRequest } from '../../src/services/federation/index.js';
import { systemRandom } from '../../src/services/ports.js';
import { bearer } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { type FedNode as Node, startTwoNodes, type TwoNodes } from '../fixtures/federation.js';
import { icr, initialReport, submit, transferLine } from '../fixtures/reports.js';

describe.each(testDialects())('forwarding between two nodes on %s', (dialect) => {
  let nodes: TwoNodes;
  let regional: Node;
  let agency: Node;
  let peerOfAgency: string; // the agency as the regional node knows it
  let peerOfRegional: string; // the regional node as the agency knows it
  const post = (n: Node, url: string, body: unknown) =>
    n.t.app.inject({ method: 'POST', url, headers: bearer(n.t.adminToken), payload: body as object });
  const get = (n: Node, url: string) =>
    n.t.app.inject({ method: 'GET', url, headers: bearer(n.t.adminToken) });
  const deliver = () => nodes.deliver();
  const count = async (n: Node, table: 'reports' | 'records' | 'fed_inbox', where?: [string, string]) => {
    let q = n.t.ports.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
    if (where) q = q.where(where[0] as never, '=', where[1] as never);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };

  beforeAll(async () => {
    nodes = await startTwoNodes(dialect);
    ({ regional, agency, peerOfAgency, peerOfRegional } = nodes);
  }, 120_000);
  afterAll(async () => {
    await nodes?.close();
  });

  it('refuses unsigned, unknown, tampered, stale, replayed and digest-mismatched requests with their codes', async () => {
    const url = `${agency.url}${INBOX_PATH}`;
    const body = new TextEncoder().encode(JSON.stringify({ bundles: [] }));
    const send = (headers: Record<string, string>, bytes: Uint8Array = body) =>
      fetch(url, { method: 'POST', headers, body: Buffer.from(bytes) }).then(async (r) => ({
        status: r.status,
        code: r.ok ? 'OK' : ((await r.json()) as { error: { code: string } }).error.code,
      }));
    const key = ensureNodeKey(regional.t.ports);
    const now = regional.t.clock.now();
    const nonce = () => Buffer.from(systemRandom.bytes(18)).toString('base64');
    const sign = (at = now, n = nonce(), k = key) => signRequest(k, { method: 'POST', url, body }, at, n);

    expect(await send({ 'content-type': 'application/json' })).toEqual({
      status: 401,
      code: 'REQUEST_SIGNATURE_INVALID',
    });
    const strangerDir = mkdtempSync(join(tmpdir(), 'custos-stranger-'));
    const stranger = ensureNodeKey({
      config: loadConfig({ CUSTOS_DATA_DIR: strangerDir }, process.cwd()),
      random: systemRandom,
    });
    rmSync(strangerDir, { recursive: true, force: true }); // its key is in hand; nothing is left behind
    expect((await send(await sign(now, nonce(), stranger))).code).toBe('PEER_UNKNOWN');
    const good = await sign();
    const forged = {
      ...good,
      signature: String(good.signature).replace(/:([A-Za-z0-9+/])/, (_m, c) => `:${c === 'A' ? 'B' : 'A'}`),
    };
    expect(await send(forged)).toEqual({ status: 401, code: 'REQUEST_SIGNATURE_INVALID' });
    expect((await send(await sign(new Date(now.getTime() - 301_000)))).code).toBe('REQUEST_EXPIRED');
    expect((await send(await sign(new Date(now.getTime() + 301_000)))).code).toBe('REQUEST_EXPIRED');
    const other = new TextEncoder().encode(JSON.stringify({ bundles: [{}] }));
    expect(await send(await sign(), other)).toEqual({ status: 400, code: 'CONTENT_DIGEST_INVALID' });
    // A signature over other components (no content-digest) is refused too.
    const once = await sign();
    expect(await send(once)).toEqual({ status: 200, code: 'OK' });
    expect(await send(once)).toEqual({ status: 409, code: 'REQUEST_REPLAYED' });
  });

  it('tells a sender asking for batched acknowledgements how many bundles it takes, and refuses more', async () => {
    const url = `${agency.url}${INBOX_PATH}`;
    const key = ensureNodeKey(regional.t.ports);
    const push = async (payload: unknown) => {
      const body = new TextEncoder().encode(JSON.stringify(payload));
      const nonce = Buffer.from(systemRandom.bytes(18)).toString('base64');
      const headers = await signRequest(key, { method: 'POST', url, body }, regional.t.clock.now(), nonce);
      const r = await fetch(url, { method: 'POST', headers, body: Buffer.from(body) });
      return {
        status: r.status,
        json: (await r.json()) as { takes?: number; error?: { code: string; message: string } },
      };
    };
    // Decision 0080: the sender sends more than INBOX_BATCH_BEFORE only to a peer that says so.
    const said = await push({ bundles: [], acks: 'batch' });
    expect(said).toEqual({ status: 200, json: { acks: [], takes: INBOX_BATCH } });
    const tooMany = await push({
      bundles: Array.from({ length: INBOX_BATCH + 1 }, () => ({})),
      acks: 'batch',
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error?.code).toBe('BAD_REQUEST');
    expect(tooMany.json.error?.message).toContain(`at most ${INBOX_BATCH} bundles`);
    expect(await count(agency, 'fed_inbox')).toBe(0);
  });

  it('forwards a covered report end to end, never what no arrangement covers, and a redelivery changes nothing', async () => {
    await nodes.arrange(regional, {
      peer: peerOfAgency,
      direction: 'send',
      states: ['XA', 'XB'],
      kinds: ['key-registration', 'report'],
    });
    await nodes.arrange(agency, {
      peer: peerOfRegional,
      direction: 'receive',
      states: ['XA'],
      kinds: ['key-registration', 'report'],
    });
    const xa = await submit(regional.t, 'xa-ssac.submitter', initialReport('XA-F1'));
    expect(xa.statusCode).toBe(201);
    const xaId = xa.json().id as string;
    const xc = await submit(regional.t, 'xc-ssac.submitter', initialReport('XC-R1'));
    const xb = await submit(regional.t, 'xb-ssac.submitter', initialReport('XB-F1'));
    expect([xc.statusCode, xb.statusCode]).toEqual([201, 201]);
    await deliver();

    // The agency reads the report under its original id, with the signed body byte for byte.
    const onAgency = await get(agency, `/api/reports/${encodeURIComponent(xaId)}`);
    expect(onAgency.statusCode).toBe(200);
    const onRegional = await get(regional, `/api/reports/${encodeURIComponent(xaId)}`);
    expect(onAgency.json().bodySha256 ?? onAgency.json().report?.bodySha256).toBe(
      onRegional.json().bodySha256 ?? onRegional.json().report?.bodySha256,
    );
    const prov = await get(agency, `/api/records/${encodeURIComponent(xaId)}/provenance`);
    expect(prov.statusCode).toBe(200);
    expect(prov.json().chain.map((c: { origin: string }) => c.origin)).toEqual([
      'regional.test/log',
      'agency.test/log',
    ]);
    expect(prov.json().chain[0].logIndex).toBe(xa.json().logIndex);

    // XC: no arrangement names it, so it never left (nothing queued, nothing on the agency).
    {
      expect(await count(agency, 'reports', ['state', 'XC'])).toBe(0);
      const queued = await regional.t.ports.db.kysely
        .selectFrom('fed_outbox')
        .select('record_id')
        .where('state', '=', 'XC')
        .execute();
      expect(queued).toEqual([]);
    }
    // XB: sent, refused by the agency (its arrangement receives XA only): a dead letter on both
    // sides, and delivery went on after it.
    expect(await count(agency, 'reports', ['state', 'XB'])).toBe(0);
    {
      const dead = (await get(regional, '/api/federation/dead-letters')).json();
      expect(dead.items).toContainEqual(
        expect.objectContaining({ direction: 'outbound', recordId: xb.json().id, code: 'NOT_ARRANGED' }),
      );
      const deadThere = (await get(agency, '/api/federation/dead-letters')).json();
      expect(deadThere.items).toContainEqual(
        expect.objectContaining({ direction: 'inbound', recordId: xb.json().id, code: 'NOT_ARRANGED' }),
      );
    }

    // The sharing ledger of XA on the regional node, with the agency's signed acknowledgement.
    const ledger = (await get(regional, '/api/states/XA/sharing')).json();
    const entry = ledger.items.find((i: { recordId: string }) => i.recordId === xaId);
    expect(entry).toMatchObject({ status: 'delivered', peer: peerOfAgency });
    // One signature over the batch (decision 0070): the entry keeps its own acknowledgement, its
    // position and inclusion proof; it leads to a root the agency's node key signed.
    const { batch, ...ack } = entry.acknowledgement;
    expect(ack.status).toBe('applied');
    expect(entry.acknowledgement.signature).toBeUndefined();
    expect(entry.peerNodeKey).toBe(agency.identity.nodeKey);
    expect(verifyAcknowledgement(entry.acknowledgement, agency.identity.nodeKey)).toBe(true);
    expect(verifyAcknowledgement({ ...ack, status: 'refused', batch }, agency.identity.nodeKey)).toBe(false);
    const peers = (await get(regional, '/api/peers')).json();
    const settled = await regional.t.ports.db.kysely
      .selectFrom('fed_outbox')
      .select(['status', 'delivered_at'])
      .where('status', '=', 'delivered')
      .orderBy('delivered_at', 'desc')
      .execute();
    expect(settled.length).toBeGreaterThan(0);
    expect(peers[0].delivery).toMatchObject({
      delivered: settled.length,
      lastDeliveredAt: settled[0]?.delivered_at,
      pending: 0,
      lagSeconds: 0,
      lastError: null,
      lastErrorCode: null,
    });

    // Redelivery (the acknowledgements lost): the agency answers as before, nothing changes.
    const before = {
      records: await count(agency, 'records'),
      inbox: await count(agency, 'fed_inbox'),
      reports: await count(agency, 'reports'),
    };
    // As if the acknowledgements had never arrived: the rows pending, the figures without them.
    await regional.t.ports.db.kysely
      .updateTable('fed_outbox')
      .set({ status: 'pending', ack: null, delivered_at: null })
      .where('status', '=', 'delivered')
      .execute();
    await regional.t.ports.db.kysely.deleteFrom('fed_delivered').execute();
    await deliver();
    expect({
      records: await count(agency, 'records'),
      inbox: await count(agency, 'fed_inbox'),
      reports: await count(agency, 'reports'),
    }).toEqual(before);
    const again = (await get(regional, '/api/states/XA/sharing')).json();
    expect(again.items.find((i: { recordId: string }) => i.recordId === xaId).acknowledgement.status).toBe(
      'duplicate',
    );

    // Both logs still audit clean: the agency rebuilds its `received` records and the forwarded rows.
    for (const n of [regional, agency]) {
      await n.t.log.flush();
      const audit = await auditStore(n.t.ports, parseNoteVerifier(n.t.log.keys.vkey));
      expect(audit.findings).toEqual([]);
    }
  });

  it('one batch in three requests at once (a retry while the first is still applied) is applied once and refused nowhere', async () => {
    // Two reports: a batch the inbox applies in one transaction, raced by two copies of itself.
    const ids: string[] = [];
    for (const mba of ['XA-S1', 'XA-R1']) {
      const sent = await submit(regional.t, 'xa-ssac.submitter', initialReport(mba));
      expect(sent.statusCode).toBe(201);
      ids.push(sent.json().id as string);
    }
    await regional.t.log.flush();
    const bundles = await Promise.all(
      ids.map((id) => buildBundle(regional.t.ports, regional.t.log.reader, id)),
    );
    const before = {
      records: await count(agency, 'records'),
      inbox: await count(agency, 'fed_inbox'),
      dead: (await get(agency, '/api/federation/dead-letters')).json().total as number,
    };
    const url = `${agency.url}${INBOX_PATH}`;
    const body = new TextEncoder().encode(JSON.stringify({ bundles }));
    const push = async () => {
      const headers = await signRequest(
        ensureNodeKey(regional.t.ports),
        { method: 'POST', url, body },
        regional.t.clock.now(),
        Buffer.from(systemRandom.bytes(18)).toString('base64'),
      );
      const res = await fetch(url, { method: 'POST', headers, body });
      expect(res.status).toBe(200);
      const reply = (await res.json()) as { acks: { index: number; status: string }[]; batch?: unknown };
      // A sender that does not ask for a batch acknowledgement (before decision 0070) gets each
      // one signed alone, as before.
      expect(reply.batch).toBeUndefined();
      for (const a of reply.acks) expect(verifyAcknowledgement(a, agency.identity.nodeKey)).toBe(true);
      return reply.acks;
    };
    const answers = (await Promise.all([push(), push(), push()])).flat();
    for (const b of bundles) {
      const mine = answers.filter((a) => a.index === b?.index).map((a) => a.status);
      expect(mine.sort()).toEqual(['applied', 'duplicate', 'duplicate']);
    }
    expect({
      records: await count(agency, 'records'),
      inbox: await count(agency, 'fed_inbox'),
      dead: (await get(agency, '/api/federation/dead-letters')).json().total as number,
    }).toEqual({ records: before.records + 2, inbox: before.inbox + 2, dead: before.dead });
    for (const id of ids)
      expect((await get(agency, `/api/reports/${encodeURIComponent(id)}`)).statusCode).toBe(200);
  });

  // On SQLite only: the sizes are the sender's choice (delivery.ts batchSizeFor), the same on either
  // dialect, and 750 reports submitted one by one take 13 s here and over 30 s on PostgreSQL.
  if (dialect === 'sqlite')
    it('sends what every node takes first, then batches of 500 once the peer has said it takes more (decision 0080)', async () => {
      // Over 700 small reports pending for the agency (XA's reports are arranged both ways above).
      // XA-F1's initial inventory (forwarded by an earlier test here, or now), then one-line ICRs.
      if ((await get(regional, `/api/reports/${encodeURIComponent('XA-F1:INITIAL:1')}`)).statusCode === 404) {
        const first = await submit(regional.t, 'xa-ssac.submitter', initialReport('XA-F1'));
        expect(first.statusCode, first.body).toBe(201);
      }
      for (let n = 1; n <= 750; n++) {
        const r = await submit(
          regional.t,
          'xa-ssac.submitter',
          icr(n, '2026-01', [transferLine(1, '2026-01-12', 'RD', `CATCH-UP-${n}`, 'A', 'XA-S1')]),
        );
        expect(r.statusCode, r.body).toBe(201);
      }
      await regional.t.log.flush();
      const pending = Number(
        (
          await regional.t.ports.db.kysely
            .selectFrom('fed_outbox')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('peer_id', '=', peerOfAgency)
            .where('status', '=', 'pending')
            .executeTakeFirstOrThrow()
        ).n,
      );
      expect(pending).toBeGreaterThanOrEqual(750);
      // (a record appended at the end may wait for its checkpoint: sent at the next pass.)
      const inboxBefore = await count(agency, 'fed_inbox');
      // The bundles of every request to the agency's inbox, counted as they leave.
      const sizes: number[] = [];
      const realFetch = globalThis.fetch;
      const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
        const target = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
        if (target.endsWith(INBOX_PATH) && init?.body instanceof Uint8Array)
          sizes.push(
            (JSON.parse(new TextDecoder().decode(init.body)) as { bundles: unknown[] }).bundles.length,
          );
        return realFetch(input, init);
      });
      try {
        await deliver();
      } finally {
        spy.mockRestore();
      }
      // 200 (the peer has not said yet), then 500 a batch; every pending row sent once.
      expect(sizes.slice(0, 2)).toEqual([200, 500]);
      expect(sizes.slice(2).every((n) => n <= 500)).toBe(true);
      const sent = sizes.reduce((a, b) => a + b, 0);
      expect(sent).toBeGreaterThanOrEqual(750);
      // Every one of the 750 ICRs is now stored on the agency.
      const icrs = await agency.t.ports.db.kysely
        .selectFrom('reports')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('mba', '=', 'XA-F1')
        .where('type', '=', 'ICR')
        .executeTakeFirstOrThrow();
      expect(Number(icrs.n)).toBe(750);
      expect(await count(agency, 'fed_inbox')).toBeGreaterThanOrEqual(inboxBefore + 750);
    });

  it('refuses a revoked peer', async () => {
    expect((await post(agency, `/api/peers/${peerOfRegional}/revoke`, {})).statusCode).toBe(200);
    const url = `${agency.url}${INBOX_PATH}`;
    const body = new TextEncoder().encode(JSON.stringify({ bundles: [] }));
    const headers = await signRequest(
      ensureNodeKey(regional.t.ports),
      { method: 'POST', url, body },
      regional.t.clock.now(),
      Buffer.from(systemRandom.bytes(18)).toString('base64'),
    );
    const res = await fetch(url, { method: 'POST', headers, body: Buffer.from(body) });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('PEER_REVOKED');
  });
});
