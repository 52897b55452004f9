/**
 * Values kept for a while per key: a reload within `ms` of the last load of a key reuses its value,
 * or its request still in flight, instead of asking the server again. A failed load is not kept.
 * Holds one entry per key asked for (the overview's keys are states: a registry's worth).
 */
export function keptFor<V>(ms: number, now: () => number = Date.now) {
  const kept = new Map<string, { at: number; value: Promise<V> }>();
  return (key: string, load: () => Promise<V>): Promise<V> => {
    const at = now();
    const hit = kept.get(key);
    if (hit !== undefined && at - hit.at <= ms) return hit.value;
    const value = load();
    kept.set(key, { at, value });
    value.catch(() => {
      if (kept.get(key)?.value === value) kept.delete(key);
    });
    return value;
  };
}
