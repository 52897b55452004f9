import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ed25519PublicKey, ed25519Sign, ed25519Verify, ed25519VerifyAsync } from '../../log/index.js';
import { sha256HexInSlices } from './intake.js';

/**
 * Issue 15 item 9: the whole-body work of a submission (its SHA-256, its Ed25519 signature) lets
 * other requests run while it goes on. A callback queued before the work must run before the work
 * answers: with the old one-call hash and synchronous verify it could not.
 */
const big = new Uint8Array(12 * 1024 * 1024).map((_, i) => (i * 31) & 0xff);

describe('a big body does not hold the event loop', () => {
  it('hashes in slices, with the same digest', async () => {
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    const hex = await sha256HexInSlices(big);
    expect(ran).toBe(true);
    expect(hex).toBe(createHash('sha256').update(big).digest('hex'));
    expect(await sha256HexInSlices(new Uint8Array())).toBe(createHash('sha256').digest('hex'));
  });

  it('verifies Ed25519 off the loop, with the same answers as the synchronous check', async () => {
    const seed = new Uint8Array(32).fill(7);
    const pk = ed25519PublicKey(seed);
    const sig = ed25519Sign(seed, big);
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    expect(await ed25519VerifyAsync(pk, big, sig)).toBe(true);
    expect(ran).toBe(true);
    const wrong = new Uint8Array(sig);
    wrong[3] = (wrong[3] ?? 0) ^ 1;
    for (const [k, m, s] of [
      [pk, big, wrong],
      [pk, big.subarray(1), sig],
      [new Uint8Array(31), big, sig],
      [pk, big, sig.subarray(1)],
    ] as const) {
      expect(await ed25519VerifyAsync(k, m, s)).toBe(ed25519Verify(k, m, s));
      expect(await ed25519VerifyAsync(k, m, s)).toBe(false);
    }
  });
});
