/**
 * The encoding rules of Custos's one Ed25519 verification (docs/decisions/0014): checked on the
 * bytes before any curve arithmetic, identically by crypto.ts (node:crypto) and crypto.browser.ts
 * (@noble), so the two cannot disagree on an edge case. Pure byte comparisons, no imports.
 *
 * - S < L (RFC 8032 §5.1.7: "the second half as an integer S, in the range 0 <= s < L").
 * - A is a canonical encoding, y < p (RFC 8032 §5.1.3: "If the resulting value is >= p, decoding
 *   fails"); OpenSSL reduces y mod p instead, so this check cannot be left to it.
 * - A is not of small order: such a key (the identity, for one) makes `R = A, S = 0`-style
 *   signatures valid for every message. RFC 8032 permits it; @noble's RFC 8032 mode and libsodium
 *   refuse it, and so do we. The small-order points are exactly those whose y is one of the five
 *   values below (both signs of x), so y alone decides; y + p spellings fail canonicity first.
 *
 * R needs no check here: both implementations compare the encoding of [S]B - [k]A byte for byte
 * with R (the cofactorless equation RFC 8032 §5.1.7 allows), so a non-canonical R never matches.
 */

const P_LE = hexLe('7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed'); // 2^255 - 19
const L_LE = hexLe('1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed'); // group order

/** y of the 8 points of the torsion subgroup (identity, order 2, order 4 twice, order 8 four times). */
const SMALL_ORDER_Y: readonly Uint8Array[] = [
  '0000000000000000000000000000000000000000000000000000000000000000', // order 4
  '0000000000000000000000000000000000000000000000000000000000000001', // identity
  '7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffec', // order 2 (y = p - 1)
  '7a03ac9277fdc74ec6cc392cfa53202a0f67100d760b3cba4fd84d3d706a17c7', // order 8
  '05fc536d880238b13933c6d305acdfd5f098eff289f4c345b027b2c28f95e826', // order 8 (p - the above)
].map(hexLe);

/** Little-endian bytes of a big-endian hex number (the RFC writes numbers big-endian). */
function hexLe(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++)
    out[out.length - 1 - i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** a < b for equal-length little-endian numbers, with `mask` applied to the top byte of a. */
function lessThan(a: Uint8Array, offset: number, b: Uint8Array, mask = 0xff): boolean {
  for (let i = b.length - 1; i >= 0; i--) {
    const x = (i === b.length - 1 ? a[offset + i]! & mask : a[offset + i]!) - b[i]!;
    if (x !== 0) return x < 0;
  }
  return false;
}

function isSmallOrderY(publicKey: Uint8Array): boolean {
  return SMALL_ORDER_Y.some((y) => y.every((b, i) => b === (i === 31 ? publicKey[i]! & 0x7f : publicKey[i])));
}

/** A 32-byte public key that decodes canonically and is not of small order. */
function isStrictPublicKey(publicKey32: Uint8Array): boolean {
  return lessThan(publicKey32, 0, P_LE, 0x7f) && !isSmallOrderY(publicKey32);
}

/**
 * Whether a 32-byte public key and a 64-byte signature pass the encoding rules above. Only the
 * group equation is left to the caller; lengths must already have been checked.
 */
export function passesStrictEncoding(publicKey32: Uint8Array, sig64: Uint8Array): boolean {
  return lessThan(sig64, 32, L_LE) && isStrictPublicKey(publicKey32);
}
