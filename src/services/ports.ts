import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Principal } from '../domain/policy/index.js';
import type { Db } from '../store/db.js';
import type { EventSink } from './events.js';
import type { Intake, Submission } from './reports/submit.js';

/**
 * The side effects a use case may need, passed in (architecture.md habit 4). Tests freeze the
 * clock and fix the randomness so checkpoints and receipts are byte-identical.
 */
export interface Clock {
  now(): Date;
}

export interface Random {
  bytes(n: number): Uint8Array;
}

export interface Ports {
  readonly db: Db;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly config: Config;
  readonly events: EventSink;
  /** Where big reports are examined and stored off the event loop (SQLite on disk; decision 0078). */
  readonly intakeThread?: IntakeThread;
}

export interface IntakeThread {
  /** Whether a body of this many bytes goes to the thread. */
  takes(bytes: number): boolean;
  /** A request announces a body of this many bytes: a thread that would take it starts loading. */
  expect(bytes: number): void;
  /**
   * `examineAndStore` on the thread, once it is ready; the body is then handed over (the caller
   * must not read it again). Undefined when the thread cannot start: the caller takes the body.
   */
  examineAndStore(p: Principal, s: Submission, at: string): Promise<Intake | undefined>;
  /** Submissions the thread has answered since the server started (for /metrics). */
  answered(): number;
}

export const systemClock: Clock = { now: () => new Date() };

export const systemRandom: Random = { bytes: (n: number) => new Uint8Array(randomBytes(n)) };

export function isoNow(clock: Clock): string {
  return clock.now().toISOString();
}
