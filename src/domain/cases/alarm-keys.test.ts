import { describe, expect, it } from 'vitest';
import { type CaseAlarm, caseKeyForAlarm, caseKindForAlarm } from './alarm-keys.js';

const balance = {
  source: 'balance',
  test: 'muf-3sigma',
  state: 'XA',
  mba: 'XA-A',
  element: 'P',
  pit: '2025-03-31',
} as const satisfies CaseAlarm;

describe('caseKeyForAlarm', () => {
  it('gives one key per balance whatever test fired', () => {
    expect(caseKeyForAlarm(balance)).toBe('balance:XA:XA-A:P:2025-03-31');
    expect(caseKeyForAlarm({ ...balance, test: 'muf-sq' })).toBe(caseKeyForAlarm(balance));
    expect(caseKeyForAlarm({ ...balance, element: 'E' })).not.toBe(caseKeyForAlarm(balance));
    expect(caseKindForAlarm(balance)).toBe('anomaly');
  });
  it('shares one key between late and missing of the same obligation', () => {
    const missing = {
      source: 'deadline',
      status: 'missing',
      state: 'XA',
      obligation: 'ICR:XA-A:2025-03',
    } as const;
    expect(caseKeyForAlarm(missing)).toBe('deadline:XA:ICR%3AXA-A%3A2025-03');
    expect(caseKeyForAlarm({ ...missing, status: 'late' })).toBe(caseKeyForAlarm(missing));
    expect(caseKindForAlarm(missing)).toBe('missing-report');
    expect(caseKindForAlarm({ ...missing, status: 'late' })).toBe('late-report');
  });
  it('keys a notice finding by its transfer line and finding: missing and late are two causes', () => {
    const missing = { source: 'notice', finding: 'missing', state: 'XA', transfer: 'XA-F1/3/1' } as const;
    expect(caseKeyForAlarm(missing)).toBe('notice:XA:XA-F1%2F3%2F1:missing');
    expect(caseKeyForAlarm({ ...missing, finding: 'late' })).not.toBe(caseKeyForAlarm(missing));
    expect(caseKeyForAlarm({ ...missing, transfer: 'XA-F1/3/2' })).not.toBe(caseKeyForAlarm(missing));
    expect(caseKindForAlarm(missing)).toBe('notice');
  });
  it('keys a domestic-law gap by state and provision ref: one case per provision, a question', () => {
    const gap = { source: 'compatibility', state: 'XA', provision: 'INFCIRC/153 para 62' } as const;
    expect(caseKeyForAlarm(gap)).toBe('compatibility:XA:INFCIRC%2F153%20para%2062');
    expect(caseKeyForAlarm({ ...gap, state: 'XB' })).not.toBe(caseKeyForAlarm(gap));
    expect(caseKindForAlarm(gap)).toBe('question');
  });
  it('keys a device alarm by device, code and the time of its cause', () => {
    const seal = {
      source: 'device',
      code: 'SEAL_OPENED',
      state: 'XA',
      device: 'XA-SEAL-1',
      at: '2026-12-01T10:00:00Z',
    } as const;
    expect(caseKeyForAlarm(seal)).toBe('device:XA:XA-SEAL-1:SEAL_OPENED:2026-12-01T10%3A00%3A00Z');
    expect(caseKeyForAlarm({ ...seal, at: '2026-12-01T10:00:01Z' })).not.toBe(caseKeyForAlarm(seal));
    expect(caseKindForAlarm(seal)).toBe('seal');
    expect(caseKindForAlarm({ ...seal, code: 'GATE_MISMATCH' })).toBe('discrepancy');
  });
  it('cannot be confused by separators inside a field', () => {
    const a = caseKeyForAlarm({ source: 'srd', state: 'XA:1', transfer: 'T' });
    const b = caseKeyForAlarm({ source: 'srd', state: 'XA', transfer: '1:T' });
    expect(a).not.toBe(b);
  });
  it('maps every source to its kind', () => {
    expect(caseKindForAlarm({ source: 'srd', state: 'XA', transfer: 'T1' })).toBe('discrepancy');
    expect(caseKindForAlarm({ source: 'transfer-unmatched', state: 'XA', transfer: 'T1' })).toBe(
      'transfer-unmatched',
    );
    expect(
      caseKindForAlarm({
        source: 'seal',
        event: 'gap',
        state: 'XA',
        seal: 'S1',
        since: '2025-01-01T00:00:00Z',
      }),
    ).toBe('seal');
    expect(
      caseKeyForAlarm({
        source: 'sequence',
        test: 'page',
        state: 'XA',
        mba: 'M',
        element: 'P',
        pit: '2025-01-01',
      }),
    ).toBe('sequence:XA:M:P:2025-01-01');
  });
});
