import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyRoot, leafHash, rootFromLeafHashes } from './hashing.js';
import {
  consistencyProofIndexes,
  type HashReader,
  proveConsistency,
  proveInclusion,
  treeHash,
} from './proofs.js';
import { appendLeaves, storedHashCount } from './storage.js';
import { ascii, hex, vectors } from './testdata/vectors.js';
import { verifyConsistency, verifyInclusion } from './verify.js';

const MAX = 5000;
const leaves = Array.from({ length: MAX }, (_, i) => leafHash(ascii(`entry ${i}`)));
const stored = appendLeaves(0, [], leaves).storedHashes.map((s) => s.hash);

/** In-memory reader that counts batches, to prove each proof is one read. */
function memoryReader(hashes: Uint8Array[]): HashReader & { reads: number } {
  const r = {
    reads: 0,
    readHashes(indexes: readonly number[]) {
      r.reads++;
      return indexes.map((i) => {
        const h = hashes[i];
        if (h === undefined) throw new Error(`no stored hash ${i}`);
        return h;
      });
    },
  };
  return r;
}

const rootCache = new Map<number, Uint8Array>();
async function rootOf(size: number): Promise<Uint8Array> {
  let r = rootCache.get(size);
  if (r === undefined) {
    r = await treeHash(size, memoryReader(stored));
    rootCache.set(size, r);
  }
  return r;
}

const hexAll = (hs: Uint8Array[]): string => hs.map((h) => Buffer.from(h).toString('hex')).join(',');

function flip(h: Uint8Array, bit: number): Uint8Array {
  const c = h.slice();
  c[Math.floor(bit / 8) % 32]! ^= 1 << (bit % 8);
  return c;
}

describe('proofs from stored hashes: tree8 vectors', () => {
  const t8 = vectors.tree8.leaf_inputs_hex.map((h) => leafHash(hex(h)));
  const s8 = appendLeaves(0, [], t8).storedHashes.map((s) => s.hash);
  it('treeHash of every size', async () => {
    for (let n = 0; n <= 8; n++) {
      expect(Buffer.from(await treeHash(n, memoryReader(s8))).toString('hex')).toBe(
        vectors.tree8.root_by_tree_size_hex[n],
      );
    }
  });
  it('inclusion proofs equal the classic vectors', async () => {
    for (const v of vectors.tree8.inclusion_proofs) {
      if (v.proof_hex === null) {
        await expect(proveInclusion(v.leaf_index, v.tree_size, memoryReader(s8))).rejects.toMatchObject({
          code: 'LOG_RANGE',
        });
        continue;
      }
      const p = await proveInclusion(v.leaf_index, v.tree_size, memoryReader(s8));
      expect(p.map((h) => Buffer.from(h).toString('hex'))).toEqual(v.proof_hex);
    }
  });
  it('consistency proofs equal the classic vectors', async () => {
    for (const v of vectors.tree8.consistency_proofs) {
      const p = await proveConsistency(v.size1, v.size2, memoryReader(s8));
      expect(p.map((h) => Buffer.from(h).toString('hex'))).toEqual(v.proof_hex);
    }
  });
});

describe('proofs: trivial cases and errors', () => {
  it('size 0 root is the empty root without a read', async () => {
    const r = memoryReader(stored);
    expect(await treeHash(0, r)).toEqual(emptyRoot());
    expect(r.reads).toBe(0);
  });
  it('consistency from 0 and to the same size is the empty proof', async () => {
    expect(await proveConsistency(0, 10, memoryReader(stored))).toEqual([]);
    expect(await proveConsistency(7, 7, memoryReader(stored))).toEqual([]);
    expect(consistencyProofIndexes(0, 0)).toEqual([]);
  });
  it('out of range is LOG_RANGE', async () => {
    await expect(proveConsistency(8, 7, memoryReader(stored))).rejects.toMatchObject({ code: 'LOG_RANGE' });
    await expect(proveInclusion(7, 7, memoryReader(stored))).rejects.toMatchObject({ code: 'LOG_RANGE' });
    await expect(proveInclusion(-1, 7, memoryReader(stored))).rejects.toMatchObject({ code: 'LOG_RANGE' });
    await expect(treeHash(1.5, memoryReader(stored))).rejects.toMatchObject({ code: 'LOG_RANGE' });
  });
  it('a reader returning the wrong count or size is LOG_MALFORMED', async () => {
    await expect(treeHash(3, { readHashes: () => [] })).rejects.toMatchObject({ code: 'LOG_MALFORMED' });
    await expect(treeHash(1, { readHashes: () => [new Uint8Array(3)] })).rejects.toMatchObject({
      code: 'LOG_MALFORMED',
    });
  });
  it('async readers work and each proof is one batched read', async () => {
    const inner = memoryReader(stored);
    const reader = {
      reads: 0,
      readHashes: async (ix: readonly number[]) => {
        reader.reads++;
        return inner.readHashes(ix);
      },
    };
    await proveConsistency(1234, 4321, reader);
    await proveInclusion(1000, 4321, reader);
    await treeHash(4321, reader);
    expect(reader.reads).toBe(3);
  });
});

describe('proofs: properties (0 ≤ m ≤ n ≤ 5000)', () => {
  it('rootFromLeafHashes, treeHash and appendLeaves agree', async () => {
    for (const n of [1, 2, 3, 5, 255, 256, 257, 1000, 4097, MAX]) {
      expect(await rootOf(n)).toEqual(rootFromLeafHashes(leaves.slice(0, n)));
    }
  });

  it('every inclusion proof verifies; every mutation fails', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 1, max: MAX })
          .chain((n) => fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.constant(n))),
        fc.nat(),
        async ([i, n], salt) => {
          const proof = await proveInclusion(i, n, memoryReader(stored));
          const root = await rootOf(n);
          const leaf = leaves[i]!;
          expect(verifyInclusion(leaf, i, n, proof, root)).toBe(true);
          if (proof.length > 0) {
            const k = salt % proof.length;
            const flipped = proof.map((h, j) => (j === k ? flip(h, salt) : h));
            expect(verifyInclusion(leaf, i, n, flipped, root)).toBe(false);
            expect(verifyInclusion(leaf, i, n, proof.slice(0, -1), root)).toBe(false);
            expect(verifyInclusion(leaf, i, n, proof.slice(1), root)).toBe(false);
          }
          expect(verifyInclusion(leaf, i, n, [...proof, leaf], root)).toBe(false);
          expect(verifyInclusion(flip(leaf, salt), i, n, proof, root)).toBe(false);
          expect(verifyInclusion(leaf, i, n, proof, flip(root, salt))).toBe(false);
          if (n > 1)
            expect(verifyInclusion(leaf, (i + 1 + (salt % (n - 1))) % n, n, proof, root)).toBe(false);
          // A wrong size claims a different tree, so it is checked against that tree's root.
          const wrongSize = n + 1 + (salt % 50);
          if (wrongSize <= MAX)
            expect(verifyInclusion(leaf, i, wrongSize, proof, await rootOf(wrongSize))).toBe(false);
          if (n > 1) expect(verifyInclusion(leaf, i, n - 1, proof, await rootOf(n - 1))).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('every consistency proof verifies; every mutation fails', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 0, max: MAX })
          .chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n))),
        fc.nat(),
        async ([m, n], salt) => {
          const proof = await proveConsistency(m, n, memoryReader(stored));
          const oldRoot = await rootOf(m);
          const newRoot = await rootOf(n);
          expect(verifyConsistency(m, n, proof, oldRoot, newRoot)).toBe(true);
          if (proof.length > 0) {
            const k = salt % proof.length;
            const flipped = proof.map((h, j) => (j === k ? flip(h, salt) : h));
            expect(verifyConsistency(m, n, flipped, oldRoot, newRoot)).toBe(false);
            expect(verifyConsistency(m, n, proof.slice(0, -1), oldRoot, newRoot)).toBe(false);
          }
          expect(verifyConsistency(m, n, [...proof, newRoot], oldRoot, newRoot)).toBe(false);
          expect(verifyConsistency(m, n, proof, flip(oldRoot, salt), newRoot)).toBe(false);
          // From size 0 any new root is consistent (the empty tree is a prefix of every tree).
          if (m > 0) expect(verifyConsistency(m, n, proof, oldRoot, flip(newRoot, salt))).toBe(false);
          if (m > 0 && m < n) {
            const other = 1 + ((m + salt) % (n - 1));
            if (other !== m) expect(verifyConsistency(other, n, proof, oldRoot, newRoot)).toBe(false);
            if (n < MAX) expect(verifyConsistency(m, n + 1, proof, oldRoot, await rootOf(n + 1))).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('appendLeaves in random batch splits equals one-by-one and rootFromLeafHashes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 600 }),
        fc.array(fc.integer({ min: 1, max: 70 }), { maxLength: 40 }),
        (n, cuts) => {
          const batches: Uint8Array[][] = [];
          let at = 0;
          for (const c of cuts) {
            if (at >= n) break;
            batches.push(leaves.slice(at, Math.min(n, at + c)));
            at += c;
          }
          if (at < n) batches.push(leaves.slice(at, n));
          let size = 0;
          let frontier: Uint8Array[] = [];
          let root = emptyRoot();
          const got: Uint8Array[] = [];
          for (const b of batches) {
            const r = appendLeaves(size, frontier, b);
            for (const s of r.storedHashes) {
              expect(s.index).toBe(got.length);
              got.push(s.hash);
            }
            size += b.length;
            frontier = r.frontier;
            root = r.root;
          }
          let one = { size: 0, frontier: [] as Uint8Array[] };
          for (let i = 0; i < n; i++)
            one = { size: i + 1, frontier: appendLeaves(i, one.frontier, [leaves[i]!]).frontier };
          // Compared as hex: deep equality of thousands of typed arrays is needlessly slow.
          expect(hexAll(got)).toBe(hexAll(stored.slice(0, storedHashCount(n))));
          expect(hexAll([root])).toBe(hexAll([rootFromLeafHashes(leaves.slice(0, n))]));
          expect(hexAll(frontier)).toBe(hexAll(one.frontier));
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('proofs with a reader that keeps folded ranges', () => {
  it('give the same proofs as a plain reader, reading fewer hashes the second time', async () => {
    const memo = new Map<string, Uint8Array>();
    let read = 0;
    const plain = memoryReader(stored);
    const keeping: HashReader = {
      readHashes(indexes) {
        read += indexes.length;
        return plain.readHashes(indexes);
      },
      ranges: {
        get: (lo, hi) => memo.get(`${lo}:${hi}`),
        set: (lo, hi, h) => void memo.set(`${lo}:${hi}`, h),
      },
    };
    for (const size of [1, 7, 100, 1000, 4097, 5000]) {
      for (const index of [0, 1, size >> 1, size - 1]) {
        if (index >= size) continue;
        const want = hexAll(await proveInclusion(index, size, plain));
        const before = read;
        expect(hexAll(await proveInclusion(index, size, keeping)), `${index}@${size}`).toBe(want);
        const first = read - before;
        expect(hexAll(await proveInclusion(index, size, keeping)), `${index}@${size} again`).toBe(want);
        expect(read - before - first).toBeLessThanOrEqual(first);
      }
      for (const from of [1, 3, size >> 1, size].filter((f) => f <= size)) {
        const want = hexAll(await proveConsistency(from, size, plain));
        expect(hexAll(await proveConsistency(from, size, keeping)), `${from}→${size}`).toBe(want);
        expect(hexAll(await proveConsistency(from, size, keeping)), `${from}→${size} again`).toBe(want);
      }
    }
    // 5000 = 4096 + 512 + 256 + 128 + 8: the right edge of the proof of leaf 0 folds four
    // subtrees; kept, it is no longer read.
    expect(memo.get('4096:5000')).toEqual(rootFromLeafHashes(leaves.slice(4096, 5000)));
    const before = read;
    await proveInclusion(0, 5000, keeping);
    expect(read - before).toBe(12);
    expect((await proveInclusion(0, 5000, plain)).length).toBe(13);
  });
});
