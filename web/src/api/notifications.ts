/** The inbox of notifications. */
import { apiJson, queryString } from './client.js';

/*
 * Hand-written until the route declares its response schema (docs/decisions/0013 lists which);
 * then the type comes from ./wire.js like the others.
 */

export interface LiveEvent {
  readonly id: number;
  readonly type: string;
  readonly state: string | null;
  readonly organisation: string | null;
  readonly at: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface InboxItem {
  readonly id: number;
  readonly event: LiveEvent;
  readonly readAt: string | null;
}

export const inboxApi = {
  list: (query: { unread?: '1'; limit?: number; before?: number } = {}) =>
    apiJson<{ items: InboxItem[]; unread: number }>(`/api/inbox${queryString(query)}`),
  read: (body: { ids?: number[]; all?: boolean }) =>
    apiJson<unknown>('/api/inbox/read', { method: 'POST', body }),
};
