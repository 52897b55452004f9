/** Cases: the board, one case's thread, transitions, messages and the log record of a decision. */
import { apiJson, queryString, seg } from './client.js';
import type { Query, Reply, RequestBody } from './wire.js';

export type CaseSummary = Reply<'/api/cases', 'get'>['items'][number];
export type CaseDetail = Reply<'/api/cases/{id}', 'get'>;
export type CaseEvent = CaseDetail['history'][number];
export type OpenCaseBody = RequestBody<'/api/cases', 'post'>;
export type TransitionBody = RequestBody<'/api/cases/{id}/transitions', 'post'>;
export type MessageBody = RequestBody<'/api/cases/{id}/messages', 'post'>;
export type AttachmentUpload = NonNullable<MessageBody['attachments']>[number];
export type CaseListQuery = Query<'/api/cases', 'get'>;

/** GET /api/records/:id: a log record with its committed content and salt. */
export type LogRecord = Reply<'/api/records/{id}', 'get'>;

export const casesApi = {
  list: (query: CaseListQuery) => apiJson<Reply<'/api/cases', 'get'>>(`/api/cases${queryString(query)}`),
  get: (id: string) => apiJson<CaseDetail>(`/api/cases/${seg(id)}`),
  open: (body: OpenCaseBody) =>
    apiJson<Reply<'/api/cases', 'post', 201>>('/api/cases', { method: 'POST', body }),
  transition: (id: string, body: TransitionBody) =>
    apiJson<CaseDetail>(`/api/cases/${seg(id)}/transitions`, { method: 'POST', body }),
  message: (id: string, body: MessageBody) =>
    apiJson<Reply<'/api/cases/{id}/messages', 'post', 201>>(`/api/cases/${seg(id)}/messages`, {
      method: 'POST',
      body,
    }),
  attachmentUrl: (id: string, hash: string) => `/api/cases/${seg(id)}/attachments/${seg(hash)}`,
  record: (id: string) => apiJson<LogRecord>(`/api/records/${seg(id)}`),
};
