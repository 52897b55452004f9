import { describe, expect, it } from 'vitest';
import { evaluateMba, type MbaEvaluation, summariseState } from './evaluate.js';
import { goldenSequence, icr, item } from './golden.fixture.js';

describe('evaluateMba', () => {
  it('outputs the issue shape in grams with the exact figures alongside', () => {
    const ev = evaluateMba(goldenSequence());
    const p = ev.elements[0]!.periods[1]!;
    expect(p).toMatchObject({
      from: '2024-02-29',
      to: '2024-03-31',
      pb: 1000,
      increases: { RD: 500 },
      decreases: { SD: 360 },
      be: 1140,
      srd: 0,
      bea: 1140,
      pe: 1100,
      muf: 40,
      cumuf: 80,
      alarms: [],
    });
    expect(p.exact.mufMg).toBe(40_000);
    expect(ev.elements[0]!.category).toBe('PU');
    expect(ev.elements[0]!.covariance[0]![1]).toBeCloseTo(-75, 12);
  });

  it('places transfer alarms in the period of their date, or leaves them open', () => {
    const ev = evaluateMba({
      ...goldenSequence(),
      transferAlarms: [
        { date: '2024-02-29', code: 'SRD_3SIGMA', element: 'P' },
        { date: '2024-03-01', code: 'TRANSFER_UNMATCHED' },
        { date: '2024-03-02', code: 'NOTICE_LATE', element: 'E' },
        { date: '2024-05-01', code: 'NOTICE_MISSING', element: 'P' },
      ],
    });
    expect(ev.elements[0]!.periods.map((p) => p.alarms)).toEqual([
      ['SRD_3SIGMA'],
      ['TRANSFER_UNMATCHED'],
      ['PAGE'],
    ]);
    expect(ev.openAlarms.map((a) => a.code)).toEqual(['NOTICE_LATE', 'NOTICE_MISSING']);
  });

  it('applies corrections before balancing and reports orphans', () => {
    const input = goldenSequence();
    const ev = evaluateMba({
      ...input,
      icrLines: [
        ...input.icrLines,
        icr(4, 1, '2024-02-20', 'SD', 'OUT', 'P', 500_000, { corrects: { reportNumber: 1, line: 2 } }),
        icr(4, 2, '2024-02-20', 'SD', 'OUT', 'P', 1, { deletes: { reportNumber: 99, line: 1 } }),
      ],
    });
    expect(ev.elements[0]!.periods[0]!.muf).toBe(0);
    expect(ev.orphans.map((o) => o.reason)).toEqual(['TARGET_UNKNOWN']);
  });

  it('flags ITEM_MUF in an item MBA and balances every element separately', () => {
    const ev = evaluateMba({
      mba: 'REACTOR',
      itemMba: true,
      inventories: [
        {
          date: '2024-01-31',
          lines: [item('FA1', 'CORE', 'E', 400_000_000, 16_000_000), item('FA1', 'CORE', 'P', 0)],
        },
        {
          date: '2024-12-31',
          lines: [item('FA1', 'CORE', 'E', 399_999_999, 15_000_000), item('FA1', 'CORE', 'P', 2_000_000)],
        },
      ],
      icrLines: [
        icr(1, 1, '2024-06-30', 'NL', 'CORE', 'E', 0, { fissileMg: 1_000_000 }),
        icr(1, 2, '2024-06-30', 'NP', 'CORE', 'P', 2_000_000),
      ],
      kmpErrors: { CORE: { random: 0, systematic: 0 } },
    });
    const [p, e] = ev.elements;
    expect(p!.element).toBe('P');
    expect(p!.periods[0]!.alarms).toEqual([]);
    expect(p!.periods[0]!.sitmuf).toBeNull();
    expect(e!.category).toBe('LEU');
    expect(e!.periods[0]!.exact.mufMg).toBe(1);
    expect(e!.periods[0]!.fissile.muf).toBe(0);
    expect(e!.periods[0]!.alarms).toEqual(['MUF_3SIGMA', 'ITEM_MUF']);
  });
});

describe('summariseState', () => {
  const golden = evaluateMba(goldenSequence());
  const quiet: MbaEvaluation = {
    ...golden,
    elements: [{ ...golden.elements[0]!, periods: golden.elements[0]!.periods.slice(0, 2) }],
  };

  it('counts balances, alarms, timeliness and transfers, and draws no conclusion while alarms are open', () => {
    const s = summariseState({
      state: 'XX',
      year: 2024,
      asOf: '2025-02-01',
      evaluations: [golden],
      agreement: 'CSA',
      deadlines: [
        { mba: 'GOLD', type: 'ICR', due: '2024-03-30', received: '2024-03-01' },
        { mba: 'GOLD', type: 'ICR', due: '2024-04-30', received: '2024-05-02' },
        { mba: 'GOLD', type: 'ICR', due: '2024-05-30' },
        { mba: 'GOLD', type: 'ICR', due: '2025-03-02' },
      ],
    });
    expect(s.balancesClosed).toBe(3);
    expect(s.muf.total).toBe(120_000);
    expect(s.alarms.PAGE).toBe(1);
    expect(s.openAlarms.map((a) => a.key)).toEqual(['GOLD/P/2024-04-30/PAGE']);
    expect(s.timeliness).toEqual({ due: 3, onTime: 1, late: 1, missing: 1 });
    expect(s.conclusion.category).toBe('NOT_DRAWN');
    expect(s.conclusion.reasons).toEqual([
      '1 report(s) missing',
      '1 unresolved alarm(s)',
      'open cases not known',
      'inspections not known',
    ]);
  });

  it('follows the agreement once everything is resolved (domain.md §7)', () => {
    const base = {
      state: 'XX',
      year: 2024,
      asOf: '2025-02-01',
      evaluations: [golden],
      deadlines: [],
      openCases: 0,
      inspectionsDone: 1,
    } as const;
    const resolvedAlarms = new Set(['GOLD/P/2024-04-30/PAGE']);
    expect(summariseState({ ...base, agreement: 'CSA', resolvedAlarms }).conclusion.category).toBe(
      'DECLARED_MATERIAL_PEACEFUL',
    );
    expect(
      summariseState({
        ...base,
        agreement: 'CSA',
        additionalProtocol: true,
        apEvaluationComplete: true,
        resolvedAlarms,
      }).conclusion.category,
    ).toBe('ALL_MATERIAL_PEACEFUL');
    expect(
      summariseState({ ...base, evaluations: [quiet], agreement: 'CSA', additionalProtocol: true }).conclusion
        .category,
    ).toBe('DECLARED_MATERIAL_PEACEFUL');
    expect(
      summariseState({ ...base, evaluations: [quiet], agreement: 'INFCIRC66' }).conclusion.category,
    ).toBe('ITEMS_PEACEFUL');
    expect(summariseState({ ...base, evaluations: [quiet], agreement: 'VOA' }).conclusion.category).toBe(
      'VOLUNTARY_OFFER',
    );
    expect(
      summariseState({
        ...base,
        evaluations: [quiet],
        agreement: 'CSA',
        transfers: { matched: 3, pending: 1, unmatched: 1, discrepant: 0 },
      }).conclusion.category,
    ).toBe('NOT_DRAWN');
  });

  it('draws no conclusion without its basis, and says why (issue 16)', () => {
    const NO_TRANSFERS = { matched: 0, pending: 0, unmatched: 0, discrepant: 0 };
    const full = { state: 'XX', year: 2024, asOf: '2025-02-01', agreement: 'CSA' } as const;
    const none = summariseState({ ...full, evaluations: [] });
    expect(none.conclusion.category).toBe('NOT_DRAWN');
    expect(none.conclusion.reasons).toEqual([
      'no material balance closed in 2024',
      'report timeliness not known',
      'open cases not known',
      'inspections not known',
    ]);
    const basis = { ...full, evaluations: [quiet], deadlines: [], openCases: 0, inspectionsDone: 0 };
    expect(summariseState(basis).conclusion.reasons).toEqual(['no inspection carried out in 2024']);
    expect(summariseState({ ...basis, inspectionsDone: 2, openCases: 1 }).conclusion.reasons).toEqual([
      '1 open case(s)',
    ]);
    // The same reasons as codes with their figures, which the browser words in six languages.
    expect(none.conclusion.reasonCodes).toEqual([
      { code: 'NO_BALANCE_CLOSED', year: 2024 },
      { code: 'TIMELINESS_UNKNOWN' },
      { code: 'CASES_UNKNOWN' },
      { code: 'INSPECTIONS_UNKNOWN' },
    ]);
    expect(
      summariseState({
        ...basis,
        inspectionsDone: 2,
        openCases: 3,
        transfers: { ...NO_TRANSFERS, discrepant: 2 },
      }).conclusion.reasonCodes,
    ).toEqual([
      { code: 'CASES_OPEN', count: 3 },
      { code: 'TRANSFERS_DISCREPANT', count: 2 },
    ]);
    expect(summariseState({ ...basis, inspectionsDone: 2 }).conclusion.category).toBe(
      'DECLARED_MATERIAL_PEACEFUL',
    );
    // The PAGE alarm's case (opened at its first firing) resolved: the alarm is no longer open.
    const withAlarm = { ...basis, evaluations: [golden], inspectionsDone: 2 };
    expect(summariseState(withAlarm).conclusion.reasons).toEqual(['1 unresolved alarm(s)']);
    const cause = 'sequence:XX:GOLD:P:2024-04-30';
    expect(summariseState({ ...withAlarm, resolvedCauses: new Set([cause]) }).conclusion.category).toBe(
      'DECLARED_MATERIAL_PEACEFUL',
    );
  });
});
