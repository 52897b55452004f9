/** RFC 6962 §2.1 Merkle tree hashing (SHA-256). */
import { sha256 } from './crypto.js';

export const HASH_SIZE = 32;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);
const EMPTY = new Uint8Array(0);

/** SHA-256(0x00 || entry). */
export function leafHash(entry: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, entry);
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE_PREFIX, left, right);
}

/** MTH({}) = SHA-256(""). */
export function emptyRoot(): Uint8Array {
  return sha256(EMPTY);
}

/** Largest power of two strictly less than n (n ≥ 2), without 32-bit shifts. */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * MTH(D[n]) computed directly from the leaf hashes, as RFC 6962 defines it. Meant for tests and
 * audits (it holds all leaf hashes in memory); the sequencer uses appendLeaves.
 */
export function rootFromLeafHashes(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return emptyRoot();
  // Bottom-up: pairing adjacent nodes and carrying the odd last one up unchanged gives exactly
  // the RFC split at the largest power of two.
  let level: Uint8Array[] = leafHashes.slice();
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}
