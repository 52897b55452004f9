/**
 * Per-MBA change marks of the derived state (decision 0108): a report leaves every other MBA's
 * cached evaluation in place, a partner's pairing or a new day does not, and the case pass within
 * a day evaluates only the MBAs whose marks moved (and the declarations only when one is added),
 * opening what a whole pass would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMbaEvaluator, type StoredEvaluation } from '../../src/services/evaluation/balances.js';
import { createCasePass } from '../../src/services/evaluation/case-pass.js';
import { createEvaluationService } from '../../src/services/evaluation/index.js';
import { readMarks } from '../../src/store/eval-marks.repo.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { declare } from '../fixtures/declarations.js';
import { icr, initialReport, submit, transferLine } from '../fixtures/reports.js';

const MBAS = ['XA-F1', 'XA-S1', 'XB-F1'] as const;

/** A one-line receipt of new material (no counterpart): it changes only its own MBA. */
function receiptOfNew(mba: string, n: number, month: string) {
  const line = { ...transferLine(1, `${month}-05`, 'RN', `${mba}-N${n}`, 'A', mba), counterpart: undefined };
  return icr(n, month, [line], { mba });
}

describe.each(testDialects())('change marks of the derived state (%s)', (dialect) => {
  let t: TestApp;
  const numbers = new Map<string, number>();
  const ok = async (login: string, mba: string, lines: object[], month = '2026-01') => {
    const n = (numbers.get(mba) ?? 0) + 1;
    const res = await submit(t, login, icr(n, month, lines, { mba }));
    expect(res.statusCode, res.body).toBe(201);
    numbers.set(mba, n);
  };
  const oneNew = async (login: string, mba: string) => {
    const n = (numbers.get(mba) ?? 0) + 1;
    const res = await submit(t, login, receiptOfNew(mba, n, '2026-01'));
    expect(res.statusCode, res.body).toBe(201);
    numbers.set(mba, n);
  };

  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    t.clock.current = new Date('2026-02-05T10:00:00Z');
    for (const mba of MBAS) {
      const login = mba.startsWith('XA') ? 'xa-ssac.submitter' : 'xb-ssac.submitter';
      expect((await submit(t, login, initialReport(mba))).statusCode).toBe(201);
    }
    // Three shipments XA-F1 → XA-S1, none received yet: lone, and alarms once past their deadline.
    await ok(
      'xa-ssac.submitter',
      'XA-F1',
      [1, 2, 3].map((n) => transferLine(n, `2026-01-1${n}`, 'SD', `XA-F1-S${n}`, 'B', 'XA-S1')),
    );
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  /** Every MBA's evaluation by code, from `evaluator`. */
  async function each(
    evaluator: ReturnType<typeof createMbaEvaluator>,
  ): Promise<Map<string, StoredEvaluation>> {
    const out = new Map<string, StoredEvaluation>();
    for await (const st of evaluator.evaluateEach()) out.set(st.facts.code, st);
    return out;
  }

  it('re-evaluates only the MBAs a report changed: its own, and the partners it paired', async () => {
    const evaluator = createMbaEvaluator(t.ports);
    const before = await each(evaluator);
    expect([...before.keys()]).toEqual(expect.arrayContaining([...MBAS]));
    const marks0 = await readMarks(t.ports.db.kysely);

    // A line that pairs with nothing: XB-F1 alone changed.
    await oneNew('xb-ssac.submitter', 'XB-F1');
    const marks1 = await readMarks(t.ports.db.kysely);
    expect([...marks1].filter(([m, v]) => marks0.get(m) !== v).map(([m]) => m)).toEqual(['XB-F1']);
    const after = await each(evaluator);
    for (const [code, st] of after) {
      if (code === 'XB-F1') expect(st).not.toBe(before.get(code));
      else expect(st, code).toBe(before.get(code));
    }

    // XA-S1 receives one of XA-F1's shipments: XA-F1's row is paired, so its mark moves too.
    await ok('xa-ssac.submitter', 'XA-S1', [transferLine(1, '2026-01-14', 'RD', 'XA-F1-S1', 'A', 'XA-F1')]);
    const marks2 = await readMarks(t.ports.db.kysely);
    expect(
      [...marks2]
        .filter(([m, v]) => marks1.get(m) !== v)
        .map(([m]) => m)
        .sort(),
    ).toEqual(['XA-F1', 'XA-S1']);
    const paired = await each(evaluator);
    for (const [code, st] of paired) {
      if (code === 'XA-F1' || code === 'XA-S1') expect(st, code).not.toBe(after.get(code));
      else expect(st, code).toBe(after.get(code));
    }
    // And what was kept equals a fresh evaluation, every MBA.
    const fresh = await each(createMbaEvaluator(t.ports));
    for (const [code, st] of fresh) expect(paired.get(code)?.evaluation, code).toEqual(st.evaluation);

    // A new day ends grace periods: every evaluation is made again.
    t.clock.advance(86_400_000);
    const tomorrow = await each(evaluator);
    for (const [code, st] of tomorrow) expect(st, code).not.toBe(paired.get(code));
  });

  it('narrows the case pass within a day to the MBAs whose marks moved, and opens what a whole pass opens', async () => {
    t.clock.current = new Date('2026-04-03T10:00:00Z');
    const evaluator = createMbaEvaluator(t.ports);
    /** What each of the pass's evaluations asked for: undefined is every MBA. */
    const asked: (readonly string[] | undefined)[] = [];
    const counted: typeof evaluator = {
      ...evaluator,
      evaluateEach(codes) {
        asked.push(codes === undefined ? undefined : [...codes].sort());
        return evaluator.evaluateEach(codes);
      },
    };
    const pass = createCasePass(t.ports, counted);
    // The first pass of a process is whole; XA-F1's two lone shipments are past their deadline.
    expect(await pass.openCases()).toBeGreaterThanOrEqual(2);
    expect(asked).toEqual([undefined]);
    // Nothing changed: nothing evaluated.
    expect(await pass.openCases()).toBe(0);
    expect(asked).toEqual([undefined]);
    // A shipment from XB-F1 to XA-S1 dated in January, never received: only XB-F1 is evaluated,
    // and its case is opened by this narrowed pass.
    await ok('xb-ssac.submitter', 'XB-F1', [transferLine(1, '2026-01-20', 'SD', 'XB-F1-S1', 'B', 'XA-S1')]);
    expect(await pass.openCases()).toBe(1);
    expect(asked).toEqual([undefined, ['XB-F1']]);
    // A whole pass of a new service finds nothing left to open.
    expect(await createEvaluationService(t.ports).openCases()).toBe(0);
    // A new day: whole again.
    t.clock.advance(86_400_000);
    await pass.openCases();
    expect(asked).toEqual([undefined, ['XB-F1'], undefined]);

    // A declaration with an export nobody confirms, past its grace period: no MBA changed, but
    // the same day's pass reads the declarations again and opens its case.
    t.clock.current = new Date('2026-11-28T10:00:00Z');
    await pass.openCases();
    const r = await declare(t, 'xa-ssac.submitter', {
      state: 'XA',
      article: '2.a.ix',
      period: { from: '2026-01-01', to: '2026-03-31' },
      items: [
        {
          annexRef: '5.1.2',
          description: 'Annex II 5.1.2 items',
          quantity: 3,
          destinationState: 'XC',
          intendedUseLocation: 'Borduria Enrichment Plant',
          exportDate: '2026-03-01',
        },
      ],
    });
    expect(r.statusCode, r.body).toBe(201);
    const evaluated = asked.length;
    expect(await pass.openCases()).toBe(1);
    expect(asked.length).toBe(evaluated);
    const cases = await t.app.inject({
      method: 'GET',
      url: '/api/cases?state=XA&limit=200',
      headers: bearer(t.token('agency.inspector')),
    });
    const about = (cases.json() as { items: { about?: { declaration?: string } }[] }).items;
    expect(about.filter((c) => c.about?.declaration === `${r.json().id}#0`).length).toBe(1);
    expect(await createEvaluationService(t.ports).openCases()).toBe(0);
  });
});
