/** Inspections: planning, activities, verification results, statements and sampling plans. */
import { apiJson, type Page, queryString, seg } from './client.js';
import type { ItemOf, Query, Reply, RequestBody } from './wire.js';

/* Every type here is read out of the generated wire types (docs/decisions/0013). */

export type Inspection = Reply<'/api/inspections/{id}', 'get'>;
/** One inspection of a page of GET /api/inspections (the same reply as one read alone). */
export type ListedInspection = ItemOf<'/api/inspections'>;
/** The filters and window of GET /api/inspections (at most 500 a page). */
export type InspectionListQuery = Query<'/api/inspections', 'get'>;
export type EffortSummary = Reply<'/api/inspection-effort', 'get'>;
export type EffortQuery = Query<'/api/inspection-effort', 'get'>;
export type NewInspectionBody = RequestBody<'/api/inspections', 'post'>;
export type ActivitiesBody = RequestBody<'/api/inspections/{id}/activities', 'put'>;
export type Assignment = NonNullable<ActivitiesBody['assignments']>[number];
export type StratumBody = RequestBody<'/api/inspections/{id}/strata/{stratum}', 'put'>;
export type ItemResult = RequestBody<'/api/inspections/{id}/strata/{stratum}/items', 'post'>['items'][number];
export type StratumResult = Reply<'/api/inspections/{id}/strata/{stratum}/items', 'post'>;
export type InspectionFinding = Reply<'/api/inspections/{id}/findings', 'get'>[number];
export type StatementDraft = Reply<'/api/inspections/{id}/statements/draft', 'get'>;
export type SignedStatementBody = RequestBody<'/api/inspections/{id}/statements', 'post'>;
/** One entry of GET /api/inspections/:id/statements: all that is needed to verify it offline. */
export type SignedStatement = Reply<'/api/inspections/{id}/statements', 'get'>[number];
export type SamplingPlanRequest = RequestBody<'/api/sampling-plans', 'post'>;
export type SamplingPlan = Reply<'/api/sampling-plans', 'post'>;

export const inspectionsApi = {
  /** A page of the inspections the caller may open, by start (paged by the server, decision 0090). */
  list: (query: InspectionListQuery = {}, signal?: AbortSignal) =>
    apiJson<Page<ListedInspection>>(`/api/inspections${queryString(query)}`, { signal }),
  get: (id: string) => apiJson<Inspection>(`/api/inspections/${seg(id)}`),
  create: (body: NewInspectionBody) =>
    apiJson<Reply<'/api/inspections', 'post', 201>>('/api/inspections', { method: 'POST', body }),
  effort: (query: EffortQuery) => apiJson<EffortSummary>(`/api/inspection-effort${queryString(query)}`),
  assign: (id: string, body: ActivitiesBody) =>
    apiJson<Reply<'/api/inspections/{id}/activities', 'put'>>(`/api/inspections/${seg(id)}/activities`, {
      method: 'PUT',
      body,
    }),
  defineStratum: (id: string, stratum: string, body: StratumBody) =>
    apiJson<Reply<'/api/inspections/{id}/strata/{stratum}', 'put'>>(
      `/api/inspections/${seg(id)}/strata/${seg(stratum)}`,
      { method: 'PUT', body },
    ),
  recordItems: (id: string, stratum: string, items: ItemResult[]) =>
    apiJson<StratumResult>(`/api/inspections/${seg(id)}/strata/${seg(stratum)}/items`, {
      method: 'POST',
      body: { items },
    }),
  statementDraft: (id: string) => apiJson<StatementDraft>(`/api/inspections/${seg(id)}/statements/draft`),
  submitStatement: (id: string, body: SignedStatementBody) =>
    apiJson<Reply<'/api/inspections/{id}/statements', 'post', 201>>(
      `/api/inspections/${seg(id)}/statements`,
      {
        method: 'POST',
        body,
      },
    ),
  findings: (id: string) => apiJson<InspectionFinding[]>(`/api/inspections/${seg(id)}/findings`),
  statements: (id: string) => apiJson<SignedStatement[]>(`/api/inspections/${seg(id)}/statements`),
  samplingPlan: (body: SamplingPlanRequest) =>
    apiJson<SamplingPlan>('/api/sampling-plans', { method: 'POST', body }),
};
