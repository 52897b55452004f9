import { HASH_SIZE } from '../../log/index.js';

/**
 * Stored hashes kept in memory. A stored hash never changes once written (Go's tlog layout: the
 * hash of a complete subtree is stored once, when its last leaf is appended), so holding on to
 * one can never serve a stale answer. Only hashes of subtrees of at least 2^minLevel leaves are
 * kept: there are few of them (a tree of n leaves has about n / 2^(minLevel-1)) and every proof
 * needs them, while the lower ones are many and each proof needs different ones, so they are
 * read from storage. At most `limit` hashes, in one slab of limit × 32 bytes; when it is full
 * the cache starts over one level higher, which halves what it will hold for the same tree.
 * Slots are never rewritten, so a hash handed out stays valid however long the caller keeps it.
 */
export function createStoredHashCache(opts: { minLevel: number; limit: number }) {
  let minLevel = opts.minLevel;
  const slots = new Map<number, number>();
  let slab = new Uint8Array(Math.min(opts.limit, 4096) * HASH_SIZE);

  return {
    /** Hashes below this height are not kept. */
    get minLevel(): number {
      return minLevel;
    },
    get size(): number {
      return slots.size;
    },
    get(index: number): Uint8Array | undefined {
      const slot = slots.get(index);
      return slot === undefined ? undefined : slab.subarray(slot * HASH_SIZE, (slot + 1) * HASH_SIZE);
    },
    /** Remember the stored hash at `index`, of height `level`, if it is one the cache keeps. */
    put(index: number, level: number, hash: Uint8Array): void {
      if (level < minLevel || hash.length !== HASH_SIZE || slots.has(index)) return;
      if (slots.size >= opts.limit) {
        // A fresh slab, not the old one overwritten: views handed out earlier stay valid.
        slots.clear();
        slab = new Uint8Array(Math.min(opts.limit, 4096) * HASH_SIZE);
        minLevel++;
        if (level < minLevel) return;
      }
      const slot = slots.size;
      if ((slot + 1) * HASH_SIZE > slab.length) {
        const grown = new Uint8Array(Math.min(opts.limit, 2 * (slab.length / HASH_SIZE)) * HASH_SIZE);
        grown.set(slab);
        slab = grown;
      }
      slab.set(hash, slot * HASH_SIZE);
      slots.set(index, slot);
    },
  };
}
