/**
 * A batch against the device's chain as last accepted (issue 18 items 2 and 5, decision 0029):
 * the next one extends it; the same bytes again are a replay, answered as before and changing
 * nothing; anything else breaks it. Pure: the caller reads the head and, for an old seq, the hash
 * accepted at that seq.
 */

import type { ErrorDetail } from '../errors.js';
import { type Particulars, problemOf } from '../particulars.js';
import { GENESIS_PREV } from './batch.js';
import type { ChainHead, ReadEvent, TimeTolerance } from './batch.types.js';

/** The head of a device that has sent nothing yet. */
export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_PREV, lastEventAt: null };

/**
 * Five minutes ahead of the server's clock (device clocks drift; NTP-disciplined ones far less);
 * an hour behind the latest event already accepted (events within a device's buffer may be
 * written slightly out of order, e.g. a camera trigger stamped at capture, sent after a heartbeat).
 */
export const TIME_TOLERANCE: TimeTolerance = { maxAheadMs: 5 * 60_000, maxBehindMs: 60 * 60_000 };

export type ChainVerdict =
  /** Extends the chain: accept. */
  | { readonly kind: 'next' }
  /** Exactly the batch already accepted at this seq (a retry, or a replay): answer as before. */
  | { readonly kind: 'replay' }
  /** Refuse: a gap (lost or reordered), a fork (another batch with an accepted seq), or a wrong prev. */
  | { readonly kind: 'broken'; readonly detail: ErrorDetail };

/**
 * @param hash hashBatch of the incoming bytes
 * @param acceptedHash the hash of the batch accepted at `batch.seq`, when seq ≤ head.seq
 */
export function checkChain(
  head: ChainHead,
  batch: { readonly seq: number; readonly prev: string },
  hash: string,
  acceptedHash: string | undefined,
): ChainVerdict {
  if (batch.seq <= head.seq) {
    if (acceptedHash === hash) return { kind: 'replay' };
    return broken(
      problemOf('SEQ_FORK', { seq: batch.seq, head: head.seq }),
      'seq',
      `another batch was already accepted with seq ${batch.seq} (the chain is at ${head.seq}): two batches with one seq`,
    );
  }
  if (batch.seq > head.seq + 1) {
    return broken(
      problemOf('SEQ_GAP', { expected: head.seq + 1, found: batch.seq, missing: batch.seq - head.seq - 1 }),
      'seq',
      `expected seq ${head.seq + 1}, got ${batch.seq}: ${batch.seq - head.seq - 1} batch(es) missing or sent out of order`,
    );
  }
  if (batch.prev !== head.hash) {
    return broken(
      problemOf('PREV_MISMATCH', { seq: head.seq }),
      'prev',
      `prev does not name the batch accepted at seq ${head.seq} (${head.hash.slice(0, 16)}…)`,
    );
  }
  return { kind: 'next' };
}

/** The chain's problem, with its particulars (decision 0052): which seq was expected, which came. */
function broken(p: Particulars, field: string, message: string): ChainVerdict {
  const { code, values } = p;
  return { kind: 'broken', detail: { field, code, message, values } };
}

/**
 * Events dated ahead of `now` beyond the tolerance, or long before the latest event accepted so far
 * (the device's earlier batches and this batch's earlier events). A backlog sent late is fine: its
 * events are old against the clock, not against the chain.
 */
export function checkEventTimes(
  events: readonly ReadEvent[],
  lastEventAt: number | null,
  now: number,
  tolerance: TimeTolerance = TIME_TOLERANCE,
): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  let latest = lastEventAt ?? Number.NEGATIVE_INFINITY;
  for (let i = 0; i < events.length && out.length < 100; i++) {
    const e = events[i] as ReadEvent;
    if (e.at > now + tolerance.maxAheadMs) {
      out.push({
        field: `events[${i}].time`,
        ...problemOf('EVENT_IN_FUTURE', { time: e.time, minutes: tolerance.maxAheadMs / 60_000 }),
        message: `${e.time} is more than ${tolerance.maxAheadMs / 60_000} minutes ahead of the server's clock`,
      });
    } else if (e.at < latest - tolerance.maxBehindMs) {
      out.push({
        field: `events[${i}].time`,
        ...problemOf('EVENT_TOO_OLD', {
          time: e.time,
          minutes: tolerance.maxBehindMs / 60_000,
          latest: new Date(latest).toISOString(),
        }),
        message: `${e.time} is more than ${tolerance.maxBehindMs / 60_000} minutes before the device's latest event (${new Date(latest).toISOString()})`,
      });
    }
    if (e.at > latest) latest = e.at;
  }
  return out;
}

/** The head once `batch` (with the hash of its bytes) is accepted. */
export function advanceHead(
  head: ChainHead,
  batch: { readonly seq: number; readonly events: readonly ReadEvent[] },
  hash: string,
): ChainHead {
  let last = head.lastEventAt;
  for (const e of batch.events) if (last === null || e.at > last) last = e.at;
  return { seq: batch.seq, hash, lastEventAt: last };
}
