/**
 * Proofs from stored hashes (RFC 6962 §2.1.1 PATH and §2.1.2 PROOF), in the manner of Go's
 * sumdb/tlog: first list every stored hash index the answer needs, read them in ONE batch, then
 * combine. Any range D[lo:hi] the RFC recursion names is hashed from its decomposition into
 * maximal complete subtrees (each one stored hash), folded from the right.
 */
import { LogError } from './errors.js';
import { emptyRoot, HASH_SIZE, largestPowerOfTwoBelow, nodeHash } from './hashing.js';
import { storedHashIndex } from './storage.js';

export interface HashReader {
  /**
   * The stored hashes at `indexes`. `levels`, when given, is the height of each (0 = leaf hash):
   * a reader may use it to keep the hashes of large complete subtrees at hand (they never change).
   */
  readHashes(
    indexes: readonly number[],
    levels?: readonly number[],
  ): Promise<readonly Uint8Array[]> | readonly Uint8Array[];
  /**
   * Optional memo of MTH(D[lo:hi]) for the ranges a proof folds from several complete subtrees
   * (on the right edge of a tree). Such a hash never changes once the tree has hi leaves, and
   * every proof at one tree size folds the same few, so a reader may keep them.
   */
  readonly ranges?: {
    get(lo: number, hi: number): Uint8Array | undefined;
    set(lo: number, hi: number, hash: Uint8Array): void;
  };
}

/** Stored hash indexes of the complete subtrees that make up leaves [lo, hi), left to right. */
export function rangeIndexes(lo: number, hi: number, out: number[] = [], levels?: number[]): number[] {
  let start = lo;
  while (start < hi) {
    // Largest aligned power of two that starts at `start` and fits before hi.
    let width = 1;
    let level = 0;
    while (start % (width * 2) === 0 && start + width * 2 <= hi) {
      width *= 2;
      level++;
    }
    out.push(storedHashIndex(level, start / width));
    levels?.push(level);
    start += width;
  }
  return out;
}

/** A plan: ranges whose hashes form the answer, and the indexes (and heights) to read for them. */
interface Plan {
  readonly ranges: (readonly [number, number])[];
  readonly counts: number[];
  readonly indexes: number[];
  readonly levels: number[];
}

function plan(ranges: (readonly [number, number])[]): Plan {
  const indexes: number[] = [];
  const levels: number[] = [];
  const counts: number[] = [];
  for (const [lo, hi] of ranges) {
    const before = indexes.length;
    rangeIndexes(lo, hi, indexes, levels);
    counts.push(indexes.length - before);
  }
  return { ranges, counts, indexes, levels };
}

async function execute(p: Plan, reader: HashReader): Promise<Uint8Array[]> {
  if (p.indexes.length === 0) return [];
  // Ranges of several subtrees (on the right edge) already folded once, if the reader keeps them.
  const memo = reader.ranges;
  const known: (Uint8Array | undefined)[] = p.ranges.map(([lo, hi], k) =>
    memo && (p.counts[k] as number) > 1 ? memo.get(lo, hi) : undefined,
  );
  let indexes = p.indexes;
  let levels = p.levels;
  if (known.some((h) => h !== undefined)) {
    indexes = [];
    levels = [];
    let at = 0;
    for (const [k, count] of p.counts.entries()) {
      if (known[k] === undefined) {
        indexes.push(...p.indexes.slice(at, at + count));
        levels.push(...p.levels.slice(at, at + count));
      }
      at += count;
    }
  }
  const hashes = indexes.length === 0 ? [] : await reader.readHashes(indexes, levels);
  if (!Array.isArray(hashes) || hashes.length !== indexes.length) {
    throw new LogError(
      'LOG_MALFORMED',
      `hash reader returned ${hashes.length} hashes for ${indexes.length} indexes`,
    );
  }
  for (const h of hashes) {
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE)
      throw new LogError('LOG_MALFORMED', 'stored hash is not 32 bytes');
  }
  const out: Uint8Array[] = [];
  let at = 0;
  for (const [k, count] of p.counts.entries()) {
    const memoized = known[k];
    if (memoized) {
      out.push(memoized);
      continue;
    }
    let h = hashes[at + count - 1]!;
    for (let i = at + count - 2; i >= at; i--) h = nodeHash(hashes[i]!, h);
    if (memo && count > 1) {
      const [lo, hi] = p.ranges[k] as readonly [number, number];
      memo.set(lo, hi, h);
    }
    out.push(h);
    at += count;
  }
  return out;
}

function checkSize(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new LogError('LOG_RANGE', `${name} ${n} is not a valid size`);
}

/** Stored hash indexes treeHash(size) reads (the frontier); exposed for tile fetch planning. */
export function treeHashIndexes(size: number): number[] {
  checkSize('tree size', size);
  return rangeIndexes(0, size);
}

/** MTH of the first `size` leaves. */
export async function treeHash(size: number, reader: HashReader): Promise<Uint8Array> {
  checkSize('tree size', size);
  if (size === 0) return emptyRoot();
  const [root] = await execute(plan([[0, size]]), reader);
  return root!;
}

/** RFC 6962 PATH(m, D[lo:hi]) as ranges, leaf to root order. */
function pathRanges(m: number, lo: number, hi: number, out: [number, number][]): void {
  const n = hi - lo;
  if (n <= 1) return;
  const k = largestPowerOfTwoBelow(n);
  if (m < k) {
    pathRanges(m, lo, lo + k, out);
    out.push([lo + k, hi]);
  } else {
    pathRanges(m - k, lo + k, hi, out);
    out.push([lo, lo + k]);
  }
}

/** Inclusion proof of leaf `index` in the tree of `size` leaves. */
export async function proveInclusion(index: number, size: number, reader: HashReader): Promise<Uint8Array[]> {
  checkSize('index', index);
  checkSize('tree size', size);
  if (index >= size) throw new LogError('LOG_RANGE', `index ${index} is not below tree size ${size}`);
  const ranges: [number, number][] = [];
  pathRanges(index, 0, size, ranges);
  return execute(plan(ranges), reader);
}

/** RFC 6962 SUBPROOF(m, D[lo:hi], b) as ranges. */
function subproofRanges(m: number, lo: number, hi: number, b: boolean, out: [number, number][]): void {
  const n = hi - lo;
  if (m === n) {
    if (!b) out.push([lo, hi]);
    return;
  }
  const k = largestPowerOfTwoBelow(n);
  if (m <= k) {
    subproofRanges(m, lo, lo + k, b, out);
    out.push([lo + k, hi]);
  } else {
    subproofRanges(m - k, lo + k, hi, false, out);
    out.push([lo, lo + k]);
  }
}

function consistencyRanges(from: number, to: number): [number, number][] {
  checkSize('old size', from);
  checkSize('new size', to);
  if (from > to) throw new LogError('LOG_RANGE', `old size ${from} exceeds new size ${to}`);
  const ranges: [number, number][] = [];
  // Custos trivial cases (log.md): from 0 and from == to have the empty proof.
  if (from === 0 || from === to) return ranges;
  subproofRanges(from, 0, to, true, ranges);
  return ranges;
}

export function consistencyProofIndexes(from: number, to: number): number[] {
  return plan(consistencyRanges(from, to)).indexes;
}

/** Consistency proof from the tree of `from` leaves to the tree of `to` leaves. */
export async function proveConsistency(from: number, to: number, reader: HashReader): Promise<Uint8Array[]> {
  return execute(plan(consistencyRanges(from, to)), reader);
}
