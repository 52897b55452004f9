import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql, type Transaction } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { type Db, openSqlite } from './db.js';

// SQLite only: the reader connection is this dialect's answer to its single writer (PostgreSQL
// gives every transaction its own connection).
interface T {
  t: { n: number };
}
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SQLite: reads while the writer is taken (decision 0035)', () => {
  let dir: string;
  let db: Db;
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(): Promise<Kysely<T>> {
    dir = mkdtempSync(join(tmpdir(), 'custos-dialect-'));
    db = openSqlite(join(dir, 'custos.db'));
    const k = db.kysely as unknown as Kysely<T>;
    await sql`create table t (n integer primary key)`.execute(k);
    await k.insertInto('t').values({ n: 1 }).execute();
    return k;
  }

  const count = async (q: Kysely<T> | Transaction<T>) =>
    Number((await q.selectFrom('t').select(sql<number>`count(*)`.as('c')).executeTakeFirstOrThrow()).c);

  it('a plain read during a yielding transaction answers at once, from the last commit', async () => {
    const d = await open();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tx = d.transaction().execute(async (t) => {
      await t.insertInto('t').values({ n: 2 }).execute();
      await held; // the transaction gives the event loop back, as a big report's does
      await t.insertInto('t').values({ n: 3 }).execute();
    });
    await turn();
    // Answered while the transaction is open: the committed row only, never half the transaction.
    expect(await count(d)).toBe(1);
    release();
    await tx;
    expect(await count(d)).toBe(3);
  });

  it('a write during that transaction waits for it, then runs on the writer', async () => {
    const d = await open();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const order: string[] = [];
    const tx = d.transaction().execute(async (t) => {
      await t.insertInto('t').values({ n: 2 }).execute();
      await held;
      order.push('tx');
    });
    await turn();
    const write = d
      .insertInto('t')
      .values({ n: 10 })
      .execute()
      .then(() => order.push('write'));
    const other = d.transaction().execute(async (t) => {
      // A transaction begun while the writer is taken runs wholly on the writer, after it.
      await t.insertInto('t').values({ n: 11 }).execute();
      order.push(`other saw ${await count(t)}`);
    });
    await turn();
    expect(order).toEqual([]);
    release();
    await Promise.all([tx, write, other]);
    // The yielding transaction finished first; the others followed it on the writer and the
    // transaction saw its own insert and the committed rows.
    expect(order[0]).toBe('tx');
    expect(order).toContain('write');
    expect(order.find((o) => o.startsWith('other saw'))).toMatch(/^other saw [34]$/);
    expect(await count(d)).toBe(4);
  });

  it('a failed transaction leaves nothing, even though reads ran while it was open', async () => {
    const d = await open();
    const tx = d.transaction().execute(async (t) => {
      await t.insertInto('t').values({ n: 2 }).execute();
      await turn();
      throw new Error('storing failed half-way');
    });
    expect(await count(d)).toBe(1);
    await expect(tx).rejects.toThrow('half-way');
    expect(await count(d)).toBe(1);
  });
});
