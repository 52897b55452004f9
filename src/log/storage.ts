/**
 * Stored-hash layout of golang.org/x/mod/sumdb/tlog: every hash of the tree (leaf hashes and the
 * roots of all complete subtrees) gets one index, in the order the hashes come into existence as
 * leaves are appended. Appending leaf n writes StoredHashIndex(0, n) and then one hash per
 * complete subtree it closes, so the stored hashes of a growing tree are one contiguous,
 * append-only sequence. All arithmetic is on safe integers without 32-bit bit operations.
 */
import { LogError } from './errors.js';
import { emptyRoot, HASH_SIZE, nodeHash } from './hashing.js';

function checkLevelAndIndex(level: number, n: number): void {
  if (!Number.isSafeInteger(level) || level < 0 || level > 62 || !Number.isSafeInteger(n) || n < 0) {
    throw new LogError('LOG_RANGE', `invalid stored hash coordinates (${level}, ${n})`);
  }
}

/** Index of the hash at height `level` (0 = leaf hashes), position n within that level. */
export function storedHashIndex(level: number, n: number): number {
  checkLevelAndIndex(level, n);
  // The hash (level, n) is stored right after the last leaf of its subtree, leaf
  // ((n+1) << level) - 1, and the level-1 … hashes that leaf closes before it.
  let m = n;
  for (let l = level; l > 0; l--) m = 2 * m + 1;
  let i = 0;
  for (let k = m; k > 0; k = Math.floor(k / 2)) i += k;
  const index = i + level;
  if (!Number.isSafeInteger(index)) throw new LogError('LOG_RANGE', 'stored hash index overflows');
  return index;
}

function trailingOnes(n: number): number {
  let c = 0;
  for (let k = n; k % 2 === 1; k = (k - 1) / 2) c++;
  return c;
}

/** Inverse of storedHashIndex: the (level, n) whose hash is stored at index. */
export function splitStoredHashIndex(index: number): { level: number; n: number } {
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new LogError('LOG_RANGE', `invalid stored hash index ${index}`);
  }
  // storedHashIndex(0, n) < 2n, so the leaf that committed this hash is in
  // [index/2, index/2 + log2(index)].
  let n = Math.floor(index / 2);
  let indexN = storedHashIndex(0, n);
  for (;;) {
    // Leaf n stores itself plus one hash per complete subtree it closes (its trailing 1 bits),
    // so leaf n+1 starts at x.
    const x = indexN + 1 + trailingOnes(n);
    if (x > index) break;
    n++;
    indexN = x;
  }
  const level = index - indexN;
  return { level, n: Math.floor(n / 2 ** level) };
}

/** Number of stored hashes of a tree of n leaves. */
export function storedHashCount(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new LogError('LOG_RANGE', `invalid tree size ${n}`);
  if (n === 0) return 0;
  return storedHashIndex(0, n - 1) + 1 + trailingOnes(n - 1);
}

/**
 * The complete subtrees of a tree of `size` leaves, left to right (largest first): their height
 * and their position at that height. Their roots form the right edge ("frontier").
 */
export function completeSubtrees(size: number): { level: number; n: number; start: number }[] {
  if (!Number.isSafeInteger(size) || size < 0) throw new LogError('LOG_RANGE', `invalid tree size ${size}`);
  const out: { level: number; n: number; start: number }[] = [];
  let start = 0;
  let rest = size;
  while (rest > 0) {
    let level = 0;
    let width = 1;
    while (width * 2 <= rest) {
      width *= 2;
      level++;
    }
    out.push({ level, n: start / width, start });
    start += width;
    rest -= width;
  }
  return out;
}

/** Stored hash indexes to read to rebuild the frontier of a tree of treeSize leaves. */
export function frontierIndexes(treeSize: number): number[] {
  return completeSubtrees(treeSize).map((s) => storedHashIndex(s.level, s.n));
}

export interface StoredHash {
  readonly index: number;
  readonly hash: Uint8Array;
}

export interface AppendResult {
  /** Hashes to store, in index order (one contiguous range starting at storedHashCount(treeSize)). */
  readonly storedHashes: StoredHash[];
  /** Right edge of the new tree: roots of its complete subtrees, left to right. */
  readonly frontier: Uint8Array[];
  readonly root: Uint8Array;
}

function popCount(n: number): number {
  let c = 0;
  for (let k = n; k > 0; k = Math.floor(k / 2)) c += k % 2;
  return c;
}

/** Root of a tree from its frontier: fold the complete subtrees from the right. */
export function rootFromFrontier(frontier: readonly Uint8Array[]): Uint8Array {
  if (frontier.length === 0) return emptyRoot();
  let root = frontier[frontier.length - 1]!;
  for (let i = frontier.length - 2; i >= 0; i--) root = nodeHash(frontier[i]!, root);
  return root;
}

/**
 * Appends leaf hashes to a tree of treeSize leaves whose frontier is given, with no reads.
 * Work per leaf: the node hashes it closes (one on average) and one array push each.
 */
export function appendLeaves(
  treeSize: number,
  frontier: readonly Uint8Array[],
  leafHashes: readonly Uint8Array[],
): AppendResult {
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) {
    throw new LogError('LOG_RANGE', `invalid tree size ${treeSize}`);
  }
  if (frontier.length !== popCount(treeSize)) {
    throw new LogError(
      'LOG_MALFORMED',
      `frontier has ${frontier.length} hashes, tree size needs ${popCount(treeSize)}`,
    );
  }
  for (const h of frontier) {
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE)
      throw new LogError('LOG_MALFORMED', 'frontier hash is not 32 bytes');
  }
  if (!Number.isSafeInteger(2 * (treeSize + leafHashes.length))) {
    throw new LogError('LOG_RANGE', 'tree size overflows');
  }
  const edge = frontier.slice();
  const storedHashes: StoredHash[] = [];
  let next = storedHashCount(treeSize);
  let n = treeSize;
  for (const leaf of leafHashes) {
    if (!(leaf instanceof Uint8Array) || leaf.length !== HASH_SIZE)
      throw new LogError('LOG_MALFORMED', 'leaf hash is not 32 bytes');
    let h = leaf;
    storedHashes.push({ index: next++, hash: h });
    // Each trailing 1 bit of n is a complete subtree on the edge that this leaf's subtree joins.
    for (let k = n; k % 2 === 1; k = (k - 1) / 2) {
      h = nodeHash(edge.pop()!, h);
      storedHashes.push({ index: next++, hash: h });
    }
    edge.push(h);
    n++;
  }
  return { storedHashes, frontier: edge, root: rootFromFrontier(edge) };
}
