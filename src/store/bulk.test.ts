import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { insertRowsSqlite, Pacer, sortInSlices, sortNumbersInSlices } from './bulk.js';

/** A small deterministic generator (mulberry32): the same cases on every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('sortInSlices (issue 15 item 9)', () => {
  it('orders as the stable Array.prototype.sort does, ties kept in input order', async () => {
    for (const [seed, n, keys] of [
      [1, 0, 3],
      [2, 1, 3],
      [3, 2, 1],
      [4, 1000, 7],
      [5, 20_001, 50],
      [6, 65_537, 1_000_000],
    ] as const) {
      const r = rng(seed);
      const xs = Array.from({ length: n }, (_, i) => ({ k: Math.floor(r() * keys), i }));
      const want = [...xs].sort((a, b) => a.k - b.k);
      // A zero-length slice pauses at every check: the pauses must not change the order.
      const got = await sortInSlices([...xs], (a, b) => a.k - b.k, new Pacer(0));
      expect(got, `seed ${seed}`).toEqual(want);
    }
  });

  it('answers an ordered input as it is, and sorts in place', async () => {
    const xs = Array.from({ length: 10_000 }, (_, i) => i);
    expect(await sortInSlices(xs, (a, b) => a - b)).toBe(xs);
    const ys = [3, 1, 2];
    await sortInSlices(ys, (a, b) => a - b);
    expect(ys).toEqual([1, 2, 3]);
  });

  it('lets timers run while it sorts a large array', async () => {
    const r = rng(7);
    const xs = Array.from({ length: 300_000 }, () => r());
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      await sortInSlices(xs, (a, b) => a - b, new Pacer(1));
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
    expect(xs.every((x, i) => i === 0 || (xs[i - 1] as number) <= x)).toBe(true);
  });
});

describe('sortNumbersInSlices (issue 15 item 9, decision 0067)', () => {
  it('orders as Float64Array.prototype.sort does, in place, any length and repeats', async () => {
    const r = rng(11);
    for (const n of [0, 1, 2, 16_383, 16_384, 16_385, 50_000, 100_003]) {
      const xs = Float64Array.from({ length: n }, (_, i) =>
        i % 7 === 0 ? Math.floor(r() * 50) : (r() - 0.5) * 2 ** 52,
      );
      const want = xs.slice().sort();
      const got = await sortNumbersInSlices(xs, new Pacer(0));
      expect(got).toBe(xs);
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });

  it('lets timers run while it sorts 900 000 keys', async () => {
    const r = rng(5);
    const xs = Float64Array.from({ length: 900_000 }, () => r() * 2 ** 52);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      await sortNumbersInSlices(xs, new Pacer(1));
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
    expect(xs.every((x, i) => i === 0 || (xs[i - 1] as number) <= x)).toBe(true);
  });
});

describe('insertRowsSqlite in a transaction rolled back whole (decision 0049)', () => {
  const open = () => {
    const db = new Database(':memory:');
    db.exec('create table t (k integer primary key, v text not null)');
    return db;
  };

  it('stores the same rows either way', () => {
    const rows = Array.from({ length: 250 }, (_, i) => [i, `v${i}`]).flat();
    for (const whole of [false, true]) {
      const db = open();
      db.transaction(() => insertRowsSqlite(db, 't', ['k', 'v'], rows, whole))();
      expect(db.prepare('select count(*) as n, sum(k) as s from t').get()).toEqual({ n: 250, s: 31_125 });
      db.close();
    }
  });

  it('throws the same constraint error, and the rollback leaves nothing of the transaction', () => {
    for (const whole of [false, true]) {
      const db = open();
      // Row 150 repeats key 7: the second 100-row statement fails part-way.
      const rows = Array.from({ length: 200 }, (_, i) => [i === 150 ? 7 : i, `v${i}`]).flat();
      expect(() => db.transaction(() => insertRowsSqlite(db, 't', ['k', 'v'], rows, whole))()).toThrow(
        /UNIQUE constraint failed: t\.k/,
      );
      expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 0 });
      db.close();
    }
  });
});
