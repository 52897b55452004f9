import { describe, expect, it } from 'vitest';
import { checkNotice, INSPECTION_TYPES, type NoticeInput, needsNotice } from './notice.js';

function violation(input: NoticeInput) {
  try {
    checkNotice(input);
  } catch (e) {
    return e as {
      code: string;
      details: { reason: string; reasonCode: string; requiredHours: number; givenHours?: number };
    };
  }
  throw new Error('expected a violation');
}

const routine = {
  type: 'routine',
  facilityKind: 'other',
  noticeGivenAt: '2025-05-01T08:00:00Z',
  startsAt: '2025-05-08T08:00:00Z',
} as const;

describe('checkNotice', () => {
  it('accepts exactly one week for a routine inspection at an ordinary facility', () => {
    expect(checkNotice(routine)).toEqual({
      ok: true,
      requiredHours: 168,
      givenHours: 168,
      basis: { ref: 'INFCIRC/153 para 83(c)', instrument: 'INFCIRC-153', version: 1 },
    });
  });
  it('refuses one minute less, with the numbers in details', () => {
    const e = violation({ ...routine, startsAt: '2025-05-08T07:59:00Z' });
    expect(e.code).toBe('NOTICE_RULE_VIOLATED');
    expect(e.details.requiredHours).toBe(168);
    expect(e.details.givenHours).toBeCloseTo(167.9833, 3);
  });
  it('needs 24 h for Pu / U > 5 % facilities and sealed stores', () => {
    for (const facilityKind of ['pu-or-u-above-5pct', 'sealed-store'] as const) {
      expect(checkNotice({ ...routine, facilityKind, startsAt: '2025-05-02T08:00:00Z' }).requiredHours).toBe(
        24,
      );
      expect(
        violation({ ...routine, facilityKind, startsAt: '2025-05-02T07:00:00Z' }).details.requiredHours,
      ).toBe(24);
    }
    expect(
      violation({ ...routine, facilityKind: 'reactor', startsAt: '2025-05-02T08:00:00Z' }).details
        .requiredHours,
    ).toBe(168);
  });
  it('needs 24 h for an ad hoc transfer inspection, a week otherwise', () => {
    const adHoc = { ...routine, type: 'ad-hoc', startsAt: '2025-05-02T08:00:00Z' } as const;
    expect(checkNotice({ ...adHoc, forTransfer: true }).ok).toBe(true);
    expect(violation(adHoc).details.requiredHours).toBe(168);
  });
  it('needs no notice for an unannounced inspection', () => {
    expect(
      checkNotice({ type: 'unannounced', facilityKind: 'other', startsAt: '2025-05-01T08:00:00Z' }),
    ).toEqual({
      ok: true,
      requiredHours: 0,
      basis: { ref: 'INFCIRC/153 para 84', instrument: 'INFCIRC-153', version: 1 },
    });
  });
  it('needs 24 h for complementary access, 2 h when combined with an inspection', () => {
    const ca = {
      type: 'complementary-access',
      facilityKind: 'other',
      noticeGivenAt: '2025-05-01T10:00:00Z',
    } as const;
    expect(
      checkNotice({ ...ca, combinedWithInspection: true, startsAt: '2025-05-01T12:00:00Z' }).requiredHours,
    ).toBe(2);
    expect(
      violation({ ...ca, combinedWithInspection: true, startsAt: '2025-05-01T11:00:00Z' }).details.reason,
    ).toBe('notice too short');
    expect(violation({ ...ca, startsAt: '2025-05-01T12:00:00Z' }).details.requiredHours).toBe(24);
  });
  it('needs a consultation before the notice of a special inspection', () => {
    const special = {
      type: 'special',
      facilityKind: 'other',
      noticeGivenAt: '2025-05-01T10:00:00Z',
      startsAt: '2025-05-01T11:00:00Z',
    } as const;
    expect(violation(special).details.reason).toBe('no consultation recorded');
    // The code beside the English, which the browser words in the user's language.
    expect(violation(special).details.reasonCode).toBe('NO_CONSULTATION');
    expect(violation({ ...special, consultationAt: '2025-05-01T10:30:00Z' }).details.reason).toBe(
      'notice given before the consultation',
    );
    expect(checkNotice({ ...special, consultationAt: '2025-05-01T09:00:00Z' }).ok).toBe(true);
  });
  it('applies the agreed notice for DIV and refuses notice after the start', () => {
    const div = {
      type: 'div',
      facilityKind: 'other',
      noticeGivenAt: '2025-05-01T00:00:00Z',
      agreedNoticeHours: 72,
    } as const;
    expect(violation({ ...div, startsAt: '2025-05-03T00:00:00Z' }).details).toMatchObject({
      requiredHours: 72,
      givenHours: 48,
    });
    expect(violation({ ...div, agreedNoticeHours: 0, startsAt: '2025-04-30T00:00:00Z' }).details.reason).toBe(
      'notice given after the start',
    );
    expect(violation({ ...routine, noticeGivenAt: undefined }).details.reason).toBe('no notice given');
  });
});

describe('needsNotice (the planning form asks it too)', () => {
  it('is false for unannounced inspections only, and checkNotice agrees without a notice', () => {
    expect(INSPECTION_TYPES.filter((t) => !needsNotice(t))).toEqual(['unannounced']);
    for (const type of INSPECTION_TYPES) {
      const input = { type, facilityKind: 'other', startsAt: '2026-05-01T08:00:00Z' } as const;
      if (needsNotice(type)) expect(() => checkNotice(input)).toThrow();
      else expect(checkNotice(input).ok).toBe(true);
    }
  });
});
