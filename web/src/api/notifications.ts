/** The inbox of notifications. */
import { apiJson, queryString } from './client.js';
import type { Query, Reply, RequestBody } from './wire.js';

export type InboxPage = Reply<'/api/inbox', 'get'>;
export type InboxItem = InboxPage['items'][number];
/** An event as the inbox and the live stream (/api/events, the same shape) carry it. */
export type LiveEvent = InboxItem['event'];

export const inboxApi = {
  list: (query: Query<'/api/inbox', 'get'> = {}) => apiJson<InboxPage>(`/api/inbox${queryString(query)}`),
  read: (body: RequestBody<'/api/inbox/read', 'post'>) =>
    apiJson<Reply<'/api/inbox/read', 'post'>>('/api/inbox/read', { method: 'POST', body }),
};
