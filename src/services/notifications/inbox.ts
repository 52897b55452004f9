import { isGlobalAdmin, type Principal } from '../../domain/policy/index.js';
import { isoNow, type Ports } from '../ports.js';
import { type StoredEvent, toStoredEvent } from './sink.js';

export interface InboxItem {
  readonly id: number;
  readonly event: Omit<StoredEvent, 'audience'>;
  readonly readAt: string | null;
}

/** The live stream's policy: an event is seen by its audience's organisations (admins see all). */
export function canSeeEvent(p: Principal, e: StoredEvent): boolean {
  if (isGlobalAdmin(p) || e.audience === null) return true;
  return p.organisationId !== null && e.audience.includes(p.organisationId);
}

/** A user's inbox: the events published to them, newest first, with read marks. */
export function createInboxService(ports: Ports) {
  const k = ports.db.kysely;
  return {
    async list(
      p: Principal,
      q: { unread?: boolean; limit?: number; before?: number },
    ): Promise<{ items: InboxItem[]; unread: number }> {
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
        .where('inbox.user_id', '=', p.userId);
      if (q.unread) rows = rows.where('inbox.read_at', 'is', null);
      if (q.before !== undefined) rows = rows.where('inbox.id', '<', q.before);
      const [list, count] = await Promise.all([
        rows
          .orderBy('inbox.id', 'desc')
          .limit(Math.min(Math.max(q.limit ?? 50, 1), 500))
          .execute(),
        k
          .selectFrom('inbox')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('user_id', '=', p.userId)
          .where('read_at', 'is', null)
          .executeTakeFirst(),
      ]);
      return {
        items: list.map((r) => {
          const { audience: _a, ...event } = toStoredEvent(r);
          return { id: Number(r.inbox_id), event, readAt: r.read_at };
        }),
        unread: Number(count?.n ?? 0),
      };
    },

    /** Mark some (by inbox id) or all of the caller's items read; answers how many changed. */
    async markRead(
      p: Principal,
      q: { ids?: readonly number[]; all?: boolean },
    ): Promise<{ updated: number }> {
      if (!q.all && (q.ids ?? []).length === 0) return { updated: 0 };
      let u = k
        .updateTable('inbox')
        .set({ read_at: isoNow(ports.clock) })
        .where('user_id', '=', p.userId)
        .where('read_at', 'is', null);
      if (!q.all) u = u.where('id', 'in', [...(q.ids ?? [])]);
      const r = await u.executeTakeFirst();
      return { updated: Number(r.numUpdatedRows) };
    },
  };
}

export type InboxService = ReturnType<typeof createInboxService>;
