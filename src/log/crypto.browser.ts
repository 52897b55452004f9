/**
 * Crypto port, browser implementation over @noble (synchronous, no Buffer). Same exports and
 * same results as crypto.ts; crypto.browser.test.ts proves it. ZIP-215 is switched off so that
 * verification is RFC 8032 strict like OpenSSL's: both sides must accept exactly the same
 * signatures, or a receipt could verify in the browser and fail on the command line.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

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

export function ed25519Verify(publicKey32: Uint8Array, msg: Uint8Array, sig64: Uint8Array): boolean {
  try {
    if (!(publicKey32 instanceof Uint8Array) || publicKey32.length !== 32) return false;
    if (!(sig64 instanceof Uint8Array) || sig64.length !== 64) return false;
    if (!(msg instanceof Uint8Array)) return false;
    return ed25519.verify(sig64, msg, publicKey32, { zip215: false });
  } catch {
    return false;
  }
}

export function ed25519PublicKey(seed32: Uint8Array): Uint8Array {
  if (!(seed32 instanceof Uint8Array) || seed32.length !== 32) {
    throw new RangeError('Ed25519 seed must be 32 bytes');
  }
  return ed25519.getPublicKey(seed32);
}
