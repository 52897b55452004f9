import { describe, expect, it } from 'vitest';
import { keptFor } from '../../web/src/kept.js';

describe('keptFor', () => {
  it('reuses a key’s value (or its request in flight) within the time, asks again after it', async () => {
    let clock = 0;
    let asked = 0;
    const kept = keptFor<number>(60_000, () => clock);
    const load = (v: number) => () => {
      asked++;
      return Promise.resolve(v);
    };
    const first = kept('XA/2026', load(1));
    expect(await kept('XA/2026', load(2))).toBe(1); // in flight, then kept
    expect(await first).toBe(1);
    clock = 60_000;
    expect(await kept('XA/2026', load(3))).toBe(1);
    expect(await kept('XB/2026', load(4))).toBe(4); // another key asks
    clock = 60_001;
    expect(await kept('XA/2026', load(5))).toBe(5); // past the time: asked again
    expect(asked).toBe(3);
  });

  it('does not keep a failed load', async () => {
    let asked = 0;
    const kept = keptFor<number>(60_000, () => 0);
    const failing = () => {
      asked++;
      return Promise.reject(new Error('down'));
    };
    await expect(kept('XA/2026', failing)).rejects.toThrow('down');
    await expect(kept('XA/2026', failing)).rejects.toThrow('down');
    expect(await kept('XA/2026', () => Promise.resolve(7))).toBe(7);
    expect(asked).toBe(2);
  });
});
