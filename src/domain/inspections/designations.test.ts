import { describe, expect, it } from 'vitest';
import { decideDesignation } from './designations.js';

describe('decideDesignation', () => {
  const receivedOn = '2025-01-10';
  it('is pending through day 30 and unanswered (not designated) after', () => {
    expect(decideDesignation({ receivedOn, today: '2025-02-09' })).toEqual({
      status: 'pending',
      answerDueOn: '2025-02-09',
      designated: false,
    });
    expect(decideDesignation({ receivedOn, today: '2025-02-10' })).toMatchObject({
      status: 'unanswered',
      designated: false,
    });
  });
  it('records the answer and whether it was late', () => {
    expect(
      decideDesignation({
        receivedOn,
        answer: { decision: 'accepted', on: '2025-02-01' },
        today: '2025-03-01',
      }),
    ).toEqual({ status: 'accepted', answerDueOn: '2025-02-09', lateAnswer: false, designated: true });
    expect(
      decideDesignation({
        receivedOn,
        answer: { decision: 'rejected', on: '2025-02-15' },
        today: '2025-03-01',
      }),
    ).toMatchObject({ status: 'rejected', lateAnswer: true, designated: false });
  });
});
