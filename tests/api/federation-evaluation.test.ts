import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { startArrangedNodes, type TwoNodes } from '../fixtures/federation.js';
import { icr, initialReport, submit } from '../fixtures/reports.js';

/**
 * Issue 17 item 4: the agency evaluates what it receives with its own engine; for the same inputs
 * both nodes compute bit-identical balances (JSON numbers print the shortest text that reads back
 * as the same double, so equal text is equal bits).
 */
function line(n: number, date: string, code: string, batch: string, weight: number, other?: string) {
  return {
    line: n,
    date,
    code,
    batch,
    kmp: code.startsWith('R') ? 'A' : code.startsWith('S') ? 'B' : 'C',
    element: 'E',
    weight,
    fissileWeight: Math.round(weight * 40.3) / 1000,
    isotope: 'G',
    basis: 'M',
    form: 'U2',
    ...(other ? { counterpart: { state: 'XA', mba: other } } : {}),
  };
}

describe.each(testDialects())('independent evaluation on two nodes on %s', (dialect) => {
  let nodes: TwoNodes;
  let regional: TestApp;
  let agency: TestApp;
  const as = (t: TestApp, method: 'GET' | 'POST', url: string, body?: object) =>
    t.app.inject({ method, url, headers: bearer(t.adminToken), ...(body ? { payload: body } : {}) });

  beforeAll(async () => {
    nodes = await startArrangedNodes(dialect, { states: ['XA'], kinds: ['key-registration', 'report'] });
    ({
      regional: { t: regional },
      agency: { t: agency },
    } = nodes);
  }, 120_000);
  afterAll(async () => {
    await nodes?.close();
  });

  it('computes the same balances, MUF and σMUF for XA-F1 on the regional node and on the agency', async () => {
    const reports = [
      initialReport('XA-F1'),
      initialReport('XA-S1'),
      icr(1, '2026-01', [
        line(1, '2026-01-10', 'RD', 'T-1', 1000.125, 'XA-S1'),
        line(2, '2026-01-12', 'SD', 'T-2', 333.333, 'XA-S1'),
        line(3, '2026-01-20', 'LD', 'W-1', 0.301),
      ]),
      { ...icr(1, '2026-01', [line(1, '2026-01-09', 'SD', 'T-1', 1000.125, 'XA-F1')]), mba: 'XA-S1' },
    ];
    for (const body of reports) {
      const res = await submit(regional, 'xa-ssac.submitter', body);
      expect(res.statusCode, res.body).toBe(201);
    }
    await nodes.deliver(20);
    const received = await agency.ports.db.kysely
      .selectFrom('fed_inbox')
      .select('record_id')
      .where('kind', '=', 'report')
      .execute();
    expect(received).toHaveLength(reports.length);

    for (const url of [
      '/api/mbas/XA-F1/balances?element=E',
      '/api/mbas/XA-S1/balances',
      '/api/states/XA/evaluation?year=2026',
    ]) {
      const [r, a] = [await as(regional, 'GET', url), await as(agency, 'GET', url)];
      expect([r.statusCode, a.statusCode], `${url}: ${r.body} ${a.body}`).toEqual([200, 200]);
      expect(a.body, url).toBe(r.body);
    }
    // Each node's own engine, evaluated afresh from its own store, agrees too.
    const { createEvaluationService } = await import('../../src/services/evaluation/index.js');
    const [wr, wa] = [
      await createEvaluationService(regional.ports).world(),
      await createEvaluationService(agency.ports).world(),
    ];
    expect(JSON.stringify([...wa.evaluations])).toBe(JSON.stringify([...wr.evaluations]));
    expect(wa.evaluations.size).toBeGreaterThan(0);
  });
});
