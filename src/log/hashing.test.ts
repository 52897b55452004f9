import { describe, expect, it } from 'vitest';
import { encodeHex } from './encoding.js';
import { emptyRoot, leafHash, nodeHash, rootFromLeafHashes } from './hashing.js';
import {
  appendLeaves,
  frontierIndexes,
  splitStoredHashIndex,
  storedHashCount,
  storedHashIndex,
} from './storage.js';
import { ascii, hex, vectors } from './testdata/vectors.js';

describe('RFC 6962 hasher (transparency-dev vectors)', () => {
  for (const c of vectors.rfc6962_hasher.cases) {
    it(c.desc, () => {
      if (c.root_of_empty_tree_hex !== undefined)
        expect(encodeHex(emptyRoot())).toBe(c.root_of_empty_tree_hex);
      if (c.leaf_hash_hex !== undefined) {
        const input =
          c.leaf_input_ascii !== undefined ? ascii(c.leaf_input_ascii) : hex(c.leaf_input_hex ?? '');
        expect(encodeHex(leafHash(input))).toBe(c.leaf_hash_hex);
      }
      if (c.node_hash_hex !== undefined) {
        expect(encodeHex(nodeHash(ascii(c.left_ascii ?? ''), ascii(c.right_ascii ?? '')))).toBe(
          c.node_hash_hex,
        );
      }
    });
  }
});

describe('tree8', () => {
  const leaves = vectors.tree8.leaf_inputs_hex.map((h) => leafHash(hex(h)));

  it('roots of every prefix size', () => {
    vectors.tree8.root_by_tree_size_hex.forEach((root, size) => {
      expect(encodeHex(rootFromLeafHashes(leaves.slice(0, size)))).toBe(root);
      expect(encodeHex(appendLeaves(0, [], leaves.slice(0, size)).root)).toBe(root);
    });
  });

  it('every stored node hash sits at storedHashIndex(level, n)', () => {
    const { storedHashes } = appendLeaves(0, [], leaves);
    expect(storedHashes.map((s) => s.index)).toEqual([...Array(storedHashCount(8)).keys()]);
    vectors.tree8.node_hashes_by_level_hex.forEach((level, l) => {
      level.forEach((h, n) => {
        expect(encodeHex(storedHashes[storedHashIndex(l, n)]!.hash)).toBe(h);
      });
    });
  });
});

describe('stored hash layout (golang.org/x/mod/sumdb/tlog)', () => {
  it('matches the Go layout for small trees', () => {
    // Go: leaf n at StoredHashIndex(0, n); hashes 0,1 are leaves 0,1, 2 is their parent, …
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((n) => storedHashIndex(0, n))).toEqual([0, 1, 3, 4, 7, 8, 10, 11]);
    expect(storedHashIndex(1, 0)).toBe(2);
    expect(storedHashIndex(2, 0)).toBe(6);
    expect(storedHashIndex(3, 0)).toBe(14);
    expect([0, 1, 2, 3, 4, 5, 8, 1000].map(storedHashCount)).toEqual([0, 1, 3, 4, 7, 8, 15, 1994]);
  });

  it('splitStoredHashIndex inverts storedHashIndex', () => {
    for (let i = 0; i < 5000; i++) {
      const { level, n } = splitStoredHashIndex(i);
      expect(storedHashIndex(level, n)).toBe(i);
    }
    const big = storedHashIndex(5, 2 ** 40 + 12345);
    expect(splitStoredHashIndex(big)).toEqual({ level: 5, n: 2 ** 40 + 12345 });
  });

  it('works above 2^32 without 32-bit truncation', () => {
    const n = 2 ** 33 + 7;
    expect(storedHashIndex(0, n)).toBeGreaterThan(2 ** 34);
    expect(splitStoredHashIndex(storedHashIndex(0, n))).toEqual({ level: 0, n });
    expect(frontierIndexes(2 ** 33 + 3)).toHaveLength(3);
  });

  it('refuses invalid coordinates with LOG_RANGE', () => {
    expect(() => storedHashIndex(0, -1)).toThrow(expect.objectContaining({ code: 'LOG_RANGE' }));
    expect(() => storedHashIndex(0, 2 ** 53)).toThrow(expect.objectContaining({ code: 'LOG_RANGE' }));
    expect(() => splitStoredHashIndex(1.5)).toThrow(expect.objectContaining({ code: 'LOG_RANGE' }));
  });

  it('appendLeaves resumes from the frontier read at frontierIndexes', () => {
    const leaves = Array.from({ length: 300 }, (_, i) => leafHash(ascii(`leaf ${i}`)));
    const all = appendLeaves(0, [], leaves);
    for (const size of [0, 1, 2, 3, 7, 8, 100, 255, 256, 299]) {
      const frontier = frontierIndexes(size).map((i) => all.storedHashes[i]!.hash);
      const rest = appendLeaves(size, frontier, leaves.slice(size));
      expect(rest.root).toEqual(all.root);
      expect(rest.storedHashes).toEqual(all.storedHashes.slice(storedHashCount(size)));
    }
  });

  it('appendLeaves rejects a frontier that does not fit the size', () => {
    expect(() => appendLeaves(3, [], [])).toThrow(expect.objectContaining({ code: 'LOG_MALFORMED' }));
    expect(() => appendLeaves(0, [], [new Uint8Array(31)])).toThrow(
      expect.objectContaining({ code: 'LOG_MALFORMED' }),
    );
  });

  // Its speed is measured by `npm run bench` (log section), not asserted here: a wall-clock limit
  // in a test fails on a loaded machine without anything being wrong.
  it('appends 20 000 leaves in one call to the root the recursive definition gives', () => {
    const leaves = Array.from({ length: 20_000 }, (_, i) => leafHash(ascii(`l${i}`)));
    const r = appendLeaves(0, [], leaves);
    expect(r.storedHashes).toHaveLength(storedHashCount(20_000));
    expect(encodeHex(r.root)).toBe(encodeHex(rootFromLeafHashes(leaves)));
  });
});
