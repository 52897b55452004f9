import { describe, expect, it } from 'vitest';
import { pagesOf } from './record-content.js';

describe('pagesOf', () => {
  it('reads every key once, in order, across page boundaries, asking only after the last key seen', async () => {
    const keys = Array.from({ length: 7 }, (_, i) => ({ group: i < 4 ? 'a' : 'b', n: i }));
    const asked: number[] = [];
    const pages: string[][] = [];
    for await (const page of pagesOf(
      { group: '', n: -1 },
      async (after, limit) => {
        asked.push(after.n);
        return keys.filter((k) => k.n > after.n).slice(0, limit);
      },
      (k) => `${k.group}:${k.n}`,
      3,
    ))
      pages.push([...page]);
    expect(pages).toEqual([['a:0', 'a:1', 'a:2'], ['a:3', 'b:4', 'b:5'], ['b:6']]);
    expect(asked).toEqual([-1, 2, 5, 6]);
  });

  it('yields nothing for an empty table', async () => {
    const pages: unknown[] = [];
    for await (const page of pagesOf(
      '',
      async () => [],
      (k: string) => k,
    ))
      pages.push(page);
    expect(pages).toEqual([]);
  });
});
