/**
 * What a batch reads once instead of once per record (decision 0068) answers as the per-record
 * look-up did: the receiver's arrangement scope, read once per batch, covers what its arrangements
 * say (from inclusive, end exclusive, receiving only); the sender's receipts of a batch are each the
 * entry's own receipt, against the one checkpoint read at the first, and an entry beyond it has
 * none yet (the batch ends there, as while no checkpoint covers it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopeCovers } from '../../src/services/federation/arrangements.js';
import { createFederationRepo } from '../../src/store/federation.repo.js';
import { bearer } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { startTwoNodes, type TwoNodes } from '../fixtures/federation.js';
import { initialReport, submit } from '../fixtures/reports.js';

describe.each(testDialects())('a batch reads once what each record looked up, on %s', (dialect) => {
  let nodes: TwoNodes;
  beforeAll(async () => {
    nodes = await startTwoNodes(dialect);
  }, 120_000);
  afterAll(async () => {
    await nodes?.close();
  });

  it('the receiving scope is read once and covers what its arrangements say, ended ones included', async () => {
    const a = nodes.agency;
    const peer = nodes.peerOfRegional;
    await nodes.arrange(a, {
      peer,
      direction: 'receive',
      states: ['XA'],
      kinds: ['report'],
      from: '2026-02-01',
    });
    const ended = await nodes.arrange(a, {
      peer,
      direction: 'receive',
      states: ['XB'],
      kinds: ['report', 'transfer-notice'],
    });
    // Sending, not receiving: never counted by the receiver.
    await nodes.arrange(a, { peer, direction: 'send', states: ['XC'], kinds: ['report'] });
    const res = await a.t.app.inject({
      method: 'POST',
      url: `/api/arrangements/${ended}/end`,
      headers: bearer(a.t.adminToken),
      payload: {},
    });
    expect(res.statusCode, res.body).toBe(200);
    const to = String(res.json().to);
    const repo = createFederationRepo(a.t.ports.db);
    const rows = await repo.scopes(a.t.ports.db.kysely, peer, 'receive');
    expect(rows).toHaveLength(3);
    const before = new Date(Date.parse(to) - 1).toISOString();
    const after = new Date(Date.parse(to) + 1).toISOString();
    const covers = (state: string, kinds: string[], at: string) => scopeCovers(rows, { state, kinds, at });
    // From its date on (inclusive), of its kinds only.
    expect(covers('XA', ['report'], '2026-01-31T23:59:59.999Z')).toBe(false);
    expect(covers('XA', ['report'], '2026-02-01T00:00:00.000Z')).toBe(true);
    expect(covers('XA', ['transfer-notice'], '2026-03-01T00:00:00.000Z')).toBe(false);
    expect(covers('XA', ['report', 'transfer-notice'], '2026-03-01T00:00:00.000Z')).toBe(true);
    // Until its end (exclusive).
    expect(covers('XB', ['transfer-notice'], before)).toBe(true);
    expect(covers('XB', ['report'], to)).toBe(false);
    expect(covers('XB', ['report'], after)).toBe(false);
    // Sending only, or no arrangement at all.
    expect(covers('XC', ['report'], after)).toBe(false);
    expect(covers('XD', ['report'], after)).toBe(false);
  });

  it("a batch's receipts are each the entry's own, against one checkpoint; an entry beyond it has none yet", async () => {
    const r = nodes.regional.t;
    const indexOf = async (res: { statusCode: number; json(): { id: string } }) => {
      expect(res.statusCode).toBe(201);
      const row = await r.ports.db.kysely
        .selectFrom('records')
        .select('log_index')
        .where('id', '=', res.json().id)
        .executeTakeFirstOrThrow();
      return Number(row.log_index);
    };
    const first = await indexOf(await submit(r, 'xa-ssac.submitter', initialReport('XA-F1')));
    const second = await indexOf(await submit(r, 'xa-ssac.submitter', initialReport('XA-S1')));
    await r.log.flush();
    const receiptOf = r.log.reader.receipts();
    for (const index of [first, second]) {
      const own = await r.log.reader.receipt(index);
      expect(own).toBeDefined();
      expect(await receiptOf(index)).toBe(own);
    }
    const third = await indexOf(await submit(r, 'xa-ssac.submitter', initialReport('XA-R1')));
    await r.log.flush();
    // A checkpoint covers it now, but not the one this batch read.
    expect(await r.log.reader.receipt(third)).toBeDefined();
    expect(await receiptOf(third)).toBeUndefined();
    expect(await r.log.reader.receipts()(third)).toBe(await r.log.reader.receipt(third));
  });
});
