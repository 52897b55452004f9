/**
 * The client every API module uses: same-origin fetch with the session cookie, the error envelope
 * `{ error: { code, message, details } }` turned into ApiError so screens can say what to do.
 */

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
