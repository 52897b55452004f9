import { describe, expect, it } from 'vitest';
import { createStoredHashCache } from './hash-cache.js';

const hash = (n: number) => new Uint8Array(32).fill(n % 256);

describe('stored-hash cache (immutable hashes of large subtrees)', () => {
  it('keeps only hashes at or above its level, and gives back exactly what was put', () => {
    const c = createStoredHashCache({ minLevel: 4, limit: 100 });
    c.put(10, 3, hash(10));
    c.put(11, 4, hash(11));
    c.put(12, 9, hash(12));
    expect(c.get(10)).toBeUndefined();
    expect(c.get(11)).toEqual(hash(11));
    expect(c.get(12)).toEqual(hash(12));
    expect(c.size).toBe(2);
    // A hash is written once; a second put of the same index changes nothing.
    c.put(11, 4, hash(99));
    expect(c.get(11)).toEqual(hash(11));
  });

  it('grows past its first slab and, when full, starts over one level higher', () => {
    const c = createStoredHashCache({ minLevel: 4, limit: 5000 });
    for (let i = 0; i < 5000; i++) c.put(i, 4, hash(i));
    expect(c.size).toBe(5000);
    for (const i of [0, 4095, 4096, 4999]) expect(c.get(i)).toEqual(hash(i));
    const held = c.get(7) as Uint8Array;
    c.put(6000, 4, hash(1)); // full: level 4 is no longer kept
    expect(c.minLevel).toBe(5);
    expect(c.size).toBe(0);
    c.put(6001, 5, hash(2));
    expect(c.get(6001)).toEqual(hash(2));
    expect(c.get(7)).toBeUndefined();
    // A hash handed out before the restart still holds its bytes (slots are never rewritten).
    expect(held).toEqual(hash(7));
  });
});
