import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { startArrangedNodes, type TwoNodes } from '../fixtures/federation.js';
import { history } from '../fixtures/report-history.js';
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

/** The derived tables a node keeps of its reports (docs/decisions/0010), each sorted. */
async function derivedTables(t: TestApp) {
  const q = t.ports.db.kysely;
  const sorted = (rows: object[]) =>
    rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).sort();
  return {
    cells: sorted(await q.selectFrom('eval_cells').selectAll().execute()),
    inventories: sorted(await q.selectFrom('eval_inventories').selectAll().execute()),
    entries: sorted(await q.selectFrom('eval_entries').selectAll().execute()),
    versions: sorted(await q.selectFrom('eval_versions').selectAll().execute()),
    transfers: sorted(await q.selectFrom('eval_transfers').selectAll().execute()),
    counts: sorted(await q.selectFrom('eval_transfer_counts').selectAll().execute()),
    revisions: sorted(await q.selectFrom('icr_revisions').selectAll().execute()),
  };
}

describe.each(testDialects())("a peer's batch evaluated together on %s", (dialect) => {
  let nodes: TwoNodes;
  beforeAll(async () => {
    nodes = await startArrangedNodes(dialect, {
      states: ['XA', 'XB'],
      kinds: ['key-registration', 'report'],
    });
  }, 120_000);
  afterAll(async () => {
    await nodes?.close();
  });

  it('leaves the derived state the regional node built one report at a time (decision 0075)', async () => {
    const { regional, agency } = nodes;
    await nodes.deliver(); // the states' keys first: a key registration ends a run
    // INITIALs, ICRs with transfers, corrections and deletions, PILs between them (a PIT moves
    // the MBA's periods mid-run), late ICRs: each stored and evaluated alone on the regional node.
    const types: string[] = [];
    for (const { login, body } of history(7)) {
      const res = await submit(regional.t, login, body);
      expect(res.statusCode, res.body).toBe(201);
      types.push(body.type);
    }
    const sent = types.length;
    expect(types.filter((t) => t === 'PIL').length).toBeGreaterThan(0);
    expect(types.lastIndexOf('ICR')).toBeGreaterThan(types.indexOf('PIL'));
    // The agency takes them in one request, stored as runs (one transaction each), not one by one.
    const k = agency.t.ports.db.kysely;
    const transaction = k.transaction.bind(k);
    let transactions = 0;
    k.transaction = () => {
      transactions++;
      return transaction();
    };
    try {
      await nodes.deliver(1);
    } finally {
      k.transaction = transaction;
    }
    const received = await k
      .selectFrom('fed_inbox')
      .select('record_id')
      .where('kind', '=', 'report')
      .execute();
    expect(received).toHaveLength(sent);
    expect(transactions).toBeLessThan(4);
    const [there, here] = [await derivedTables(regional.t), await derivedTables(agency.t)];
    expect(here.cells.length).toBeGreaterThan(0);
    expect(here.transfers.length).toBeGreaterThan(0);
    expect(here.versions.length).toBeGreaterThan(0);
    expect(here).toEqual(there);
  });
});
