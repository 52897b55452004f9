import { describe, expect, it } from 'vitest';
import { type Instrument, MODEL_INSTRUMENTS } from '../legal/index.js';
import { annexIIUnmatchedBefore, sourceMaterialUnmatchedBefore } from './crosscheck.js';
import {
  type ApDeadlineRules,
  annualDeclarationDue,
  apDeadlineRulesFrom,
  computeApObligations,
  declarationCovers,
  INFCIRC540_ARTICLE_3,
  INITIAL_ARTICLES,
  initialDeclarationDue,
  quarterlyExportDue,
} from './deadlines.js';

const nextWorkingDay: ApDeadlineRules = { ...INFCIRC540_ARTICLE_3, weekend: 'next-working-day' };

describe('Art. 3.a initial declarations: 180 days after entry into force', () => {
  it('counts calendar days across month and year ends', () => {
    expect(initialDeclarationDue('2025-11-01')).toBe('2026-04-30');
    expect(initialDeclarationDue('2025-07-04')).toBe('2025-12-31');
    expect(initialDeclarationDue('2025-07-05')).toBe('2026-01-01');
  });
  it('counts 29 February in a leap year (and not in a common one)', () => {
    // 2024-01-01 + 180 days: 31+29+31+30+31 = 152 to 1 June, + 28 → 29 June.
    expect(initialDeclarationDue('2024-01-01')).toBe('2024-06-29');
    expect(initialDeclarationDue('2023-01-01')).toBe('2023-06-30');
  });
  it('takes its figure from the rule given', () => {
    const rules = {
      ...INFCIRC540_ARTICLE_3,
      initial: { deadline: { anchor: 'entry-into-force', days: 90 }, ref: 'X' },
    } as const;
    expect(initialDeclarationDue('2025-11-01', rules)).toBe('2026-01-30');
  });
});

describe('Art. 3.b/3.c annual declarations: 15 May for the preceding calendar year', () => {
  it('is 15 May of the next year', () => {
    expect(annualDeclarationDue(2025)).toBe('2026-05-15');
  });
  it('15 May on a Saturday or a Sunday stays 15 May', () => {
    // 15 May 2027 is a Saturday, 15 May 2022 a Sunday.
    expect(new Date('2027-05-15').getUTCDay()).toBe(6);
    expect(new Date('2022-05-15').getUTCDay()).toBe(0);
    expect(annualDeclarationDue(2026)).toBe('2027-05-15');
    expect(annualDeclarationDue(2021)).toBe('2022-05-15');
  });
  it('moves to the Monday only when a provision says so', () => {
    expect(annualDeclarationDue(2026, nextWorkingDay)).toBe('2027-05-17');
    expect(annualDeclarationDue(2021, nextWorkingDay)).toBe('2022-05-16');
    // A Friday does not move.
    expect(annualDeclarationDue(2025, nextWorkingDay)).toBe('2026-05-15');
  });
  it('follows a provision that names another day', () => {
    const rules = {
      ...INFCIRC540_ARTICLE_3,
      annualUpdate: { deadline: { anchor: 'annual', month: 4, day: 30 }, ref: 'X' },
    } as const;
    expect(annualDeclarationDue(2025, rules)).toBe('2026-04-30');
    expect(annualDeclarationDue(2025, rules, 'sourceMaterial')).toBe('2026-05-15');
  });
});

describe('Art. 3.d Annex II exports: 60 days after each quarter', () => {
  it('counts from each quarter end', () => {
    expect(quarterlyExportDue(2026, 1)).toBe('2026-05-30');
    expect(quarterlyExportDue(2026, 2)).toBe('2026-08-29');
    expect(quarterlyExportDue(2026, 3)).toBe('2026-11-29');
  });
  it('crosses the year, landing on 1 March in a common year and 29 February in a leap year', () => {
    expect(quarterlyExportDue(2025, 4)).toBe('2026-03-01');
    expect(quarterlyExportDue(2027, 4)).toBe('2028-02-29');
  });
  it('a Sunday due date stays unless the provision moves it', () => {
    // 2026-11-29 is a Sunday.
    expect(new Date('2026-11-29').getUTCDay()).toBe(0);
    expect(quarterlyExportDue(2026, 3, nextWorkingDay)).toBe('2026-11-30');
  });
});

describe('declarationCovers', () => {
  it('reads a calendar year, a quarter, or else the initial declaration', () => {
    expect(declarationCovers('2.a.i', { from: '2026-01-01', to: '2026-12-31' })).toEqual({
      kind: 'annual',
      year: 2026,
    });
    expect(declarationCovers('2.a.ix', { from: '2026-10-01', to: '2026-12-31' })).toEqual({
      kind: 'quarterly',
      year: 2026,
      quarter: 4,
    });
    expect(declarationCovers('2.a.i', { from: '2025-11-01', to: '2026-04-01' })).toEqual({ kind: 'initial' });
  });
});

describe('apDeadlineRulesFrom: the rules come from the provisions', () => {
  it('pins the model Additional Protocol: 180 days, 15 May, 60 days, each citing its article', () => {
    expect(INFCIRC540_ARTICLE_3).toEqual({
      initial: { deadline: { anchor: 'entry-into-force', days: 180 }, ref: 'INFCIRC/540 Art. 3.a' },
      annualUpdate: { deadline: { anchor: 'annual', month: 5, day: 15 }, ref: 'INFCIRC/540 Art. 3.b' },
      sourceMaterial: { deadline: { anchor: 'annual', month: 5, day: 15 }, ref: 'INFCIRC/540 Art. 3.c' },
      annexIIExports: { deadline: { anchor: 'end-of-quarter', days: 60 }, ref: 'INFCIRC/540 Art. 3.d' },
      weekend: 'keep',
    });
  });
  it("follows a State's own protocol where it states another figure", () => {
    const own: Instrument = {
      ...(MODEL_INSTRUMENTS.find((i) => i.kind === 'additional-protocol') as Instrument),
      id: 'AP-XA',
      parties: ['XA'],
      provisions: [
        {
          ref: 'AP-XA Art. 3.d',
          text: 'Annex II exports within 30 days of each quarter.',
          obligations: [
            {
              kind: 'report',
              reportType: 'AP_ANNEX_II_EXPORTS',
              deadline: { anchor: 'end-of-quarter', days: 30 },
            },
          ],
        },
      ],
    };
    const rules = apDeadlineRulesFrom([own]);
    expect(rules.annexIIExports.ref).toBe('AP-XA Art. 3.d');
    expect(quarterlyExportDue(2026, 1, rules)).toBe('2026-04-30');
    // What the State's text does not state stays the model's.
    expect(rules.initial.ref).toBe('INFCIRC/540 Art. 3.a');
  });
});

describe('computeApObligations', () => {
  const protocol = { id: 'AP-XA', entryIntoForce: '2025-11-01' };
  it('owes the initial articles, the annual trade, and each ended quarter', () => {
    const list = computeApObligations({ protocol, declarations: [], today: '2026-11-28' });
    const ids = list.map((o) => o.id);
    for (const a of INITIAL_ARTICLES) expect(ids).toContain(`AP:${a}:initial`);
    expect(ids).toContain('AP:2.a.vi.b:2025');
    expect(ids).toContain('AP:2.a.vi.c:2025');
    // Art. 3.b updates start with the year the initial declaration falls due (2026): not yet owed.
    expect(ids).not.toContain('AP:2.a.i:2025');
    expect(ids.filter((i) => i.startsWith('AP:2.a.ix:'))).toEqual([
      'AP:2.a.ix:2025-Q4',
      'AP:2.a.ix:2026-Q1',
      'AP:2.a.ix:2026-Q2',
      'AP:2.a.ix:2026-Q3',
    ]);
    const q3 = list.find((o) => o.id === 'AP:2.a.ix:2026-Q3');
    expect(q3).toMatchObject({
      status: 'upcoming',
      dueDate: '2026-11-29',
      daysRemaining: 1,
      ref: 'INFCIRC/540 Art. 3.d',
    });
    expect(q3?.period).toEqual({ from: '2026-07-01', to: '2026-09-30' });
    expect(list.find((o) => o.id === 'AP:2.a.i:initial')).toMatchObject({
      status: 'missing',
      daysOverdue: 212,
    });
  });
  it('is met on the due day, late the day after, and a supplement answers nothing', () => {
    const list = computeApObligations({
      protocol,
      today: '2026-11-28',
      declarations: [
        {
          id: 'd1',
          article: '2.a.ix',
          period: { from: '2026-01-01', to: '2026-03-31' },
          submittedAt: '2026-05-30T23:59:59Z',
        },
        {
          id: 'd2',
          article: '2.a.ix',
          period: { from: '2026-04-01', to: '2026-06-30' },
          submittedAt: '2026-08-30T00:00:00Z',
        },
        {
          id: 'd3',
          article: '2.a.ix',
          period: { from: '2025-10-01', to: '2025-12-31' },
          submittedAt: '2026-01-10T00:00:00Z',
          supplements: 'd0',
        },
      ],
    });
    expect(list.find((o) => o.id === 'AP:2.a.ix:2026-Q1')).toMatchObject({
      status: 'met',
      declarationId: 'd1',
    });
    expect(list.find((o) => o.id === 'AP:2.a.ix:2026-Q2')).toMatchObject({ status: 'late', daysLate: 1 });
    expect(list.find((o) => o.id === 'AP:2.a.ix:2025-Q4')).toMatchObject({ status: 'missing' });
  });
  it('changes when the provision changes', () => {
    const list = computeApObligations({
      protocol,
      declarations: [],
      today: '2026-11-28',
      rules: {
        ...INFCIRC540_ARTICLE_3,
        initial: { deadline: { anchor: 'entry-into-force', days: 400 }, ref: 'X' },
      },
    });
    expect(list.find((o) => o.id === 'AP:2.a.i:initial')).toMatchObject({
      status: 'upcoming',
      dueDate: '2026-12-06',
    });
  });
});

describe('cross-check grace periods', () => {
  it('an Annex II item is past grace once its quarter was due and 60 more days have passed', () => {
    // 2026-Q1 is due 2026-05-30, + 60 days = 2026-07-29: from 2026-07-30 on Q1 items are past grace.
    expect(annexIIUnmatchedBefore('2026-07-29')).toBe('2026-01-01');
    expect(annexIIUnmatchedBefore('2026-07-30')).toBe('2026-04-01');
    // Across the year end: 2025-Q4 due 2026-03-01, + 60 = 2026-04-30.
    expect(annexIIUnmatchedBefore('2026-04-30')).toBe('2025-10-01');
    expect(annexIIUnmatchedBefore('2026-05-01')).toBe('2026-01-01');
  });
  it('a source-material item is past grace once its year was due (15 May)', () => {
    expect(sourceMaterialUnmatchedBefore('2026-05-15')).toBe('2025-01-01');
    expect(sourceMaterialUnmatchedBefore('2026-05-16')).toBe('2026-01-01');
  });
});
