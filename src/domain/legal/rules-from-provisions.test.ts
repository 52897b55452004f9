import { describe, expect, it } from 'vitest';
import { computeObligations, reportingRulesFrom } from '../deadlines/index.js';
import { checkNotice, INSPECTION_TYPES } from '../inspections/index.js';
import { type Instrument, MODEL_AP_PROVISIONS, MODEL_CSA_PROVISIONS } from './index.js';

/**
 * Issue 19 checks: deadlines and notice rules computed from provisions equal today's figures for
 * the demo world (its register holds the model texts, as services/demo/world.ts registers them),
 * and change when a provision changes.
 */
const csa: Instrument = {
  id: 'INFCIRC-153',
  title: 'CSA',
  kind: 'safeguards-agreement',
  parties: ['XA', 'XB', 'XC', 'agency', 'rsa'],
  inForce: '2025-11-01',
  provisions: [...MODEL_CSA_PROVISIONS],
  version: 1,
};
const ap: Instrument = {
  ...csa,
  id: 'INFCIRC-540',
  kind: 'additional-protocol',
  provisions: [...MODEL_AP_PROVISIONS],
};
const demo = [csa, ap];

const world = {
  state: 'XA',
  agreements: [{ id: 'CSA-XA', type: 'CSA', entryIntoForce: '2025-11-01', parties: ['XA', 'agency'] }],
  mbas: [
    {
      mba: 'XA-A',
      pits: ['2026-03-31'],
      shipments: [
        { direction: 'export', reference: 'EX-1', preparationDate: '2026-05-20' },
        { direction: 'import', reference: 'IM-1', responsibilityDate: '2026-06-01' },
      ],
    },
  ],
  reports: [],
  today: '2026-05-10',
} as const;

function dueDates(instruments: readonly Instrument[]) {
  return Object.fromEntries(
    computeObligations({ ...world, rules: reportingRulesFrom(instruments) }).map((o) => [
      o.id,
      `${o.dueDate} ${o.basis.ref}`,
    ]),
  );
}

/** Today's notice figures (domain.md §7) for each circumstance. */
const CASES = [
  [{ type: 'ad-hoc', facilityKind: 'other', forTransfer: true }, 24, 'INFCIRC/153 para 83(a)'],
  [{ type: 'ad-hoc', facilityKind: 'other' }, 168, 'INFCIRC/153 para 83(a)'],
  [{ type: 'routine', facilityKind: 'pu-or-u-above-5pct' }, 24, 'INFCIRC/153 para 83(c)'],
  [{ type: 'routine', facilityKind: 'sealed-store' }, 24, 'INFCIRC/153 para 83(c)'],
  [{ type: 'routine', facilityKind: 'reactor' }, 168, 'INFCIRC/153 para 83(c)'],
  [{ type: 'unannounced', facilityKind: 'other' }, 0, 'INFCIRC/153 para 84'],
  [{ type: 'complementary-access', facilityKind: 'other' }, 24, 'INFCIRC/540 Art. 4.b.(i)'],
  [
    { type: 'complementary-access', facilityKind: 'other', combinedWithInspection: true },
    2,
    'INFCIRC/540 Art. 4.b.(ii)',
  ],
  [{ type: 'div', facilityKind: 'other', agreedNoticeHours: 5 }, 5, 'INFCIRC/153 para 48'],
] as const;

describe('rules from provisions (demo world)', () => {
  it('give today’s deadlines, each citing its provision', () => {
    expect(dueDates(demo)).toEqual({
      'INITIAL:XA-A': '2025-12-30 INFCIRC/153 para 62',
      'ICR:XA-A:2025-12': '2026-01-30 INFCIRC/153 para 63(a)',
      'ICR:XA-A:2026-01': '2026-03-02 INFCIRC/153 para 63(a)',
      'ICR:XA-A:2026-02': '2026-03-30 INFCIRC/153 para 63(a)',
      'ICR:XA-A:2026-03': '2026-04-30 INFCIRC/153 para 63(a)',
      'ICR:XA-A:2026-04': '2026-05-30 INFCIRC/153 para 63(a)',
      'PIL:XA-A:2026-03-31': '2026-04-30 INFCIRC/153 para 67',
      'MBR:XA-A:2026-03-31': '2026-04-30 INFCIRC/153 para 63(b)',
      'EXPORT_NOTICE:XA-A:EX-1': '2026-05-06 INFCIRC/153 para 92',
      'IMPORT_NOTICE:XA-A:IM-1': '2026-06-01 INFCIRC/153 para 95',
    });
    // An empty register keeps the model texts' figures.
    expect(dueDates([])).toEqual(dueDates(demo));
  });

  it('give today’s notice rules, each citing its provision', () => {
    for (const [input, hours, ref] of CASES) {
      const r = checkNotice(
        { ...input, startsAt: '2026-05-10T12:00:00Z', noticeGivenAt: '2026-04-01T00:00:00Z' } as never,
        demo,
      );
      expect([input.type, r.requiredHours, r.basis.ref]).toEqual([input.type, hours, ref]);
    }
    expect(new Set(CASES.map(([i]) => i.type)).size).toBe(INSPECTION_TYPES.length - 1);
  });

  it('change when a provision changes (a new version of the instrument)', () => {
    const amended: Instrument = {
      ...csa,
      version: 2,
      provisions: csa.provisions.map((p) =>
        p.ref === 'INFCIRC/153 para 63(a)'
          ? {
              ...p,
              obligations: [
                { kind: 'report', reportType: 'ICR', deadline: { anchor: 'end-of-month', days: 15 } },
              ],
            }
          : p.ref === 'INFCIRC/153 para 83(c)'
            ? {
                ...p,
                obligations: [
                  { kind: 'notice', subject: 'routine', when: 'strategic-facility', leadTime: { hours: 48 } },
                  { kind: 'notice', subject: 'routine', leadTime: { hours: 240 } },
                ],
              }
            : p,
      ),
    };
    const ap2: Instrument = {
      ...ap,
      version: 2,
      provisions: ap.provisions.map((p) =>
        p.ref === 'INFCIRC/540 Art. 4.b.(i)'
          ? {
              ...p,
              obligations: [{ kind: 'access', subject: 'complementary-access', noticePeriod: { hours: 36 } }],
            }
          : p,
      ),
    };
    const dates = dueDates([amended, ap2]);
    expect(dates['ICR:XA-A:2026-04']).toBe('2026-05-15 INFCIRC/153 para 63(a)');
    expect(dates['MBR:XA-A:2026-03-31']).toBe('2026-04-30 INFCIRC/153 para 63(b)');
    const start = { startsAt: '2026-05-10T12:00:00Z', noticeGivenAt: '2026-04-01T00:00:00Z' };
    const routine = checkNotice({ type: 'routine', facilityKind: 'reactor', ...start }, [amended, ap2]);
    expect([routine.requiredHours, routine.basis]).toEqual([
      240,
      { ref: 'INFCIRC/153 para 83(c)', instrument: 'INFCIRC-153', version: 2 },
    ]);
    expect(
      checkNotice({ type: 'routine', facilityKind: 'sealed-store', ...start }, [amended]).requiredHours,
    ).toBe(48);
    expect(
      checkNotice({ type: 'complementary-access', facilityKind: 'other', ...start }, [ap2]).requiredHours,
    ).toBe(36);
    // A rule the instruments do not state keeps the model's: 2 h for combined access.
    expect(
      checkNotice(
        { type: 'complementary-access', facilityKind: 'other', combinedWithInspection: true, ...start },
        [ap2],
      ).requiredHours,
    ).toBe(2);
  });
});
