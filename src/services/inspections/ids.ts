import type { Random } from '../ports.js';

/** `n` random bytes as hex: the tail of new ids, default seeds and manual finding keys. */
export function randomHex(random: Random, n: number): string {
  return Buffer.from(random.bytes(n)).toString('hex');
}
