/** Reports, their lines, and a state's timeliness. */
import { apiJson, type Page, type PageQuery, queryString, seg } from './client.js';

/*
 * Hand-written until the route declares its response schema (docs/decisions/0013 lists which);
 * then the type comes from ./wire.js like the others.
 */
export interface ReportSummary {
  readonly id: string;
  readonly state: string;
  readonly mba: string;
  readonly type: string;
  readonly reportNumber: number;
  readonly reportDate: string;
  readonly period?: { from: string; to: string };
  readonly pit?: string;
  readonly lineCount: number;
  readonly submittedAt: string;
  readonly logIndex: number;
  readonly receiptUrl: string;
}

export interface Obligation {
  readonly id: string;
  readonly type: string;
  readonly mba?: string;
  readonly month?: string;
  readonly dueDate: string;
  readonly agreement?: string;
  readonly status: 'upcoming' | 'met' | 'late' | 'missing' | string;
  readonly daysOverdue?: number;
  readonly daysLate?: number;
  readonly rejectedAttempts?: number;
}

export interface Timeliness {
  readonly state: string;
  readonly today: string;
  readonly counts: Record<string, number>;
  readonly obligations: readonly Obligation[];
}

export interface AccountLine {
  readonly line: number;
  readonly date?: string;
  readonly code?: string;
  readonly batch?: string;
  readonly kmp?: string;
  readonly element?: string;
  readonly weight?: number;
  readonly fissileWeight?: number;
  readonly reportNumber?: number;
  readonly reportId?: string;
  readonly submittedAt?: string;
}

/** An original line that later lines corrected or deleted, with every version in order. */
export interface CorrectedLine {
  readonly origin: { readonly reportNumber: number; readonly line: number };
  readonly deleted: boolean;
  readonly history: readonly AccountLine[];
}

/** GET /api/mbas/:code/lines: one page of lines (paged, sorted, filtered by the server). */
export interface MbaLines {
  readonly mba: string;
  readonly effective: boolean;
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
  readonly lines: readonly AccountLine[];
  /** With effective=true: every corrected original line and its history (not paged). */
  readonly corrected?: readonly CorrectedLine[];
}

export type LinesQuery = PageQuery & {
  readonly asOf?: string;
  readonly after?: string;
  readonly element?: string;
  readonly effective?: 'true' | 'false';
};

export const reportsApi = {
  list: (query: { mba?: string; type?: string; state?: string; limit?: number; offset?: number }) =>
    apiJson<ReportSummary[]>(`/api/reports${queryString(query)}`),
  timeliness: (state: string) => apiJson<Timeliness>(`/api/states/${seg(state)}/timeliness`),
  lines: (mba: string, query: LinesQuery = {}, signal?: AbortSignal) =>
    apiJson<MbaLines>(`/api/mbas/${seg(mba)}/lines${queryString(query)}`, { signal }),
  /** The lines as a server-paged list (for ServerTable). */
  linesPage: async (mba: string, query: LinesQuery, signal?: AbortSignal): Promise<Page<AccountLine>> => {
    const r = await reportsApi.lines(mba, query, signal);
    return { items: [...r.lines], total: r.total, limit: r.limit, offset: r.offset };
  },
};
