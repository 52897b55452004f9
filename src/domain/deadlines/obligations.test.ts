import { describe, expect, it } from 'vitest';
import type { ObligationsInput, ReceivedReport } from './deadlines.types.js';
import { computeObligations } from './obligations.js';
import { dueDateUnder, reportingRulesFrom } from './rules.js';

const model = reportingRulesFrom([]);
const icrDueDate = (month: string) => dueDateUnder(model.ICR.deadline, `${month}-01`);
const initialReportDueDate = (eif: string) => dueDateUnder(model.INITIAL.deadline, eif);
const pitReportDueDate = (pit: string) => dueDateUnder(model.PIL.deadline, pit);

const csa = { id: 'CSA-XA', type: 'CSA', entryIntoForce: '2025-01-15', parties: ['XA', 'IAEA'] } as const;

function icr(
  mba: string,
  from: string,
  to: string,
  submittedAt: string,
  outcome: 'accepted' | 'rejected' = 'accepted',
) {
  return { type: 'ICR', mba, period: { from, to }, submittedAt, outcome } as const satisfies ReceivedReport;
}

const base: ObligationsInput = {
  state: 'XA',
  agreements: [csa],
  today: '2025-05-10',
  mbas: [
    {
      mba: 'XA-A',
      pits: ['2025-03-31', '2025-12-31'],
      shipments: [{ direction: 'export', reference: 'EX-1', preparationDate: '2025-05-20' }],
    },
    {
      mba: 'XA-B',
      activeFrom: '2025-03-10',
      pits: [],
      shipments: [{ direction: 'import', reference: 'IM-1', responsibilityDate: '2025-06-01' }],
    },
  ],
  reports: [
    {
      type: 'INITIAL',
      mba: 'XA-A',
      pit: '2025-01-31',
      submittedAt: '2025-02-20T10:00:00Z',
      outcome: 'accepted',
    },
    icr('XA-A', '2025-02-01', '2025-02-28', '2025-04-02T09:00:00Z'),
    icr('XA-A', '2025-03-01', '2025-03-31', '2025-04-29T23:00:00Z', 'rejected'),
    icr('XA-A', '2025-03-01', '2025-03-31', '2025-05-05T08:00:00Z'),
    { type: 'PIL', mba: 'XA-A', pit: '2025-03-31', submittedAt: '2025-04-30T23:59:59Z', outcome: 'accepted' },
    icr('XA-B', '2025-03-10', '2025-03-31', '2025-04-20T12:00:00+02:00', 'rejected'),
    icr('XA-B', '2025-04-01', '2025-04-30', '2025-05-01T00:30:00+02:00'),
  ],
};

describe('due dates (UTC calendar days)', () => {
  it('adds 30 days to the end of the month for ICRs and the initial report', () => {
    expect(icrDueDate('2025-01')).toBe('2025-03-02');
    expect(icrDueDate('2024-01')).toBe('2024-03-01');
    expect(icrDueDate('2025-02')).toBe('2025-03-30');
    expect(icrDueDate('2025-12')).toBe('2026-01-30');
    expect(initialReportDueDate('2025-01-15')).toBe('2025-03-02');
  });
  it('adds 30 days to the PIT for PIL and MBR', () => {
    expect(pitReportDueDate('2025-06-30')).toBe('2025-07-30');
  });
});

describe('computeObligations', () => {
  const byId = new Map(computeObligations(base).map((o) => [o.id, o]));

  it('lists exactly the expected obligations', () => {
    expect([...byId.keys()].sort()).toEqual(
      [
        'EXPORT_NOTICE:XA-A:EX-1',
        'ICR:XA-A:2025-02',
        'ICR:XA-A:2025-03',
        'ICR:XA-A:2025-04',
        'ICR:XA-B:2025-03',
        'ICR:XA-B:2025-04',
        'IMPORT_NOTICE:XA-B:IM-1',
        'INITIAL:XA-A',
        'MBR:XA-A:2025-03-31',
        'PIL:XA-A:2025-03-31',
      ].sort(),
    );
  });
  it('marks an on-time initial report met', () => {
    expect(byId.get('INITIAL:XA-A')).toMatchObject({
      status: 'met',
      dueDate: '2025-03-02',
      agreement: 'CSA-XA',
    });
  });
  it('counts late days from the due date', () => {
    expect(byId.get('ICR:XA-A:2025-02')).toMatchObject({
      status: 'late',
      dueDate: '2025-03-30',
      daysLate: 3,
    });
  });
  it('dates a promptly cured report by the rejected attempt', () => {
    expect(byId.get('ICR:XA-A:2025-03')).toMatchObject({
      status: 'met',
      dueDate: '2025-04-30',
      submittedAt: '2025-04-29T23:00:00Z',
      acceptedAt: '2025-05-05T08:00:00Z',
      rejectedAttempts: 1,
    });
  });
  it('treats the due date itself as on time', () => {
    expect(byId.get('PIL:XA-A:2025-03-31')).toMatchObject({ status: 'met', dueDate: '2025-04-30' });
  });
  it('marks missing and upcoming with day counts', () => {
    expect(byId.get('MBR:XA-A:2025-03-31')).toMatchObject({ status: 'missing', daysOverdue: 10 });
    expect(byId.get('ICR:XA-A:2025-04')).toMatchObject({
      status: 'upcoming',
      dueDate: '2025-05-30',
      daysRemaining: 20,
    });
    expect(byId.get('EXPORT_NOTICE:XA-A:EX-1')).toMatchObject({
      status: 'missing',
      dueDate: '2025-05-06',
      daysOverdue: 4,
    });
    expect(byId.get('IMPORT_NOTICE:XA-B:IM-1')).toMatchObject({
      status: 'upcoming',
      dueDate: '2025-06-01',
      daysRemaining: 22,
    });
  });
  it('keeps a rejected-only obligation missing but records the attempt', () => {
    expect(byId.get('ICR:XA-B:2025-03')).toMatchObject({
      status: 'missing',
      daysOverdue: 10,
      rejectedAttempts: 1,
    });
  });
  it('judges the submission by its UTC date', () => {
    expect(byId.get('ICR:XA-B:2025-04')).toMatchObject({ status: 'met', dueDate: '2025-05-30' });
  });
  it('sorts by due date', () => {
    const dues = computeObligations(base).map((o) => o.dueDate);
    expect(dues).toEqual([...dues].sort());
  });

  it('dates a cure outside the cure window by the accepted report', () => {
    const [o] = computeObligations({
      ...base,
      mbas: [{ mba: 'XA-B', activeFrom: '2025-03-10', activeUntil: '2025-03-31', pits: [] }],
      reports: [
        icr('XA-B', '2025-03-10', '2025-03-31', '2025-04-01T00:00:00Z', 'rejected'),
        icr('XA-B', '2025-03-10', '2025-03-31', '2025-05-02T00:00:00Z'),
      ],
    });
    expect(o).toMatchObject({ id: 'ICR:XA-B:2025-03', status: 'late', daysLate: 2, rejectedAttempts: 1 });
  });
  it('lets one ICR cover each month of its period, and a nil ICR counts', () => {
    const out = computeObligations({
      ...base,
      today: '2025-05-31',
      mbas: [{ mba: 'XA-A', pits: [] }],
      reports: [icr('XA-A', '2025-02-01', '2025-04-30', '2025-03-01T00:00:00Z')],
    });
    expect(out.filter((o) => o.type === 'ICR').map((o) => [o.month, o.status])).toEqual([
      ['2025-02', 'met'],
      ['2025-03', 'met'],
      ['2025-04', 'met'],
    ]);
  });
  it('stops ICRs at the month the MBA closed', () => {
    const out = computeObligations({
      ...base,
      mbas: [{ mba: 'XA-A', activeUntil: '2025-03-05', pits: [] }],
      reports: [],
    });
    expect(out.filter((o) => o.type === 'ICR').map((o) => o.month)).toEqual(['2025-02', '2025-03']);
  });
  it('owes nothing without a reporting agreement in force', () => {
    expect(computeObligations({ ...base, agreements: [{ ...csa, type: 'AP' }] })).toEqual([]);
    expect(computeObligations({ ...base, agreements: [{ ...csa, parties: ['XB'] }] })).toEqual([]);
    expect(computeObligations({ ...base, agreements: [{ ...csa, entryIntoForce: '2025-06-01' }] })).toEqual(
      [],
    );
  });
  it('runs from the earliest reporting agreement', () => {
    const regional = { id: 'REG', type: 'REGIONAL', entryIntoForce: '2024-12-01', parties: ['XA'] } as const;
    const out = computeObligations({
      ...base,
      agreements: [csa, regional],
      mbas: [{ mba: 'XA-A', pits: [] }],
    });
    expect(out[0]).toMatchObject({ id: 'INITIAL:XA-A', agreement: 'REG', dueDate: '2025-01-30' });
  });
  it('refuses a bad date or a duplicate MBA', () => {
    expect(() => computeObligations({ ...base, today: '2025-02-30' })).toThrowError(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => computeObligations({ ...base, mbas: [base.mbas[0]!, base.mbas[0]!] })).toThrowError(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });
});
