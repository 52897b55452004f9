/**
 * Crypto port, Node implementation (node:crypto: OpenSSL SHA-256 and RFC 8032 Ed25519).
 * crypto.browser.ts has the same exports over @noble; the web build aliases './crypto.js' to it.
 * Randomness is deliberately absent: seeds and salts come in as parameters.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  hash as oneShotHash,
  sign,
  verify,
} from 'node:crypto';
import { ed25519EquationHolds } from './crypto.browser.js';
import { passesStrictEncoding } from './ed25519-strict.js';

const PKCS8_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
const SPKI_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
]);

function view(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function joined(prefix: Uint8Array, key: Uint8Array): Buffer {
  const der = Buffer.alloc(prefix.length + key.length);
  der.set(prefix, 0);
  der.set(key, prefix.length);
  return der;
}

/** SHA-256 of the concatenation of parts. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return view(oneShotHash('sha256', parts[0]!, 'buffer'));
  let total = 0;
  for (const p of parts) total += p.length;
  // Small inputs (node hashes: 65 bytes) are faster copied once and hashed in one shot.
  if (total <= 1024) {
    const buf = Buffer.allocUnsafe(total);
    let o = 0;
    for (const p of parts) {
      buf.set(p, o);
      o += p.length;
    }
    return view(oneShotHash('sha256', buf, 'buffer'));
  }
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return view(h.digest());
}

// Bounded caches: key objects are immutable, so reuse is safe; the bound keeps hostile inputs
// (many distinct keys) from growing memory without limit.
const CACHE_LIMIT = 1024;
const publicKeys = new Map<string, KeyObject>();
const privateKeys = new Map<string, KeyObject>();

function cacheKey(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function remember(cache: Map<string, KeyObject>, k: string, v: KeyObject): KeyObject {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(k, v);
  return v;
}

function privateKeyOf(seed32: Uint8Array): KeyObject {
  if (!(seed32 instanceof Uint8Array) || seed32.length !== 32) {
    throw new RangeError('Ed25519 seed must be 32 bytes');
  }
  const k = cacheKey(seed32);
  return (
    privateKeys.get(k) ??
    remember(
      privateKeys,
      k,
      createPrivateKey({ key: joined(PKCS8_ED25519_PREFIX, seed32), format: 'der', type: 'pkcs8' }),
    )
  );
}

function publicKeyOf(publicKey32: Uint8Array): KeyObject {
  const k = cacheKey(publicKey32);
  return (
    publicKeys.get(k) ??
    remember(
      publicKeys,
      k,
      createPublicKey({ key: joined(SPKI_ED25519_PREFIX, publicKey32), format: 'der', type: 'spki' }),
    )
  );
}

/** RFC 8032 Ed25519 signature (64 bytes) of msg with the key derived from a 32-byte seed. */
export function ed25519Sign(seed32: Uint8Array, msg: Uint8Array): Uint8Array {
  return view(sign(null, msg, privateKeyOf(seed32)));
}

/**
 * Signatures over short messages that verified, by SHA-256 of key, signature and message: a
 * checkpoint travels in every bundle of a batch and is checked against the same key several
 * times for each (its inclusion, the consistency with the one seen before, keeping it), which was
 * a sixth of a node's time while catching up on a peer (issue 17, decision 0053). Only successes
 * are kept (a failure is checked again), only messages up to VERIFIED_MAX_BYTES (checkpoints,
 * acknowledgements, request signatures; not report bodies), bounded like the key caches.
 */
const VERIFIED_MAX_BYTES = 1024;
const verified = new Set<string>();

function verifiedKey(publicKey32: Uint8Array, msg: Uint8Array, sig64: Uint8Array): string {
  return cacheKey(sha256(publicKey32, sig64, msg));
}

/**
 * The one Ed25519 verification of Custos (docs/decisions/0014): every signature (reports,
 * statements, case decisions, checkpoints, cosignatures, and the devices and peers to come) is
 * checked here. Strict RFC 8032 (§5.1.7): S < L, a canonical public key that is not of small
 * order (ed25519-strict.ts), and the cofactorless equation, which OpenSSL checks by comparing
 * the encoding of [S]B - [k]A with R byte for byte. Any malformed input is simply "not valid",
 * never an exception.
 */
export function ed25519Verify(publicKey32: Uint8Array, msg: Uint8Array, sig64: Uint8Array): boolean {
  try {
    if (!(publicKey32 instanceof Uint8Array) || publicKey32.length !== 32) return false;
    if (!(sig64 instanceof Uint8Array) || sig64.length !== 64) return false;
    if (!(msg instanceof Uint8Array)) return false;
    if (!passesStrictEncoding(publicKey32, sig64)) return false;
    const memo = msg.length <= VERIFIED_MAX_BYTES ? verifiedKey(publicKey32, msg, sig64) : undefined;
    if (memo !== undefined && verified.has(memo)) return true;
    const ok = verify(null, msg, publicKeyOf(publicKey32), sig64);
    if (ok && memo !== undefined) {
      if (verified.size >= CACHE_LIMIT * 4) verified.clear();
      verified.add(memo);
    }
    return ok;
  } catch {
    return false;
  }
}

/**
 * The same check off the event loop: node:crypto runs a verify given a callback on libuv's thread
 * pool, so a 60 MB signed body (hashed with SHA-512 inside Ed25519) does not hold other requests
 * (issue 15 item 9). A message past SLICED_FROM_BYTES is checked in slices on this thread
 * instead (`verifyInSlices`): node:crypto copies the message before handing it to the pool, and
 * that copy of a 60 MB body is itself one long stretch on the event loop (1.7 s measured under load,
 * where fresh memory is slow to come by) and the body once more in memory (decision 0067).
 */
export function ed25519VerifyAsync(
  publicKey32: Uint8Array,
  msg: Uint8Array,
  sig64: Uint8Array,
): Promise<boolean> {
  try {
    if (!(publicKey32 instanceof Uint8Array) || publicKey32.length !== 32) return Promise.resolve(false);
    if (!(sig64 instanceof Uint8Array) || sig64.length !== 64) return Promise.resolve(false);
    if (!(msg instanceof Uint8Array)) return Promise.resolve(false);
    if (!passesStrictEncoding(publicKey32, sig64)) return Promise.resolve(false);
    if (msg.length > SLICED_FROM_BYTES) return verifyInSlices(publicKey32, msg, sig64);
    const key = publicKeyOf(publicKey32);
    return new Promise((resolve) => {
      verify(null, msg, key, sig64, (err, ok) => resolve(err ? false : ok));
    });
  } catch {
    return Promise.resolve(false);
  }
}

/** Messages longer than this are verified in slices (ed25519VerifyAsync). */
const SLICED_FROM_BYTES = 1024 * 1024;
/** Bytes hashed between two turns of the event loop: a few milliseconds of SHA-512. */
const VERIFY_SLICE = 2 * 1024 * 1024;

/**
 * RFC 8032 §5.1.7 in slices: h = SHA-512(R || A || M) taken by OpenSSL a slice at a time with a
 * turn of the event loop between slices, reading the message where it is (no copy), then the
 * cofactorless equation that crypto.browser.ts checks (the same rule as OpenSSL's, decision 0014;
 * ed25519-seam.test.ts compares the two on big messages). Keys and signatures passed the strict
 * encoding checks already.
 */
async function verifyInSlices(publicKey32: Uint8Array, msg: Uint8Array, sig64: Uint8Array): Promise<boolean> {
  try {
    const h = createHash('sha512').update(sig64.subarray(0, 32)).update(publicKey32);
    for (let at = 0; at < msg.length; at += VERIFY_SLICE) {
      h.update(msg.subarray(at, Math.min(msg.length, at + VERIFY_SLICE)));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return ed25519EquationHolds(publicKey32, sig64, view(h.digest()));
  } catch {
    return false;
  }
}

/** The 32-byte Ed25519 public key of a 32-byte seed. */
export function ed25519PublicKey(seed32: Uint8Array): Uint8Array {
  const der = createPublicKey(privateKeyOf(seed32)).export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(SPKI_ED25519_PREFIX.length));
}
