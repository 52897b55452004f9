/**
 * Crypto port, browser implementation over @noble (synchronous, no Buffer). Same exports and
 * same results as crypto.ts; crypto.browser.test.ts and ed25519-seam.test.ts prove it.
 *
 * Verification is the same strict RFC 8032 rule as crypto.ts (docs/decisions/0014): the shared
 * encoding checks of ed25519-strict.ts, then the cofactorless equation [S]B = R + [k]A checked as
 * OpenSSL does, by encoding [S]B - [k]A and comparing it with R's bytes. @noble's own verify is
 * not used: its default is ZIP-215, and even its RFC 8032 mode checks the cofactored equation,
 * which accepts signatures OpenSSL refuses (an R with a small-order component).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 as nobleSha256, sha512 } from '@noble/hashes/sha2.js';
import { passesStrictEncoding } from './ed25519-strict.js';

const { Point } = ed25519;

export function sha256(...parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return nobleSha256(parts[0]!);
  const h = nobleSha256.create();
  for (const p of parts) h.update(p);
  return h.digest();
}

export function ed25519Sign(seed32: Uint8Array, msg: Uint8Array): Uint8Array {
  if (!(seed32 instanceof Uint8Array) || seed32.length !== 32) {
    throw new RangeError('Ed25519 seed must be 32 bytes');
  }
  return ed25519.sign(msg, seed32);
}

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/**
 * The node build verifies off the event loop; in the browser the same check, as a promise.
 * @public The web build aliases src/log/crypto.js to this file (vite.config.ts), so it exports
 * everything crypto.ts does, this too (src/log/index.ts re-exports it); knip cannot see the alias.
 */
export async function ed25519VerifyAsync(
  publicKey32: Uint8Array,
  msg: Uint8Array,
  sig64: Uint8Array,
): Promise<boolean> {
  return ed25519Verify(publicKey32, msg, sig64);
}

export function ed25519Verify(publicKey32: Uint8Array, msg: Uint8Array, sig64: Uint8Array): boolean {
  try {
    if (!(publicKey32 instanceof Uint8Array) || publicKey32.length !== 32) return false;
    if (!(sig64 instanceof Uint8Array) || sig64.length !== 64) return false;
    if (!(msg instanceof Uint8Array)) return false;
    if (!passesStrictEncoding(publicKey32, sig64)) return false;
    const h = sha512.create().update(sig64.subarray(0, 32)).update(publicKey32).update(msg).digest();
    return ed25519EquationHolds(publicKey32, sig64, h);
  } catch {
    return false;
  }
}

/**
 * The cofactorless equation [S]B = R + [k]A, checked as OpenSSL does (the encoding of
 * [S]B - [k]A compared with R's bytes), given h = SHA-512(R || A || M) and a key and signature
 * that passed the strict encoding checks. Throws when A is not a point (callers answer false).
 * @public crypto.ts checks big messages with it, over a digest it takes in slices (issue 15 item 9).
 */
export function ed25519EquationHolds(publicKey32: Uint8Array, sig64: Uint8Array, h: Uint8Array): boolean {
  const r = sig64.subarray(0, 32);
  const a = Point.fromBytes(publicKey32); // RFC 8032 §5.1.3 decoding; throws when not a point
  const k = Point.Fn.create(littleEndian(h));
  const expected = Point.BASE.multiplyUnsafe(littleEndian(sig64.subarray(32))).subtract(a.multiplyUnsafe(k));
  const encoded = expected.toBytes();
  let diff = 0;
  for (let i = 0; i < 32; i++) diff |= encoded[i]! ^ r[i]!;
  return diff === 0;
}

export function ed25519PublicKey(seed32: Uint8Array): Uint8Array {
  if (!(seed32 instanceof Uint8Array) || seed32.length !== 32) {
    throw new RangeError('Ed25519 seed must be 32 bytes');
  }
  return ed25519.getPublicKey(seed32);
}
