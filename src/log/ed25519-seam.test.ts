/**
 * The one Ed25519 seam (docs/decisions/0014): crypto.ts (node:crypto) and crypto.browser.ts
 * (@noble) verify by the same strict RFC 8032 rule, and refuse what ZIP-215 (the default of
 * @noble's own verify, which case decisions used before) accepts.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import * as browser from './crypto.browser.js';
import * as node from './crypto.js';
import { passesStrictEncoding } from './ed25519-strict.js';

const { Point } = ed25519;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const le = (b: Uint8Array): bigint => BigInt(`0x${hex(b.slice().reverse()) || '0'}`);
const L = Point.Fn.ORDER;
const P = Point.Fp.ORDER;
const leBytes = (n: bigint): Uint8Array => bytes(n.toString(16).padStart(64, '0')).reverse();

/** ZIP-215, as `ed25519.verify` checks by default (what src/services/cases used). */
const zip215 = (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean => {
  try {
    return ed25519.verify(sig, msg, pub);
  } catch {
    return false;
  }
};
const seam = (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array) => ({
  node: node.ed25519Verify(pub, msg, sig),
  browser: browser.ed25519Verify(pub, msg, sig),
});

// RFC 8032 §7.1, TEST 1, 2, 3 and SHA(abc).
const RFC8032 = [
  {
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    secret: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    public: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
  {
    secret: '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42',
    public: 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
    message:
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    signature:
      'dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704',
  },
];

const msg = new TextEncoder().encode('custos.case-decision/v1');
const seed = new Uint8Array(32).fill(7);
const { scalar: a, pointBytes: A } = ed25519.utils.getExtendedPublicKey(seed);
const order8 = Point.fromBytes(bytes(ED25519_TORSION_SUBGROUP[1]!));
const identity = Point.ZERO.toBytes();
const zeroS = new Uint8Array(32);

/** S = r + k·a for R's encoding `rBytes` (hashed as sent, as RFC 8032 and OpenSSL do). */
function signWithR(rBytes: Uint8Array, r: bigint, pub: Uint8Array, scalar: bigint): Uint8Array {
  const k = Point.Fn.create(le(sha512(concat(rBytes, pub, msg))));
  return concat(rBytes, leBytes(Point.Fn.create(r + k * scalar)));
}

/** Signatures ZIP-215 accepts and strict RFC 8032 (with our small-order rule) refuses. */
const zip215Only: { name: string; pub: Uint8Array; sig: Uint8Array }[] = [
  {
    // R = rB + T8: the cofactored equation (ZIP-215, also @noble's RFC 8032 mode) ignores T8.
    name: 'R with a small-order component, honest key',
    pub: A,
    sig: signWithR(Point.BASE.multiply(12345n).add(order8).toBytes(), 12345n, A, a),
  },
  {
    // The identity as public key: R = identity, S = 0 verifies for every message.
    name: 'small-order public key (identity), any message',
    pub: identity,
    sig: concat(identity, zeroS),
  },
  { name: 'small-order public key (order 8)', pub: order8.toBytes(), sig: concat(identity, zeroS) },
  {
    // y = p + 1 spells the identity with y >= p (RFC 8032 §5.1.3: decoding fails).
    name: 'non-canonical public key encoding (y = p + 1)',
    pub: leBytes(P + 1n),
    sig: concat(identity, zeroS),
  },
  {
    // x = 0 with the sign bit set (RFC 8032 §5.1.3: decoding fails).
    name: 'non-canonical public key encoding (identity with x sign bit)',
    pub: (() => {
      const b = identity.slice();
      b[31] = 0x80;
      return b;
    })(),
    sig: concat(identity, zeroS),
  },
  {
    // R = identity spelt y = p + 1; ZIP-215 decodes it, @noble hashes its canonical form.
    name: 'non-canonical R encoding',
    pub: A,
    sig: concat(leBytes(P + 1n), signWithR(identity, 0n, A, a).subarray(32)),
  },
];

describe('the one Ed25519 seam: strict RFC 8032, the same in node and the browser', () => {
  it('verifies the RFC 8032 §7.1 test vectors, and refuses them altered', () => {
    for (const v of RFC8032) {
      const m = bytes(v.message);
      expect(hex(node.ed25519PublicKey(bytes(v.secret)))).toBe(v.public);
      expect(hex(browser.ed25519PublicKey(bytes(v.secret)))).toBe(v.public);
      expect(hex(node.ed25519Sign(bytes(v.secret), m))).toBe(v.signature);
      expect(hex(browser.ed25519Sign(bytes(v.secret), m))).toBe(v.signature);
      expect(seam(bytes(v.public), m, bytes(v.signature))).toEqual({ node: true, browser: true });
      const other = concat(m, Uint8Array.of(0));
      expect(seam(bytes(v.public), other, bytes(v.signature))).toEqual({ node: false, browser: false });
    }
  });

  it.each(zip215Only)('refuses what ZIP-215 accepts: $name', ({ pub, sig }) => {
    expect(zip215(pub, msg, sig)).toBe(true);
    expect(seam(pub, msg, sig)).toEqual({ node: false, browser: false });
  });

  it('refuses a non-canonical S (S + L, S + 2^253…), as RFC 8032 and ZIP-215 both do', () => {
    const good = node.ed25519Sign(seed, msg);
    const s = le(good.subarray(32));
    for (const bad of [s + L, s + 2n * L, L, 2n ** 256n - 1n]) {
      const sig = concat(good.subarray(0, 32), leBytes(bad % 2n ** 256n));
      expect(seam(A, msg, sig)).toEqual({ node: false, browser: false });
      expect(zip215(A, msg, sig)).toBe(false);
    }
    expect(seam(A, msg, good)).toEqual({ node: true, browser: true });
  });

  it('agrees between node and browser on a mixed-order key (cofactorless: only when kT = 0)', () => {
    const mixed = Point.BASE.multiply(a).add(order8).toBytes();
    const outcomes = new Set<boolean>();
    for (let r = 1n; r <= 64n; r++) {
      const sig = signWithR(Point.BASE.multiply(r).toBytes(), r, mixed, a);
      const got = seam(mixed, msg, sig);
      expect(got.browser).toBe(got.node);
      expect(zip215(mixed, msg, sig)).toBe(true);
      outcomes.add(got.node);
    }
    // About one k in eight is a multiple of the torsion order: both outcomes occur, alike.
    expect([...outcomes].sort()).toEqual([false, true]);
  });

  it('knows every small-order point: the y of each torsion point is refused as a key', () => {
    for (const t of ED25519_TORSION_SUBGROUP) {
      expect(passesStrictEncoding(bytes(t), concat(identity, zeroS))).toBe(false);
    }
    expect(passesStrictEncoding(A, concat(identity, zeroS))).toBe(true);
  });

  it('verifies a big message in slices by the same rule (ed25519VerifyAsync past 1 MiB)', {
    timeout: 120_000,
  }, async () => {
    // A body of reports' size: past SLICED_FROM_BYTES node hashes it in slices and checks the
    // equation of crypto.browser.ts; the answers must be node's one-shot ones (issue 15 item 9).
    const big = new Uint8Array(1024 * 1024 + 4099).map((_, i) => (i * 31) & 255);
    // SHA-512 by OpenSSL here: @noble's over a megabyte, sixteen times, is slow on a loaded machine.
    const h512 = (...parts: Uint8Array[]) => {
      const h = createHash('sha512');
      for (const p of parts) h.update(p);
      return new Uint8Array(h.digest());
    };
    const both = async (pub: Uint8Array, m: Uint8Array, sig: Uint8Array) => ({
      sync: node.ed25519Verify(pub, m, sig),
      sliced: await node.ed25519VerifyAsync(pub, m, sig),
    });
    const good = node.ed25519Sign(seed, big);
    expect(await both(A, big, good)).toEqual({ sync: true, sliced: true });
    const altered = big.slice();
    altered[1024 * 1024 + 5]! ^= 1;
    expect(await both(A, altered, good)).toEqual({ sync: false, sliced: false });
    expect(await both(A, big.subarray(0, big.length - 1), good)).toEqual({ sync: false, sliced: false });
    const s = le(good.subarray(32));
    const nonCanonical = concat(good.subarray(0, 32), leBytes((s + L) % 2n ** 256n));
    expect(await both(A, big, nonCanonical)).toEqual({ sync: false, sliced: false });
    // R with a small-order component: the cofactored equation would accept it, neither does.
    const rBytes = Point.BASE.multiply(12345n).add(order8).toBytes();
    const k = Point.Fn.create(le(h512(rBytes, A, big)));
    const torsion = concat(rBytes, leBytes(Point.Fn.create(12345n + k * a)));
    expect(ed25519.verify(torsion, big, A)).toBe(true);
    expect(await both(A, big, torsion)).toEqual({ sync: false, sliced: false });
    // A mixed-order key: cofactorless, so both outcomes occur, and always alike.
    const mixed = Point.BASE.multiply(a).add(order8).toBytes();
    const outcomes = new Set<boolean>();
    for (let r = 1n; r <= 24n; r++) {
      const rb = Point.BASE.multiply(r).toBytes();
      const kk = Point.Fn.create(le(h512(rb, mixed, big)));
      const got = await both(mixed, big, concat(rb, leBytes(Point.Fn.create(r + kk * a))));
      expect(got.sliced).toBe(got.sync);
      outcomes.add(got.sync);
    }
    expect(outcomes.size).toBe(2);
  });

  it('is the only place that verifies: no other file imports @noble/curves or node:crypto verify', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, e.name);
        if (e.isDirectory()) walk(path);
        else if (/\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) {
          const text = readFileSync(path, 'utf8');
          const curves = /from '@noble\/curves/.test(text);
          const nodeVerify = /import \{[^}]*\b(verify|createVerify)\b[^}]*\} from 'node:crypto'/.test(text);
          if (
            (curves && !path.endsWith('crypto.browser.ts')) ||
            (nodeVerify && !path.endsWith('log/crypto.ts'))
          )
            offenders.push(path);
        }
      }
    };
    walk('src');
    walk('web/src');
    expect(offenders).toEqual([]);
  });
});
