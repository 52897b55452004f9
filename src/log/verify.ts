/**
 * RFC 9162 §2.1.3.2 and §2.1.4.2 verification. Hostile input never throws: anything malformed
 * is simply invalid. Sizes and indices are safe integers; the RFC's bit shifts are done as
 * division so they stay correct above 2^31.
 */
import { bytesEqual } from './encoding.js';
import { emptyRoot, HASH_SIZE, nodeHash } from './hashing.js';

/** A tree of up to 2^64 leaves never needs more than 64 proof hashes. */
const MAX_PROOF_LENGTH = 64;

function isHash(h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.length === HASH_SIZE;
}

function isIndex(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function isProof(p: unknown): p is readonly Uint8Array[] {
  return Array.isArray(p) && p.length <= MAX_PROOF_LENGTH && p.every(isHash);
}

const odd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/** Is `leafHash` the leaf at `index` of the tree of `size` leaves with root `root`? */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  try {
    if (!isIndex(index) || !isIndex(size) || index >= size) return false;
    if (!isHash(leafHash) || !isHash(root) || !isProof(proof)) return false;
    let fn = index;
    let sn = size - 1;
    let r = leafHash;
    for (const p of proof) {
      if (sn === 0) return false;
      if (odd(fn) || fn === sn) {
        r = nodeHash(p, r);
        if (!odd(fn)) {
          while (!odd(fn) && fn !== 0) {
            fn = half(fn);
            sn = half(sn);
          }
        }
      } else {
        r = nodeHash(r, p);
      }
      fn = half(fn);
      sn = half(sn);
    }
    return sn === 0 && bytesEqual(r, root);
  } catch {
    return false;
  }
}

/**
 * Is the tree of `to` leaves with root `newRoot` an extension of the tree of `from` leaves with
 * root `oldRoot`? Custos trivial cases (log.md): from 0 only with the empty proof (and the old
 * root must then be the empty tree's root, the only root a tree of size 0 has); from == to only
 * with the empty proof and equal roots; from > to never.
 */
export function verifyConsistency(
  from: number,
  to: number,
  proof: readonly Uint8Array[],
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
): boolean {
  try {
    if (!isIndex(from) || !isIndex(to) || from > to) return false;
    if (!isHash(oldRoot) || !isHash(newRoot) || !isProof(proof)) return false;
    if (from === 0) {
      if (proof.length !== 0 || !bytesEqual(oldRoot, emptyRoot())) return false;
      return to > 0 || bytesEqual(newRoot, oldRoot);
    }
    if (from === to) return proof.length === 0 && bytesEqual(oldRoot, newRoot);
    if (proof.length === 0) return false;

    const roots = consistencyProofRoots(from, to, proof, isPowerOfTwo(from) ? oldRoot : undefined);
    return roots !== undefined && bytesEqual(roots.oldRoot, oldRoot) && bytesEqual(roots.newRoot, newRoot);
  } catch {
    return false;
  }
}

/**
 * The two roots a consistency proof from `from` to `to` leaves leads to (RFC 9162 §2.1.4.2
 * without its final comparison), for 0 < from < to; undefined when the proof has the wrong shape.
 * When `from` is a power of two the smaller tree is itself a node of the larger one and the RFC
 * starts from the old root: `firstHash` is that node (the old root when checking, the larger
 * tree's own hash when building evidence of a split view, src/log/split-view.ts).
 */
export function consistencyProofRoots(
  from: number,
  to: number,
  proof: readonly Uint8Array[],
  firstHash?: Uint8Array,
): { oldRoot: Uint8Array; newRoot: Uint8Array } | undefined {
  try {
    if (!isIndex(from) || !isIndex(to) || from === 0 || from >= to || !isProof(proof)) return undefined;
    // §2.1.4.2 step 2: when `from` is a power of two the old root is itself the first node.
    let path = proof;
    if (isPowerOfTwo(from)) {
      if (!isHash(firstHash)) return undefined;
      path = [firstHash, ...proof];
    }
    if (path.length === 0) return undefined;
    let fn = from - 1;
    let sn = to - 1;
    while (odd(fn)) {
      fn = half(fn);
      sn = half(sn);
    }
    let fr = path[0]!;
    let sr = path[0]!;
    for (let i = 1; i < path.length; i++) {
      const c = path[i]!;
      if (sn === 0) return undefined;
      if (odd(fn) || fn === sn) {
        fr = nodeHash(c, fr);
        sr = nodeHash(c, sr);
        if (!odd(fn)) {
          while (!odd(fn) && fn !== 0) {
            fn = half(fn);
            sn = half(sn);
          }
        }
      } else {
        sr = nodeHash(sr, c);
      }
      fn = half(fn);
      sn = half(sn);
    }
    return sn === 0 ? { oldRoot: fr, newRoot: sr } : undefined;
  } catch {
    return undefined;
  }
}

export function isPowerOfTwo(n: number): boolean {
  let k = n;
  while (k > 1 && k % 2 === 0) k /= 2;
  return k === 1;
}
