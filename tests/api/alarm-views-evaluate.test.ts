/**
 * The alarm list and the overview's summary evaluate only the MBAs their view can hold (decision
 * 0102): an MBA asked for, a state asked for, or the caller's states. A fresh evaluator's cache
 * counts what was evaluated; the lists must be what the whole view filtered gives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/domain/policy/index.js';
import { authenticateToken } from '../../src/services/auth.js';
import { createAlarms } from '../../src/services/evaluation/alarms.js';
import { createMbaEvaluator } from '../../src/services/evaluation/balances.js';
import { createRegistryRepo } from '../../src/store/registry.repo.js';
import { createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { icr, initialReport, submit, transferLine } from '../fixtures/reports.js';

describe.each(testDialects())('alarm views evaluate their own MBAs (%s)', (dialect) => {
  let t: TestApp;
  let xaMbas: string[];
  let xbMbas: string[];
  let allMbas: string[];
  let inspector: Principal;
  let xaReviewer: Principal;
  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    t.clock.current = new Date('2026-02-05T10:00:00Z');
    // Shipments that never arrive: transfer alarms in XA and in XB once their deadline passes.
    for (const [login, mba, to] of [
      ['xa-ssac.submitter', 'XA-F1', 'XA-S1'],
      ['xb-ssac.submitter', 'XB-F1', 'XB-E1'],
    ] as const) {
      expect((await submit(t, login, initialReport(mba))).statusCode).toBe(201);
      const lines = [1, 2, 3].map((n) => transferLine(n, `2026-01-1${n}`, 'SD', `${mba}-S${n}`, 'B', to));
      const res = await submit(t, login, icr(1, '2026-01', lines, { mba }));
      expect(res.statusCode, res.body).toBe(201);
    }
    t.clock.current = new Date('2026-04-03T10:00:00Z');
    const who = async (login: string) => {
      const p = await authenticateToken(t.ports, t.token(login));
      if (p === undefined) throw new Error(`no principal for ${login}`);
      return p;
    };
    inspector = await who('agency.inspector');
    xaReviewer = await who('xa-ssac.reviewer');
    const registry = createRegistryRepo(t.ports.db);
    allMbas = (await registry.listMbas()).map((m) => m.code);
    xaMbas = (await registry.listMbas({ state: 'XA' })).map((m) => m.code);
    xbMbas = (await registry.listMbas({ state: 'XB' })).map((m) => m.code);
    expect(xaMbas.length).toBeGreaterThan(1);
    expect(allMbas.length).toBeGreaterThan(xaMbas.length + xbMbas.length);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  /** A fresh evaluator and alarm service: its cache holds what was evaluated. */
  const fresh = () => {
    const evaluator = createMbaEvaluator(t.ports);
    return { evaluator, alarms: createAlarms(t.ports, evaluator) };
  };

  it('evaluates the MBA, the state or the caller’s states of the view, and lists the same alarms', async () => {
    const whole = await fresh().alarms.alarms(inspector, {});
    expect(whole.items.filter((a) => a.state === 'XA').length).toBeGreaterThanOrEqual(3);
    expect(whole.items.filter((a) => a.state === 'XB').length).toBeGreaterThanOrEqual(3);
    const cases: [
      Principal,
      { state?: string; mba?: string },
      number,
      (a: { mba: string; state: string }) => boolean,
    ][] = [
      [inspector, {}, allMbas.length, () => true],
      [inspector, { mba: 'XA-F1' }, 1, (a) => a.mba === 'XA-F1'],
      [inspector, { state: 'XB' }, xbMbas.length, (a) => a.state === 'XB'],
      [xaReviewer, {}, xaMbas.length, (a) => a.state === 'XA'],
      [xaReviewer, { mba: 'XB-F1' }, 1, () => false],
    ];
    for (const [p, f, evaluated, keep] of cases) {
      const { evaluator, alarms } = fresh();
      const got = await alarms.alarms(p, f);
      const label = `${p.login} ${JSON.stringify(f)}`;
      expect(evaluator.cache.size, label).toBe(evaluated);
      expect(got.items, label).toEqual(whole.items.filter(keep));
    }
    // The summary of a state's user evaluates that state's MBAs only.
    const { evaluator, alarms } = fresh();
    const summary = await alarms.alarmSummary(xaReviewer);
    expect(evaluator.cache.size).toBe(xaMbas.length);
    expect(summary.total).toBe(whole.items.filter((a) => a.state === 'XA').length);
  }, 120_000);
});
