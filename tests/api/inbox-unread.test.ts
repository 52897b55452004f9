/**
 * Each user's unread inbox figure is kept as items arrive and are read (decision 0103), not
 * counted per request. The oracle is the count of the user's unread rows, what the inbox answered
 * before: after the migration builds the figures from an existing inbox, and after every step of
 * a random run of arrivals and reads, both must agree; the audit names a figure that drifted.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditDerivedState } from '../../src/services/audit-derived.js';
import { migrateTo, migrateToLatest } from '../../src/store/migrate.js';
import { createInboxRepo, differingUnreadFigures } from '../../src/store/notifications.repo.js';
import { createTestDb, type TestDb, testDialects } from '../fixtures/db.js';
import { seededRandom } from '../fixtures/random.js';

const USERS = ['u-a', 'u-b', 'u-c', 'u-d'];

describe.each(testDialects())('inbox unread figures (%s)', (dialect) => {
  let tdb: TestDb;
  beforeAll(async () => {
    tdb = await createTestDb(dialect);
  }, 60_000);
  afterAll(async () => {
    await tdb?.dispose();
  });

  const oracle = async (user: string) =>
    Number(
      (
        await sql<{ n: number | string }>`select count(*) as n from inbox
          where user_id = ${user} and read_at is null`.execute(tdb.db.kysely)
      ).rows[0]?.n ?? 0,
    );
  const figure = async (user: string) =>
    (await createInboxRepo(tdb.db).inbox(user, { unread: false, before: undefined, limit: 1 })).unread;

  it('builds the figures from an existing inbox, then keeps them as items arrive and are read', async () => {
    const k = tdb.db.kysely;
    await migrateTo(tdb.db, '0055-report-lists-newest');
    const rnd = seededRandom(103);
    // A node that ran an older version: items of three users, some read (u-d has none).
    const rows = [];
    for (let e = 1; e <= 200; e++)
      for (const u of USERS.slice(0, 3))
        if (rnd() < 0.7)
          rows.push({ user_id: u, event_id: e, created_at: 't', read_at: rnd() < 0.4 ? 't' : null });
    for (let i = 0; i < rows.length; i += 100)
      await k
        .insertInto('inbox')
        .values(rows.slice(i, i + 100))
        .execute();
    await migrateToLatest(tdb.db);
    for (const u of USERS) expect(await figure(u), u).toBe(await oracle(u));

    const repo = createInboxRepo(tdb.db);
    let event = 1000;
    for (let step = 0; step < 40; step++) {
      const r = rnd();
      if (r < 0.5) {
        const to = USERS.filter(() => rnd() < 0.6);
        await k.transaction().execute((tx) => repo.insertInbox(tx, to, event++, 't'));
      } else if (r < 0.9) {
        const user = USERS[Math.floor(rnd() * USERS.length)] as string;
        const ids = (await k.selectFrom('inbox').select('id').where('user_id', '=', user).execute())
          .map((x) => Number(x.id))
          .filter(() => rnd() < 0.2);
        // Items read twice, or another user's, change nothing.
        const other = (
          await k.selectFrom('inbox').select('id').where('user_id', '<>', user).limit(3).execute()
        ).map((x) => Number(x.id));
        await repo.markRead(user, [...ids, ...ids.slice(0, 2), ...other], 't');
      } else await repo.markRead(USERS[step % USERS.length] as string, 'all', 't');
      for (const u of USERS) expect(await figure(u), `${u} after step ${step}`).toBe(await oracle(u));
    }
    expect(await differingUnreadFigures(k)).toEqual([]);
    await k.updateTable('inbox_unread_counts').set({ n: 999 }).where('user_id', '=', 'u-b').execute();
    const findings = (await auditDerivedState(k)).filter((f) => f.where.startsWith('user '));
    expect(findings.map((f) => f.where)).toEqual(['user u-b inbox']);
  }, 60_000);
});
