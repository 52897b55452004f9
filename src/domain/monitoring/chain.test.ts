import { describe, expect, it } from 'vitest';
import { GENESIS_PREV } from './batch.js';
import type { ReadEvent } from './batch.types.js';
import { advanceHead, checkChain, checkEventTimes, EMPTY_HEAD, TIME_TOLERANCE } from './chain.js';

const h = (c: string) => c.repeat(64);
const NOW = Date.UTC(2026, 11, 6, 1, 30);
const ev = (at: number): ReadEvent => ({ time: new Date(at).toISOString(), type: 'tamper', at });

describe('checkChain', () => {
  const head = { seq: 3, hash: h('c'), lastEventAt: NOW };

  it('accepts the first batch on an empty chain and the next one on a chain', () => {
    expect(checkChain(EMPTY_HEAD, { seq: 1, prev: GENESIS_PREV }, h('a'), undefined)).toEqual({
      kind: 'next',
    });
    expect(checkChain(head, { seq: 4, prev: h('c') }, h('d'), undefined)).toEqual({ kind: 'next' });
  });

  it('answers the very batch accepted at a seq as a replay, whether the last or an older one', () => {
    expect(checkChain(head, { seq: 3, prev: h('b') }, h('c'), h('c'))).toEqual({ kind: 'replay' });
    expect(checkChain(head, { seq: 1, prev: GENESIS_PREV }, h('a'), h('a'))).toEqual({ kind: 'replay' });
  });

  it('refuses another batch with an accepted seq as a fork', () => {
    expect(checkChain(head, { seq: 3, prev: h('b') }, h('e'), h('c'))).toMatchObject({
      kind: 'broken',
      detail: { code: 'SEQ_FORK', field: 'seq' },
    });
  });

  it('refuses a gap, which is also how a batch sent ahead of its predecessor (reordered) shows', () => {
    const v = checkChain(head, { seq: 5, prev: h('d') }, h('e'), undefined);
    expect(v).toMatchObject({ kind: 'broken', detail: { code: 'SEQ_GAP', field: 'seq' } });
    expect(checkChain(EMPTY_HEAD, { seq: 2, prev: h('a') }, h('b'), undefined)).toMatchObject({
      detail: { code: 'SEQ_GAP' },
    });
  });

  it('refuses the next seq with a prev naming anything but the last accepted batch', () => {
    expect(checkChain(head, { seq: 4, prev: h('b') }, h('d'), undefined)).toMatchObject({
      kind: 'broken',
      detail: { code: 'PREV_MISMATCH', field: 'prev' },
    });
  });

  it('advances the head to the batch, its hash and its latest event', () => {
    const next = advanceHead(head, { seq: 4, events: [ev(NOW + 5), ev(NOW + 1)] }, h('d'));
    expect(next).toEqual({ seq: 4, hash: h('d'), lastEventAt: NOW + 5 });
    expect(advanceHead(EMPTY_HEAD, { seq: 1, events: [ev(NOW)] }, h('a')).lastEventAt).toBe(NOW);
  });
});

describe('checkEventTimes', () => {
  it('refuses events ahead of the clock beyond the tolerance', () => {
    const ahead = NOW + TIME_TOLERANCE.maxAheadMs + 1;
    expect(checkEventTimes([ev(NOW), ev(ahead)], null, NOW)).toMatchObject([
      { field: 'events[1].time', code: 'EVENT_IN_FUTURE' },
    ]);
    expect(checkEventTimes([ev(NOW + TIME_TOLERANCE.maxAheadMs)], null, NOW)).toEqual([]);
  });

  it('refuses events long before the latest accepted, from earlier batches or earlier in the batch', () => {
    const old = NOW - TIME_TOLERANCE.maxBehindMs - 1;
    expect(checkEventTimes([ev(old)], NOW, NOW)).toMatchObject([
      { field: 'events[0].time', code: 'EVENT_TOO_OLD' },
    ]);
    expect(checkEventTimes([ev(NOW), ev(old)], null, NOW)).toMatchObject([{ code: 'EVENT_TOO_OLD' }]);
    expect(checkEventTimes([ev(NOW - 1000), ev(NOW)], NOW, NOW)).toEqual([]);
  });

  it('accepts a backlog a day old against the clock when it follows the chain’s last events', () => {
    const dayAgo = NOW - 24 * 3600_000;
    expect(checkEventTimes([ev(dayAgo + 10_000), ev(dayAgo + 20_000)], dayAgo, NOW)).toEqual([]);
  });
});
