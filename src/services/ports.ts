import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Db } from '../store/db.js';
import type { EventSink } from './events.js';

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
}

export const systemClock: Clock = { now: () => new Date() };

export function isoNow(clock: Clock): string {
  return clock.now().toISOString();
}
