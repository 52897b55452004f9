/** Reports, their lines, and a state's timeliness. */
import { apiJson, type Page, type PageQuery, queryString, seg } from './client.js';
import type { Reply } from './wire.js';

export type ReportSummary = Reply<'/api/reports', 'get'>[number];
export type Accepted = Reply<'/api/reports', 'post', 201>;
export type Timeliness = Reply<'/api/states/{code}/timeliness', 'get'>;
export type Obligation = Timeliness['obligations'][number];
/** GET /api/mbas/:code/lines: one page of lines (paged, sorted, filtered by the server). */
export type MbaLines = Reply<'/api/mbas/{code}/lines', 'get'>;
export type AccountLine = MbaLines['lines'][number];
/** GET /api/mbas/:code/corrections: a page of corrected or deleted originals with their histories. */
export type MbaCorrections = Reply<'/api/mbas/{code}/corrections', 'get'>;

export type LinesQuery = PageQuery & {
  readonly asOf?: string;
  readonly after?: string;
  readonly element?: string;
  readonly effective?: 'true' | 'false';
};

export type TimelinessQuery = PageQuery & {
  /** Comma-separated statuses (upcoming, met, late, missing); none: all. */
  readonly status?: string;
  readonly mba?: string;
  readonly order?: 'asc' | 'desc';
};

export const reportsApi = {
  list: (query: { mba?: string; type?: string; state?: string; limit?: number; offset?: number }) =>
    apiJson<ReportSummary[]>(`/api/reports${queryString(query)}`),
  /** The counts of all the state's obligations and a page of those the query selects (server-side order by due date). */
  timeliness: (state: string, query: TimelinessQuery = {}) =>
    apiJson<Timeliness>(`/api/states/${seg(state)}/timeliness${queryString(query)}`),
  lines: (mba: string, query: LinesQuery = {}, signal?: AbortSignal) =>
    apiJson<MbaLines>(`/api/mbas/${seg(mba)}/lines${queryString(query)}`, { signal }),
  /** The lines as a server-paged list (for ServerTable). */
  linesPage: async (mba: string, query: LinesQuery, signal?: AbortSignal): Promise<Page<AccountLine>> => {
    const r = await reportsApi.lines(mba, query, signal);
    return { items: [...r.lines], total: r.total, limit: r.limit, offset: r.offset };
  },
  corrections: (mba: string, query: { limit?: number; offset?: number } = {}, signal?: AbortSignal) =>
    apiJson<MbaCorrections>(`/api/mbas/${seg(mba)}/corrections${queryString(query)}`, { signal }),
  /**
   * The correction history as a server-paged list (for ServerTable): a page of originals, each
   * shown as its lines (the original, then its corrections and deletions); the total counts
   * originals, as the pages do.
   */
  correctionsPage: async (
    mba: string,
    query: { limit: number; offset: number },
    signal?: AbortSignal,
  ): Promise<Page<AccountLine>> => {
    const r = await reportsApi.corrections(mba, { limit: query.limit, offset: query.offset }, signal);
    return { items: r.items.flatMap((c) => c.history), total: r.total, limit: r.limit, offset: r.offset };
  },
};
