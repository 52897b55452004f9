import { describe, expect, it } from 'vitest';
import type { BalancePeriod } from '../../web/src/api.js';
import { sitmufSortValue, sitmufText } from '../../web/src/components/sitmuf.js';

/*
 * The balances route answers sitmuf: null for a balance without variance (its reply schema says
 * so since decision 0013 typed it); the hand-written browser type said number and the table
 * called null.toFixed.
 */
describe('SITMUF in the balance table', () => {
  it('shows a dash for a balance without variance and sorts it first', () => {
    const sitmuf: BalancePeriod['sitmuf'] = null;
    expect(sitmufText(sitmuf)).toBe('—');
    expect([1.5, sitmufSortValue(sitmuf), -2].sort((a, b) => a - b)[0]).toBe(Number.NEGATIVE_INFINITY);
  });

  it('shows a standardised value with two decimals', () => {
    expect(sitmufText(-1.234)).toBe('-1.23');
    expect(sitmufSortValue(2.5)).toBe(2.5);
  });
});
