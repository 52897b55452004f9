/**
 * The only door to the server: same-origin fetch with the session cookie, the error envelope
 * `{ error: { code, message, details } }` turned into ApiError so screens can say what to do.
 */
import type { InspectionStatement } from '../../src/domain/inspections/index.js';

export interface ErrorDetail {
  readonly line?: number;
  readonly field?: string;
  readonly code?: string;
  readonly message?: string;
  readonly [key: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

interface Envelope {
  error?: { code?: unknown; message?: unknown; details?: unknown };
}

async function failure(res: Response): Promise<ApiError> {
  let body: Envelope | undefined;
  try {
    body = (await res.json()) as Envelope;
  } catch {
    body = undefined;
  }
  const code = typeof body?.error?.code === 'string' ? body.error.code : `HTTP_${res.status}`;
  const message =
    typeof body?.error?.message === 'string' ? body.error.message : `${res.status} ${res.statusText}`;
  return new ApiError(res.status, code, message, body?.error?.details);
}

export interface RequestOptions {
  readonly method?: string;
  readonly body?: unknown;
  readonly rawBody?: BodyInit;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
}

async function send(path: string, opts: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  let body: BodyInit | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? 'GET',
      headers,
      body,
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'NETWORK', 'The server cannot be reached. Check your connection and try again.');
  }
  if (!res.ok) throw await failure(res);
  return res;
}

export async function apiJson<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(path, opts);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export async function apiText(path: string, opts: RequestOptions = {}): Promise<string> {
  const res = await send(path, { ...opts, headers: { accept: 'text/plain', ...opts.headers } });
  return res.text();
}

/** Encodes one path segment (codes are checked by the server; this only keeps the URL intact). */
export function seg(value: string): string {
  return encodeURIComponent(value);
}

// ---- Shapes of the documented API (see /api/openapi.json) ----

export interface Me {
  readonly id: string;
  readonly login: string;
  readonly organisation: string | null;
  readonly organisationKind: string | null;
  readonly state: string | null;
  readonly roles: readonly string[];
}

export interface State {
  readonly code: string;
  readonly name: string;
}

export interface Organisation {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly state: string | null;
}

export interface Agreement {
  readonly id: string;
  readonly type: string;
  readonly title: string;
  readonly entryIntoForce: string;
  readonly status: string;
  readonly parties: readonly { kind: string; ref: string }[];
}

export interface Facility {
  readonly code: string;
  readonly name: string;
  readonly type: string;
  readonly state: string;
  readonly latitude: number;
  readonly longitude: number;
}

export interface Mba {
  readonly code: string;
  readonly facility: string;
  /** The facility's name (registry lists answer it with each MBA). */
  readonly facilityName?: string;
  readonly description: string;
  readonly itemMba: boolean;
  readonly state?: string;
}

export interface RegisteredKey {
  readonly id: string;
  readonly organisation: string;
  readonly publicKey: string;
  readonly validFrom: string;
  readonly validTo: string | null;
  readonly revokedAt: string | null;
}

export interface Kmp {
  readonly code: string;
  readonly mba: string;
  readonly kind: string;
  readonly method: string;
  readonly randomRsd: number;
  readonly systematicRsd: number;
}

export const api = {
  me: () => apiJson<Me>('/api/me'),
  login: (login: string, password: string) =>
    apiJson<Me>('/api/session', { method: 'POST', body: { login, password } }),
  logout: () => apiJson<void>('/api/session', { method: 'DELETE' }),
  // Whole lists (a map of every facility, a choice of organisations): every page, in order.
  states: () => allPages<State>('/api/states'),
  organisations: () => allPages<Organisation>('/api/organisations'),
  keys: (organisation: string) => allPages<RegisteredKey>(`/api/organisations/${seg(organisation)}/keys`),
  agreements: (query: { state?: string } = {}) => allPages<Agreement>('/api/agreements', query),
  facilities: () => allPages<Facility>('/api/facilities'),
  facility: (code: string) => apiJson<Facility>(`/api/facilities/${seg(code)}`),
  mbas: (query: { state?: string; facility?: string } = {}) => allPages<Mba>('/api/mbas', query),
  mba: (code: string) => apiJson<Mba>(`/api/mbas/${seg(code)}`),
  kmps: (mba: string) => allPages<Kmp>('/api/kmps', { mba }),
  // One page, as a server-paged table shows it.
  statesPage: (query: PageQuery) => apiJson<Page<State>>(`/api/states${queryString(query)}`),
  agreementsPage: (query: PageQuery & { state?: string; type?: string }) =>
    apiJson<Page<Agreement>>(`/api/agreements${queryString(query)}`),
  facilitiesPage: (query: PageQuery & { state?: string; type?: string }) =>
    apiJson<Page<Facility>>(`/api/facilities${queryString(query)}`),
  mbasPage: (query: PageQuery & { state?: string; facility?: string }) =>
    apiJson<Page<Mba>>(`/api/mbas${queryString(query)}`),
  kmpsPage: (query: PageQuery & { mba?: string }) => apiJson<Page<Kmp>>(`/api/kmps${queryString(query)}`),
};

/**
 * A paged list's answer (registry lists and cases): the page's rows, how many match in all, and
 * the window asked for. `sort` is a field name, `-field` for descending; `q` a text filter.
 */
export interface Page<T> {
  readonly items: T[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

export type PageQuery = {
  readonly limit?: number;
  readonly offset?: number;
  readonly sort?: string | undefined;
  readonly q?: string | undefined;
};

/** The API's largest page (src/server/routes/paging.ts). */
const MAX_PAGE = 1000;

/** Every row of a paged list, fetched a page at a time. */
export async function allPages<T>(
  path: string,
  query: Record<string, string | number | undefined> = {},
): Promise<T[]> {
  const out: T[] = [];
  for (;;) {
    const page = await apiJson<Page<T>>(
      `${path}${queryString({ ...query, limit: MAX_PAGE, offset: out.length })}`,
    );
    out.push(...page.items);
    if (page.items.length === 0 || out.length >= page.total) return out;
  }
}

export function queryString(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

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

// ---- Evaluation (balances, alarms, transfers, annual summary) ----

export interface SignificantQuantity {
  readonly category: string;
  readonly basis: string;
  /** One significant quantity in milligrams. */
  readonly mg: number;
}

/** One material balance period; every figure in grams. */
export interface BalancePeriod {
  readonly from: string;
  readonly to: string;
  readonly pb: number;
  readonly increases: Readonly<Record<string, number>>;
  readonly decreases: Readonly<Record<string, number>>;
  readonly be: number;
  readonly srd: number;
  readonly bea: number;
  readonly pe: number;
  readonly muf: number;
  readonly sigmaMuf: number;
  readonly sitmuf: number;
  readonly cumuf: number;
  readonly page: number;
  readonly alarms: readonly string[];
}

export interface Balances {
  readonly mba: string;
  readonly element: string | null;
  readonly elements: readonly string[];
  readonly category: string | null;
  readonly significantQuantity: SignificantQuantity | null;
  readonly page: { readonly k: number; readonly h: number };
  readonly sigmaModel: string;
  readonly periods: readonly BalancePeriod[];
}

export interface Alarm {
  readonly key: string;
  readonly code: string;
  readonly state: string;
  readonly mba: string;
  readonly element?: string;
  readonly date: string;
  readonly from?: string | null;
  readonly ref?: string | null;
}

/** GET /api/alarms/summary: counts per state in scope and per alarm code. */
export interface AlarmSummary {
  readonly total: number;
  readonly states: readonly {
    readonly state: string;
    readonly total: number;
    readonly codes: Readonly<Record<string, number>>;
  }[];
}

export interface TransferSide {
  readonly id?: string;
  readonly state: string;
  readonly mba?: string;
  readonly code?: string;
  readonly batch?: string;
  readonly element?: string;
  readonly date?: string;
  readonly weight?: number;
}

export interface Transfer {
  readonly status: 'matched' | 'unmatched' | 'discrepant' | 'pending';
  readonly batch?: string;
  readonly shipment: TransferSide | null;
  readonly receipt: TransferSide | null;
  readonly srd: number | null;
  readonly sigma: number | null;
  readonly deadline: string | null;
}

export interface StateEvaluation {
  readonly state: string;
  readonly year: number;
  readonly mbas: number;
  readonly balancesClosed: number;
  readonly alarms: Readonly<Record<string, number>>;
  readonly openAlarms: readonly { key: string; mba: string; element?: string; date: string; code: string }[];
  readonly timeliness: Readonly<Record<string, number>>;
  readonly transfers: Readonly<Record<string, number>>;
  readonly conclusion: {
    readonly category: string;
    readonly statement: string;
    readonly reasons: readonly string[];
  };
}

export const evaluationApi = {
  balances: (mba: string, element?: string) =>
    apiJson<Balances>(`/api/mbas/${seg(mba)}/balances${queryString({ element })}`),
  /** One page of the alarms, sorted and filtered by the server (docs/decisions/0007). */
  alarms: (query: PageQuery & { state?: string; mba?: string; code?: string } = {}, signal?: AbortSignal) =>
    apiJson<Page<Alarm>>(`/api/alarms${queryString(query)}`, { signal }),
  /** Alarm counts per state in scope and per code (the overview), without the alarms themselves. */
  alarmSummary: () => apiJson<AlarmSummary>('/api/alarms/summary'),
  /** One page of the transfers, sorted and filtered by the server. */
  transfers: (query: PageQuery & { state?: string; status?: string } = {}, signal?: AbortSignal) =>
    apiJson<Page<Transfer>>(`/api/transfers${queryString(query)}`, { signal }),
  stateEvaluation: (state: string, year: number) =>
    apiJson<StateEvaluation>(`/api/states/${seg(state)}/evaluation${queryString({ year })}`),
};

// ---- Cases ----

export interface CaseAttachment {
  readonly hash: string;
  readonly name: string;
  readonly contentType: string;
  readonly size: number;
}

export interface CaseEvent {
  readonly type: 'opened' | 'transition' | 'note';
  readonly seq: number;
  readonly at: string;
  readonly by: string;
  readonly actorKind: 'inspectorate' | 'state';
  readonly actorOrg?: string;
  readonly from?: string;
  readonly to?: string;
  readonly dueDate?: string;
  readonly note?: { readonly text: string; readonly internal: boolean };
  readonly attachments?: readonly CaseAttachment[];
  readonly linkedReport?: string;
  /** A decision's Ed25519 signature by a key of the owning inspectorate. */
  readonly signature?: { readonly keyId: string; readonly signature: string };
}

export interface CaseSummary {
  readonly id: string;
  readonly key: string | null;
  readonly kind: string;
  readonly state: string;
  readonly mba?: string | null;
  readonly inspectorate: string;
  readonly sharedWith: readonly string[];
  readonly title: string;
  readonly about?: Readonly<Record<string, unknown>>;
  readonly status: string;
  readonly dueDate: string | null;
  readonly overdue: boolean;
  readonly openedAt: string;
  readonly updatedAt: string;
}

export interface CaseDetail extends CaseSummary {
  readonly history: readonly CaseEvent[];
  readonly decision: { readonly status: string; readonly seq: number; readonly attestation?: string } | null;
}

export interface OpenCaseBody {
  readonly kind: string;
  readonly state: string;
  readonly mba?: string;
  readonly title: string;
  readonly about?: Record<string, unknown>;
  readonly note?: string;
}

export interface AttachmentUpload {
  readonly name: string;
  readonly contentType: string;
  readonly data: string;
}

export interface LogRecord {
  readonly id: string;
  readonly kind: string;
  readonly logIndex: number;
  readonly createdAt: string;
  readonly receiptUrl: string;
}

export const casesApi = {
  list: (query: {
    state?: string;
    mba?: string;
    kind?: string;
    status?: string;
    limit?: number;
    offset?: number;
  }) => apiJson<{ items: CaseSummary[]; total: number }>(`/api/cases${queryString(query)}`),
  get: (id: string) => apiJson<CaseDetail>(`/api/cases/${seg(id)}`),
  open: (body: OpenCaseBody) => apiJson<CaseDetail>('/api/cases', { method: 'POST', body }),
  transition: (
    id: string,
    body: {
      to: string;
      note?: string;
      dueDate?: string;
      internal?: boolean;
      linkedReport?: string;
      signature?: { keyId: string; signature: string };
    },
  ) => apiJson<CaseDetail>(`/api/cases/${seg(id)}/transitions`, { method: 'POST', body }),
  message: (id: string, body: { text: string; internal?: boolean; attachments?: AttachmentUpload[] }) =>
    apiJson<unknown>(`/api/cases/${seg(id)}/messages`, { method: 'POST', body }),
  attachmentUrl: (id: string, hash: string) => `/api/cases/${seg(id)}/attachments/${seg(hash)}`,
  record: (id: string) => apiJson<LogRecord>(`/api/records/${seg(id)}`),
};

// ---- Notifications ----

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

// ---- Inspections ----

export interface Inspection {
  readonly id: string;
  readonly type: string;
  readonly purpose?: string;
  readonly noticeRule?: string;
  readonly facility: string;
  readonly state: string;
  readonly mbas: readonly string[];
  readonly participants: readonly string[];
  readonly startsAt: string;
  readonly noticeGivenAt?: string | null;
  readonly arrivedAt?: string | null;
  readonly status: string;
  readonly requiredNoticeHours?: number;
  readonly plannedManDays?: number;
  readonly activities?: readonly { activity: string; inspectorate: string }[];
}

export interface SamplingPlanRequest {
  readonly population: number;
  readonly averageContent: number;
  readonly goalQuantity: number;
  readonly nonDetectionProbability: number;
  readonly defectLevel: 'gross' | 'partial' | 'bias';
}

export interface SamplingPlan {
  readonly sampleSize: number;
  readonly defectsToDetect: number;
  readonly method: string;
  readonly detectionProbability?: number;
}

export interface EffortSummary {
  readonly facility: string;
  readonly year: number;
  readonly cap: { readonly effectiveKg: number; readonly manDays: number; readonly rule: string } | null;
  readonly routineInspections: number;
  readonly plannedManDays: number;
  readonly remainingManDays: number | null;
  readonly withinCap: boolean | null;
}

export interface NewInspectionBody {
  readonly type: string;
  readonly facility: string;
  readonly mbas?: string[];
  readonly participants: string[];
  readonly startsAt: string;
  readonly noticeGivenAt?: string;
  readonly plannedManDays?: number;
}

export interface Assignment {
  readonly activity: string;
  readonly inspectorate: string;
}

export interface StratumBody {
  readonly mba?: string;
  readonly activity?: string;
  readonly population: number;
  readonly operator: { random: number; systematic: number };
  readonly inspector: { random: number; systematic: number };
}

export interface ItemResult {
  readonly itemId: string;
  readonly declared: number;
  readonly measured?: number | null;
  readonly present?: boolean | null;
  readonly sealIntact?: boolean | null;
}

export interface StratumResult {
  readonly stratum: string;
  readonly activity: string;
  readonly items: readonly ItemResult[];
  readonly itemTests: readonly { id: string; difference: number; sigma: number; significant: boolean }[];
  readonly dStatistic: { readonly D: number; readonly variance: number } | null;
  readonly findings: readonly string[];
}

export const inspectionsApi = {
  list: () => apiJson<Inspection[]>('/api/inspections'),
  get: (id: string) => apiJson<Inspection>(`/api/inspections/${seg(id)}`),
  create: (body: NewInspectionBody) => apiJson<Inspection>('/api/inspections', { method: 'POST', body }),
  effort: (query: { facility: string; year: number }) =>
    apiJson<EffortSummary>(`/api/inspection-effort${queryString(query)}`),
  assign: (id: string, body: { activities: string[]; assignments: Assignment[] }) =>
    apiJson<Inspection>(`/api/inspections/${seg(id)}/activities`, { method: 'PUT', body }),
  defineStratum: (id: string, stratum: string, body: StratumBody) =>
    apiJson<unknown>(`/api/inspections/${seg(id)}/strata/${seg(stratum)}`, { method: 'PUT', body }),
  recordItems: (id: string, stratum: string, items: ItemResult[]) =>
    apiJson<StratumResult>(`/api/inspections/${seg(id)}/strata/${seg(stratum)}/items`, {
      method: 'POST',
      body: { items },
    }),
  statementDraft: (id: string) =>
    apiJson<InspectionStatement>(`/api/inspections/${seg(id)}/statements/draft`),
  submitStatement: (id: string, body: { statement: unknown; signature: string; keyId: string }) =>
    apiJson<unknown>(`/api/inspections/${seg(id)}/statements`, { method: 'POST', body }),
  findings: (id: string) => apiJson<unknown[]>(`/api/inspections/${seg(id)}/findings`),
  statements: (id: string) => apiJson<unknown[]>(`/api/inspections/${seg(id)}/statements`),
  samplingPlan: (body: SamplingPlanRequest) =>
    apiJson<SamplingPlan>('/api/sampling-plans', { method: 'POST', body }),
};
