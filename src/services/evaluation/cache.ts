/**
 * A cache bounded in bytes (docs/decisions/0010): entries carry an estimate of their size and the
 * least recently used go first once the bound is passed, so memory does not grow with the number
 * of MBAs or their history. A bound of 0 keeps nothing.
 */
export interface ByteCache<V> {
  get(key: string, tag: string): V | undefined;
  set(key: string, tag: string, value: V, bytes: number): void;
  readonly bytes: number;
  readonly size: number;
}

export function createByteCache<V>(maxBytes: number): ByteCache<V> {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const entries = new Map<string, { tag: string; value: V; bytes: number }>();
  let bytes = 0;
  return {
    get(key, tag) {
      const e = entries.get(key);
      if (e === undefined) return undefined;
      entries.delete(key);
      if (e.tag !== tag) {
        bytes -= e.bytes;
        return undefined;
      }
      entries.set(key, e);
      return e.value;
    },
    set(key, tag, value, size) {
      const old = entries.get(key);
      if (old !== undefined) {
        entries.delete(key);
        bytes -= old.bytes;
      }
      if (size > maxBytes) return;
      entries.set(key, { tag, value, bytes: size });
      bytes += size;
      for (const [k, e] of entries) {
        if (bytes <= maxBytes) break;
        entries.delete(k);
        bytes -= e.bytes;
      }
    },
    get bytes() {
      return bytes;
    },
    get size() {
      return entries.size;
    },
  };
}
