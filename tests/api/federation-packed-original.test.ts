import { brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from '../../src/log/index.js';
import { buildWireBundle } from '../../src/services/federation/bundle.js';
import { ensureNodeKey, INBOX_PATH, signRequest } from '../../src/services/federation/index.js';
import type { PackedOriginal } from '../../src/services/federation/packed-original.js';
import { systemRandom } from '../../src/services/ports.js';
import { bearer } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { type FedNode, startArrangedNodes, type TwoNodes } from '../fixtures/federation.js';
import { icr, initialReport, submit } from '../fixtures/reports.js';

/**
 * Decision 0071: a big signed original travels packed (as its source stores it) and the receiver
 * verifies, parses and stores what it unpacks — the same bytes, the same checks.
 */
function receipts(n: number, reportNumber: number) {
  return Array.from({ length: n }, (_, i) => ({
    line: i + 1,
    date: '2026-01-10',
    code: 'RD',
    batch: `P-${reportNumber}-${i + 1}`,
    kmp: 'A',
    element: 'E',
    weight: 1000 + i,
    fissileWeight: 40,
    isotope: 'G',
    basis: 'M',
    form: 'U2',
    counterpart: { state: 'XA', mba: 'XA-S1' },
  }));
}

describe.each(testDialects())('a big original travels packed (%s)', (dialect) => {
  let nodes: TwoNodes;
  let regional: FedNode;
  let agency: FedNode;
  const get = (n: FedNode, url: string) =>
    n.t.app.inject({ method: 'GET', url, headers: bearer(n.t.adminToken) });
  /** The regional node's bundle of `id` as its delivery would send it. */
  async function wireBundle(id: string) {
    await regional.t.log.flush();
    const b = await buildWireBundle(
      regional.t.ports,
      regional.t.log.reader,
      id,
      regional.t.log.reader.receipt,
      true,
    );
    if (!b) return expect.fail(`no bundle of ${id}`);
    return b;
  }

  beforeAll(async () => {
    nodes = await startArrangedNodes(dialect, { states: ['XA'], kinds: ['key-registration', 'report'] });
    ({ regional, agency } = nodes);
    const init = await submit(regional.t, 'xa-ssac.submitter', initialReport('XA-F1'));
    expect(init.statusCode, init.body).toBe(201);
    // The regional node sends big originals packed only to a peer that has answered a batch
    // acknowledgement (a release that reads them): one delivery first.
    await nodes.deliver();
  }, 120_000);
  afterAll(async () => {
    await nodes?.close();
  });

  it('is sent packed, and the agency keeps the signed bytes byte for byte with every line', async () => {
    const res = await submit(regional.t, 'xa-ssac.submitter', icr(1, '2026-01', receipts(400, 1)));
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    const signed = (await get(regional, `/api/reports/${encodeURIComponent(id)}/body`)).rawPayload;
    expect(signed.length).toBeGreaterThanOrEqual(64 * 1024); // unpacked on the pool

    const wire = await wireBundle(id);
    const original = wire.original as PackedOriginal;
    expect(original).toMatchObject({ codec: 'br' });
    expect(original).not.toHaveProperty('bytes');
    expect(decodeBase64(original.packed).length).toBeLessThan(signed.length / 4);

    await nodes.deliver();
    const onAgency = await get(agency, `/api/reports/${encodeURIComponent(id)}/body`);
    expect(onAgency.statusCode).toBe(200);
    expect(Buffer.compare(onAgency.rawPayload, signed)).toBe(0);
    const report = (await get(agency, `/api/reports/${encodeURIComponent(id)}`)).json();
    expect(report.report.lines).toHaveLength(400);
  });

  it('sends a small original packed too, stored on the agency as the regional node stores it (decision 0075)', async () => {
    const res = await submit(regional.t, 'xa-ssac.submitter', icr(2, '2026-01', receipts(3, 2)));
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    const signed = (await get(regional, `/api/reports/${encodeURIComponent(id)}/body`)).rawPayload;
    expect(signed.length).toBeLessThan(64 * 1024); // unpacked on the request's thread
    const original = (await wireBundle(id)).original as PackedOriginal;
    expect(original).toMatchObject({ codec: 'br' });
    expect(original).not.toHaveProperty('bytes');

    await nodes.deliver();
    const onAgency = await get(agency, `/api/reports/${encodeURIComponent(id)}/body`);
    expect(onAgency.statusCode).toBe(200);
    expect(Buffer.compare(onAgency.rawPayload, signed)).toBe(0);
    const stored = async (n: FedNode) =>
      n.t.ports.db.kysely
        .selectFrom('report_bodies')
        .select(['body', 'codec'])
        .where('report_id', '=', id)
        .executeTakeFirstOrThrow();
    const [there, here] = [await stored(regional), await stored(agency)];
    expect(here.codec).toBe('br');
    expect(Buffer.compare(Buffer.from(here.body), Buffer.from(there.body))).toBe(0);
    const report = (await get(agency, `/api/reports/${encodeURIComponent(id)}`)).json();
    expect(report.report.lines).toHaveLength(3);
  });

  it('refuses a packed original that unpacks to other bytes than the state signed, and stores nothing', async () => {
    const res = await submit(regional.t, 'xa-ssac.submitter', icr(3, '2026-01', receipts(400, 3)));
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    const wire = await wireBundle(id);
    const original = wire.original as PackedOriginal;
    const signed = (await get(regional, `/api/reports/${encodeURIComponent(id)}/body`)).rawPayload;
    const altered = Buffer.from(signed.toString('utf8').replace('"weight":1000,', '"weight":1001,'));
    expect(altered.equals(signed)).toBe(false);
    const forged = { ...wire, original: { ...original, packed: encodeBase64(brotliCompressSync(altered)) } };

    const url = `${agency.url}${INBOX_PATH}`;
    const body = new TextEncoder().encode(JSON.stringify({ bundles: [forged] }));
    const nonce = encodeBase64(systemRandom.bytes(18));
    const headers = await signRequest(
      ensureNodeKey(regional.t.ports),
      { method: 'POST', url, body },
      regional.t.clock.now(),
      nonce,
    );
    const answer = await fetch(url, { method: 'POST', headers, body: Buffer.from(body) });
    expect(answer.status).toBe(200);
    const { acks } = (await answer.json()) as { acks: { status: string; code?: string }[] };
    expect(acks).toMatchObject([{ status: 'refused', code: 'SIGNATURE_INVALID' }]);
    expect((await get(agency, `/api/reports/${encodeURIComponent(id)}`)).statusCode).toBe(404);
  });
});
