import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import {
  findObligation,
  type Instrument,
  type InstrumentInput,
  instrumentsBinding,
  isInForce,
  type LegalObligation,
  MODEL_CSA_PROVISIONS,
  MODEL_INSTRUMENTS,
  provisionByRef,
  validateInstrument,
} from './index.js';

const csa: Instrument = {
  id: 'CSA-XA',
  title: 'CSA',
  kind: 'safeguards-agreement',
  parties: ['XA', 'agency'],
  inForce: '2025-01-01',
  provisions: [...MODEL_CSA_PROVISIONS],
  version: 3,
};

function problems(i: InstrumentInput): string[] {
  try {
    validateInstrument(i);
    return [];
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    return (e.details as readonly { field: string; code: string }[]).map((d) => `${d.field} ${d.code}`);
  }
}

describe('validateInstrument', () => {
  it('accepts the model texts', () => {
    for (const m of MODEL_INSTRUMENTS) expect(problems({ ...m, parties: ['XA'] })).toEqual([]);
  });

  it('lists every problem at once', () => {
    expect(
      problems({
        id: '-bad',
        title: ' ',
        kind: 'domestic-act',
        parties: ['XA', 'XA'],
        signature: '2025-02-30',
        inForce: '2025-01-01',
        suspended: '2024-12-31',
        provisions: [
          {
            ref: 'a',
            text: 't',
            obligations: [
              { kind: 'report', reportType: 'ICR', deadline: { anchor: 'annual', month: 2, day: 29 } },
              { kind: 'report', reportType: 'ICR', deadline: { anchor: 'end-of-month', days: 30 } },
              { kind: 'notice', subject: 'routine', leadTime: { hours: -1 } },
            ],
          },
          { ref: 'a ', text: 'u' },
        ],
      }).sort(),
    ).toEqual(
      [
        'id FIELD_FORMAT',
        'title OUT_OF_RANGE',
        'parties DUPLICATE',
        'parties OUT_OF_RANGE',
        'signature DATE_INVALID',
        'suspended DATE_ORDER',
        'provisions[0].obligations[0].deadline OUT_OF_RANGE',
        'provisions[0].obligations[1] FIELD_CONFLICT',
        'provisions[0].obligations[2].leadTime OUT_OF_RANGE',
        'provisions[1].ref FIELD_FORMAT',
      ].sort(),
    );
  });
});

describe('lookup', () => {
  it('finds a provision by its ref with the version it is in', () => {
    expect(provisionByRef([csa], 'INFCIRC/153 para 62')?.basis).toEqual({
      ref: 'INFCIRC/153 para 62',
      instrument: 'CSA-XA',
      version: 3,
    });
    expect(provisionByRef([csa], 'INFCIRC/153 para 999')).toBeUndefined();
  });

  it('binds a party only while in force and not suspended, earliest first', () => {
    const later: Instrument = { ...csa, id: 'REG', kind: 'regional', inForce: '2025-06-01' };
    const act: Instrument = { ...csa, id: 'ACT', kind: 'domestic-act', parties: ['XA'] };
    expect(instrumentsBinding([later, act, csa], 'XA', '2025-07-01').map((i) => i.id)).toEqual([
      'CSA-XA',
      'REG',
    ]);
    expect(instrumentsBinding([later, csa], 'XA', '2025-05-31').map((i) => i.id)).toEqual(['CSA-XA']);
    expect(isInForce({ ...csa, suspended: '2025-03-01' }, '2025-03-01')).toBe(false);
    expect(isInForce({ ...csa, suspended: '2025-03-01' }, '2025-02-28')).toBe(true);
  });

  it('takes the first instrument that states a rule', () => {
    const isIcr = (o: LegalObligation): o is Extract<LegalObligation, { kind: 'report' }> =>
      o.kind === 'report' && o.reportType === 'ICR';
    const own: Instrument = {
      ...csa,
      id: 'OWN',
      provisions: [
        {
          ref: 'OWN 1',
          text: 'ICR in 20 days',
          obligations: [
            { kind: 'report', reportType: 'ICR', deadline: { anchor: 'end-of-month', days: 20 } },
          ],
        },
      ],
    };
    expect(findObligation([own, csa], isIcr)?.basis.ref).toBe('OWN 1');
    expect(findObligation([csa, own], isIcr)?.basis.ref).toBe('INFCIRC/153 para 63(a)');
  });
});
