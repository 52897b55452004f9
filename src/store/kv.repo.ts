import type { Db } from './db.js';

/** Small facts about the node itself, by key (e.g. when the demo world was seeded). */
export function createKvRepo(db: Db) {
  const k = db.kysely;
  return {
    async get(key: string): Promise<string | undefined> {
      return (await k.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirst())?.value;
    },
    async insert(key: string, value: string): Promise<void> {
      await k.insertInto('kv').values({ key, value }).execute();
    },
  };
}
