import { DomainError } from '../../domain/errors.js';
import type { Ports } from '../ports.js';
import { createRateLimiter } from '../rate-limit.js';

/** Principals tracked per server before the least recently active one is forgotten. */
const MAX_PRINCIPALS = 10_000;

/**
 * Submissions and refusals per principal (issue 15 item 4, decision 0023): checked before the
 * body is read, so a throttled principal costs neither the upload's parsing nor a log record.
 */
export function createSubmitLimits(ports: Pick<Ports, 'clock' | 'config'>) {
  const nowMs = () => ports.clock.now().getTime();
  const { perMinute, refusalsPerMinute } = ports.config.submitLimits;
  const submissions = createRateLimiter({ perMinute, maxKeys: MAX_PRINCIPALS, nowMs });
  const refusals = createRateLimiter({ perMinute: refusalsPerMinute, maxKeys: MAX_PRINCIPALS, nowMs });
  const limited = (wait: number, what: string) =>
    new DomainError('RATE_LIMITED', `too many ${what}: try again in ${wait} s`, undefined, {
      retryAfterSeconds: wait,
    });
  return {
    /** Throws RATE_LIMITED (429, Retry-After) when the principal must wait; spends a submission. */
    admit(principal: string): void {
      const refusedWait = refusals.wait(principal);
      if (refusedWait > 0) throw limited(refusedWait, 'refused submissions');
      const wait = submissions.take(principal);
      if (wait > 0) throw limited(wait, 'submissions');
    },
    refused(principal: string): void {
      refusals.take(principal);
    },
  };
}
