import { type Selectable, sql } from 'kysely';
import type { Db, DbOrTx } from './db.js';
import type { Schema } from './schema.types.js';

/** An event row as stored (its id orders the stream). */
export type EventRecord = Selectable<Schema['events']>;

/** An inbox item with its event. */
export type InboxRecord = EventRecord & { inbox_id: number; read_at: string | null };

/** Arbitrary constant: the transaction-level advisory lock that orders event ids on PostgreSQL. */
const EVENT_ORDER_LOCK = 727_274_601;

/**
 * Events, the keys that make a publication happen at most once, and who an event is for. Writes
 * take the caller's transaction: an event, its inbox rows and its webhook deliveries commit together.
 */
export function createNotificationsRepo(db: Db) {
  const k = db.kysely;
  return {
    /** Take `key` for one publication; false when it was already taken (then publish nothing). */
    async claimKey(tx: DbOrTx, key: string, at: string): Promise<boolean> {
      const taken = await tx
        .insertInto('notification_keys')
        .values({ key, event_id: null, created_at: at })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      return Number(taken.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async bindKey(tx: DbOrTx, key: string, eventId: number): Promise<void> {
      await tx.updateTable('notification_keys').set({ event_id: eventId }).where('key', '=', key).execute();
    },
    /**
     * Ids must become visible in id order, or a reader that saw id n+1 would skip n: on
     * PostgreSQL publishers queue on one transaction lock (SQLite writers are serial anyway).
     */
    async lockEventOrder(tx: DbOrTx): Promise<void> {
      if (db.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${EVENT_ORDER_LOCK})`.execute(tx);
    },
    /** PostgreSQL: tell every listening process (at commit) that event `id` exists. */
    async notify(tx: DbOrTx, channel: string, id: number): Promise<void> {
      if (db.dialect === 'postgres') await sql`select pg_notify(${channel}, ${String(id)})`.execute(tx);
    },
    async insertEvent(tx: DbOrTx, e: Omit<EventRecord, 'id'>): Promise<number> {
      const inserted = await tx.insertInto('events').values(e).returning('id').executeTakeFirstOrThrow();
      return Number(inserted.id);
    },
    async maxEventId(): Promise<number> {
      const r = await k
        .selectFrom('events')
        .select((eb) => eb.fn.max('id').as('m'))
        .executeTakeFirst();
      return Number(r?.m ?? 0);
    },
    async eventsAfter(after: number, limit: number): Promise<EventRecord[]> {
      return k.selectFrom('events').selectAll().where('id', '>', after).orderBy('id').limit(limit).execute();
    },
    async event(id: number): Promise<EventRecord | undefined> {
      return k.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
    },

    // ---- who an event is for
    /** Organisations located in `state` (its authorities and operators). */
    async organisationsOfState(q: DbOrTx, state: string): Promise<string[]> {
      return (await q.selectFrom('organisations').select('id').where('state', '=', state).execute()).map(
        (o) => o.id,
      );
    },
    /** Inspectorates party to an agreement in force to which `state` is also party (their scope). */
    async inspectoratesAgreedWith(q: DbOrTx, state: string): Promise<string[]> {
      const rows = await q
        .selectFrom('agreement_parties as org')
        .innerJoin('agreement_parties as st', 'st.agreement_id', 'org.agreement_id')
        .innerJoin('agreements as a', 'a.id', 'org.agreement_id')
        .innerJoin('organisations as o', 'o.id', 'org.party_ref')
        .select('o.id')
        .where('a.status', '=', 'in-force')
        .where('org.party_kind', '=', 'organisation')
        .where('o.kind', 'in', ['inspectorate', 'regional-inspectorate'])
        .where('st.party_kind', '=', 'state')
        .where('st.party_ref', '=', state)
        .execute();
      return rows.map((r) => r.id);
    },
    /** Users of any organisation who hold `role` (roles are stored comma-separated). */
    async usersWithRole(q: DbOrTx, role: string): Promise<string[]> {
      const candidates = await q
        .selectFrom('users')
        .select(['id', 'roles'])
        .where('roles', 'like', `%${role}%`)
        .where('organisation_id', 'is not', null)
        .execute();
      return candidates.filter((u) => u.roles.split(',').includes(role)).map((u) => u.id);
    },
    /** The users of these organisations with their roles (the caller decides who may receive). */
    async usersOf(q: DbOrTx, organisations: readonly string[]): Promise<{ id: string; roles: string[] }[]> {
      if (organisations.length === 0) return [];
      const rows = await q
        .selectFrom('users')
        .select(['id', 'roles'])
        .where('organisation_id', 'in', [...organisations])
        .execute();
      return rows.map((u) => ({ id: u.id, roles: u.roles.split(',') }));
    },
  };
}

export type NotificationsRepo = ReturnType<typeof createNotificationsRepo>;

/** Users' inboxes: one row per event and user who may see it, with a read mark. */
export function createInboxRepo(db: Db) {
  const k = db.kysely;
  return {
    /** One unread item per user, counted in each user's unread figure (the caller's transaction). */
    async insertInbox(tx: DbOrTx, userIds: readonly string[], eventId: number, at: string): Promise<void> {
      for (let i = 0; i < userIds.length; i += 500) {
        const users = userIds.slice(i, i + 500);
        await tx
          .insertInto('inbox')
          .values(users.map((u) => ({ user_id: u, event_id: eventId, created_at: at })))
          .execute();
        await tx
          .insertInto('inbox_unread_counts')
          .values(users.map((u) => ({ user_id: u, n: 1 })))
          .onConflict((oc) =>
            oc.column('user_id').doUpdateSet((eb) => ({ n: eb('inbox_unread_counts.n', '+', 1) })),
          )
          .execute();
      }
    },
    /** A user's inbox, newest first, with the count of unread items. */
    async inbox(
      userId: string,
      q: { unread: boolean; before: number | undefined; limit: number },
    ): Promise<{ items: InboxRecord[]; unread: number }> {
      let rows = k
        .selectFrom('inbox')
        .innerJoin('events', 'events.id', 'inbox.event_id')
        .select([
          'inbox.id as inbox_id',
          'inbox.read_at',
          'events.id',
          'events.type',
          'events.state',
          'events.organisation',
          'events.audience',
          'events.at',
          'events.data',
        ])
        .where('inbox.user_id', '=', userId);
      if (q.unread) rows = rows.where('inbox.read_at', 'is', null);
      if (q.before !== undefined) rows = rows.where('inbox.id', '<', q.before);
      // The unread figure is kept (decision 0103): counting the user's unread rows grew with every
      // event never opened, and the badge asks on every live event.
      const [items, count] = await Promise.all([
        rows.orderBy('inbox.id', 'desc').limit(q.limit).execute(),
        k.selectFrom('inbox_unread_counts').select('n').where('user_id', '=', userId).executeTakeFirst(),
      ]);
      return {
        items: items.map((r) => ({ ...r, inbox_id: Number(r.inbox_id) })),
        unread: Number(count?.n ?? 0),
      };
    },
    /** Mark unread items read: those with these inbox ids, or all; answers how many changed. */
    async markRead(userId: string, ids: readonly number[] | 'all', at: string): Promise<number> {
      // The rows read and the figure in one transaction: the figure moves by what changed.
      return k.transaction().execute(async (tx) => {
        let u = tx
          .updateTable('inbox')
          .set({ read_at: at })
          .where('user_id', '=', userId)
          .where('read_at', 'is', null);
        if (ids !== 'all') u = u.where('id', 'in', [...ids]);
        const changed = Number((await u.executeTakeFirst()).numUpdatedRows);
        if (changed > 0)
          await tx
            .updateTable('inbox_unread_counts')
            .set((eb) => ({ n: eb('n', '-', changed) }))
            .where('user_id', '=', userId)
            .execute();
        return changed;
      });
    },
  };
}

/**
 * Users whose kept unread figure differs from their unread inbox rows: what `custos audit`
 * compares (decision 0103). Reads every unread row: the audit's work, never a request's.
 */
export async function differingUnreadFigures(
  q: DbOrTx,
): Promise<{ user: string; kept: number; counted: number }[]> {
  const { rows } = await sql<{
    user_id: string;
    kept: number | string | null;
    counted: number | string | null;
  }>`
    with c as (select user_id, count(*) as n from inbox where read_at is null group by user_id)
    select coalesce(u.user_id, c.user_id) as user_id, u.n as kept, c.n as counted
    from inbox_unread_counts u full outer join c on c.user_id = u.user_id
    where coalesce(u.n, 0) <> coalesce(c.n, 0)
    order by 1`.execute(q);
  return rows.map((r) => ({ user: r.user_id, kept: Number(r.kept ?? 0), counted: Number(r.counted ?? 0) }));
}
