import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from './calendar.js';
import type { Obligation } from './deadlines.types.js';
import { upcomingReminders } from './reminders.js';

const o: Obligation = {
  id: 'ICR:XA-A:2025-04',
  type: 'ICR',
  mba: 'XA-A',
  agreement: 'CSA-XA',
  month: '2025-04',
  dueDate: '2025-05-30',
  status: 'upcoming',
  basis: { ref: 'INFCIRC/153 para 63(a)', instrument: 'INFCIRC-153', version: 1 },
  rejectedAttempts: 0,
};

describe('upcomingReminders', () => {
  it('sends nothing more than 7 days ahead', () => {
    expect(upcomingReminders([o], '2025-05-22')).toEqual([]);
  });
  it('sends the 7-day reminder from due − 7', () => {
    expect(upcomingReminders([o], '2025-05-23')).toEqual([
      {
        key: 'ICR:XA-A:2025-04#due-7d',
        kind: 'due-7d',
        event: 'deadline.due-7d',
        obligationId: o.id,
        type: 'ICR',
        mba: 'XA-A',
        dueDate: '2025-05-30',
        fireOn: '2025-05-23',
      },
    ]);
  });
  it('sends the 1-day reminder on due − 1 and on the due day', () => {
    expect(upcomingReminders([o], '2025-05-29').map((r) => r.key)).toEqual(['ICR:XA-A:2025-04#due-1d']);
    expect(upcomingReminders([o], '2025-05-30').map((r) => r.key)).toEqual(['ICR:XA-A:2025-04#due-1d']);
  });
  it('sends missed from the day after', () => {
    const [r] = upcomingReminders([{ ...o, status: 'missing' }], '2025-05-31');
    expect(r).toMatchObject({
      key: 'ICR:XA-A:2025-04#missed',
      event: 'deadline.missed',
      fireOn: '2025-05-31',
    });
  });
  it('sends nothing for met or late obligations', () => {
    expect(upcomingReminders([{ ...o, status: 'met' }], '2025-05-29')).toEqual([]);
    expect(upcomingReminders([{ ...o, status: 'late', daysLate: 1 }], '2025-06-29')).toEqual([]);
  });
  it('gives exactly three distinct keys over any run of days, each with one fireOn', () => {
    fc.assert(
      fc.property(fc.integer({ min: -40, max: 0 }), fc.integer({ min: 1, max: 60 }), (start, length) => {
        const keys = new Map<string, string>();
        for (let d = start; d < start + length; d++) {
          for (const r of upcomingReminders([o], addDays(o.dueDate, d))) {
            expect(keys.get(r.key) ?? r.fireOn).toBe(r.fireOn);
            keys.set(r.key, r.fireOn);
          }
        }
        expect(keys.size).toBeLessThanOrEqual(3);
        if (start <= -7 && start + length > 1) expect(keys.size).toBe(3);
      }),
    );
  });
});
