import { isGlobalAdmin, type Principal, readsStateData } from '../../domain/policy/index.js';
import { createInboxRepo } from '../../store/notifications.repo.js';
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
  // An event about a state is state data: an auditor alone never opens it (issue 15 item 10).
  if (e.state !== null && !readsStateData(p.roles)) return false;
  return p.organisationId !== null && e.audience.includes(p.organisationId);
}

/** A user's inbox: the events published to them, newest first, with read marks. */
export function createInboxService(ports: Ports) {
  const repo = createInboxRepo(ports.db);
  return {
    async list(
      p: Principal,
      q: { unread?: boolean; limit?: number; before?: number },
    ): Promise<{ items: InboxItem[]; unread: number }> {
      const { items, unread } = await repo.inbox(p.userId, {
        unread: q.unread === true,
        before: q.before,
        limit: Math.min(Math.max(q.limit ?? 50, 1), 500),
      });
      return {
        items: items.map((r) => {
          const { audience: _a, ...event } = toStoredEvent(r);
          return { id: r.inbox_id, event, readAt: r.read_at };
        }),
        unread,
      };
    },

    /** Mark some (by inbox id) or all of the caller's items read; answers how many changed. */
    async markRead(
      p: Principal,
      q: { ids?: readonly number[]; all?: boolean },
    ): Promise<{ updated: number }> {
      if (!q.all && (q.ids ?? []).length === 0) return { updated: 0 };
      const updated = await repo.markRead(p.userId, q.all ? 'all' : (q.ids ?? []), isoNow(ports.clock));
      return { updated };
    },
  };
}
