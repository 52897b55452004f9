import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyProvenanceChain } from '../../src/domain/federation/index.js';
import { bearer } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { type FedNode as Node, startArrangedNodes, type TwoNodes } from '../fixtures/federation.js';
import { initialReport, submit } from '../fixtures/reports.js';

/**
 * Issue 17 item 7: the receiving node serves a forwarded record's provenance chain as the file
 * decision 0028 defines, which checks offline with the two log keys (what the browser runs).
 */
describe.each(testDialects())('a received record’s provenance chain file on %s', (dialect) => {
  let nodes: TwoNodes;
  let regional: Node;
  let agency: Node;
  let reportId: string;
  const as = (n: Node, method: 'GET' | 'POST', url: string, body?: unknown, token = n.t.adminToken) =>
    n.t.app.inject({ method, url, headers: bearer(token), ...(body ? { payload: body as object } : {}) });

  beforeAll(async () => {
    nodes = await startArrangedNodes(dialect, { states: ['XA'], kinds: ['key-registration', 'report'] });
    ({ regional, agency } = nodes);
    const xa = await submit(regional.t, 'xa-ssac.submitter', initialReport('XA-F1'));
    reportId = xa.json().id;
    await nodes.deliver();
    await agency.t.log.flush();
  }, 120_000);
  afterAll(async () => {
    await nodes?.close();
  });

  it('verifies offline with the two log keys, and a tampered chain names its failing link', async () => {
    const res = await as(agency, 'GET', `/api/records/${encodeURIComponent(reportId)}/provenance/chain`);
    expect(res.statusCode, res.body).toBe(200);
    const { chain, sourceLogKey, receiverLogKey } = res.json();
    expect(sourceLogKey).toBe(regional.identity.logKey);
    expect(receiverLogKey).toBe(agency.identity.logKey);
    const v = verifyProvenanceChain(chain, { sourceLogKey, receiverLogKey });
    expect(v).toMatchObject({ ok: true });
    expect(chain.keyRegistration.record.kind).toBe('key-registration');

    const tampered = structuredClone(chain);
    tampered.bundle.record.content.period = { from: '2020-01-01', to: '2020-01-31' };
    expect(verifyProvenanceChain(tampered, { sourceLogKey, receiverLogKey })).toMatchObject({
      ok: false,
      step: 'source',
    });
    // Swapped keys: the receiver's record is not in the source's log.
    expect(
      verifyProvenanceChain(chain, { sourceLogKey: receiverLogKey, receiverLogKey: sourceLogKey }),
    ).toMatchObject({ ok: false });
  });

  it('is not found for a record of the node’s own, and follows the record’s visibility', async () => {
    const own = await as(regional, 'GET', `/api/records/${encodeURIComponent(reportId)}/provenance/chain`);
    expect(own.statusCode).toBe(404);
    // XB's reviewer on the agency does not see XA's record: not found, never the chain.
    const xb = agency.t.demo.find((u) => u.login === 'xb-ssac.reviewer')!;
    const hidden = await as(
      agency,
      'GET',
      `/api/records/${encodeURIComponent(reportId)}/provenance/chain`,
      undefined,
      xb.token,
    );
    expect(hidden.statusCode).toBe(404);
    const xa = agency.t.demo.find((u) => u.login === 'xa-ssac.reviewer')!;
    const seen = await as(
      agency,
      'GET',
      `/api/records/${encodeURIComponent(reportId)}/provenance/chain`,
      undefined,
      xa.token,
    );
    expect(seen.statusCode).toBe(200);
  });
});
