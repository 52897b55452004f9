import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as browser from './crypto.browser.js';
import * as node from './crypto.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('crypto port: node:crypto and @noble give identical results', () => {
  it('sha256 of one and several parts', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 1500 }), { minLength: 1, maxLength: 4 }), (parts) => {
        expect(hex(browser.sha256(...parts))).toBe(hex(node.sha256(...parts)));
      }),
      { numRuns: 200 },
    );
  });

  it('public keys, signatures and verification agree', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.nat(),
        (seed, msg, bit) => {
          const pub = node.ed25519PublicKey(seed);
          expect(hex(browser.ed25519PublicKey(seed))).toBe(hex(pub));
          const sig = node.ed25519Sign(seed, msg);
          expect(hex(browser.ed25519Sign(seed, msg))).toBe(hex(sig));
          expect(node.ed25519Verify(pub, msg, sig)).toBe(true);
          expect(browser.ed25519Verify(pub, msg, sig)).toBe(true);
          const bad = sig.slice();
          bad[bit % 64]! ^= 1 << (bit % 8);
          expect(node.ed25519Verify(pub, msg, bad)).toBe(false);
          expect(browser.ed25519Verify(pub, msg, bad)).toBe(false);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('hostile inputs are rejected alike, never thrown', () => {
    const seed = new Uint8Array(32).fill(1);
    const pub = node.ed25519PublicKey(seed);
    const msg = new Uint8Array([1, 2, 3]);
    const sig = node.ed25519Sign(seed, msg);
    // s + L: the same signature with a non-canonical scalar (RFC 8032 requires s < L).
    const L = [
      0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    ];
    const malleable = sig.slice();
    let carry = 0;
    for (let i = 0; i < 32; i++) {
      const v = malleable[32 + i]! + (L[i] ?? (i === 31 ? 0x10 : 0)) + carry;
      malleable[32 + i] = v & 255;
      carry = v >> 8;
    }
    const cases: [Uint8Array, Uint8Array, Uint8Array][] = [
      [pub, msg, malleable],
      [new Uint8Array(32), msg, sig],
      [new Uint8Array(32).fill(255), msg, sig],
      [pub.subarray(1), msg, sig],
      [pub, msg, sig.subarray(1)],
      [pub, msg, new Uint8Array(64)],
      [Uint8Array.of(1, ...new Uint8Array(31)), msg, new Uint8Array(64)], // small-order point, zero signature
    ];
    for (const [p, m, s] of cases) {
      expect(node.ed25519Verify(p, m, s)).toBe(false);
      expect(browser.ed25519Verify(p, m, s)).toBe(false);
    }
    const hostile = null as unknown as Uint8Array;
    expect(node.ed25519Verify(hostile, msg, sig)).toBe(false);
    expect(browser.ed25519Verify(pub, hostile, sig)).toBe(false);
  });
});
