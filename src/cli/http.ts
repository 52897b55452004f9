import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DomainError, type ErrorCode, type ErrorDetails, isErrorCode } from '../domain/errors.js';

export interface RemoteOptions {
  url: string;
  token?: string;
}

/** --url and --token for commands that talk to a running node (token defaults to the admin's). */
export function addRemoteOptions(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'base URL of the Custos node', process.env.CUSTOS_URL ?? 'http://localhost:8080')
    .option('--token <token>', 'API token (default: $CUSTOS_TOKEN, else ./data/admin.token)');
}

export function resolveToken(opts: RemoteOptions): string | undefined {
  if (opts.token) return opts.token;
  if (process.env.CUSTOS_TOKEN) return process.env.CUSTOS_TOKEN;
  const file = join(process.env.CUSTOS_DATA_DIR ?? './data', 'admin.token');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/** `path` against the node's base URL; a --url that is not an http(s) URL is a usage error. */
export function nodeUrl(base: string, path: string): URL {
  let url: URL;
  try {
    url = new URL(path, base);
  } catch {
    throw new DomainError('BAD_REQUEST', `--url ${base} is not a URL (e.g. http://localhost:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new DomainError('BAD_REQUEST', `--url ${base} is not an http:// or https:// URL`);
  return url;
}

/** Socket and DNS error codes (Node and undici) in words a user can act on. */
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the Custos server running there, on that port?)',
  ENOTFOUND: 'the host name cannot be resolved (not found in DNS)',
  EAI_AGAIN: 'the host name cannot be resolved right now (DNS did not answer)',
  ECONNRESET: 'the server closed the connection (reset) before answering',
  EPIPE: 'the server closed the connection while the request was being sent',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'the server accepted the connection but sent no answer in time',
  UND_ERR_SOCKET: 'the server closed the connection before answering',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed and not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate chain is self-signed and not trusted',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate is not for this host name',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate cannot be verified',
};

/**
 * Why a fetch threw. undici wraps the socket error as `TypeError('fetch failed', {cause})`; only
 * that is the network's fault (UNAVAILABLE). Any other throw is a request this client built wrong
 * (Node 20's "duplex option is required" once hid here as "cannot reach"): INTERNAL, not blamed on
 * the network.
 */
function fetchFailure(url: URL, err: unknown): DomainError {
  const where = `${url.protocol}//${url.host}`;
  if (!(err instanceof TypeError) || err.message !== 'fetch failed') {
    return new DomainError(
      'INTERNAL',
      `the request to ${where} could not be made: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const cause = err.cause as (Error & { code?: string; errors?: (Error & { code?: string })[] }) | undefined;
  const code = cause?.code ?? cause?.errors?.find((e) => e.code)?.code;
  const reason = code === undefined ? undefined : NETWORK_REASONS[code];
  const detail = reason ?? cause?.message ?? err.message;
  const host = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? ` (${url.hostname})` : '';
  return new DomainError(
    'UNAVAILABLE',
    `cannot reach ${where}${host}: ${detail}${reason && code ? ` [${code}]` : ''}`,
  );
}

/** fetch, with a failure to connect explained (see fetchFailure). */
export async function fetchNode(url: URL, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    throw fetchFailure(url, err);
  }
}

/** The code of an answer that is not Custos's error envelope (a proxy, another server). */
function codeOfStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'BODY_TOO_LARGE';
  if (status === 502 || status === 503 || status === 504) return 'UNAVAILABLE';
  return 'INTERNAL';
}

interface ApiBody {
  /** A ReadableStream is sent as it is read (progress); undici needs `duplex: 'half'` for it. */
  bytes: Uint8Array<ArrayBuffer> | string | ReadableStream<Uint8Array>;
  contentType: string;
  headers?: Record<string, string>;
}

/** Call the API; a refusal becomes the server's DomainError so the exit status follows its code. */
export async function callApi(
  opts: RemoteOptions,
  method: string,
  path: string,
  body?: ApiBody,
): Promise<{ status: number; json: unknown; text: string }> {
  const url = nodeUrl(opts.url, path);
  const token = resolveToken(opts);
  const headers: Record<string, string> = { ...(body?.headers ?? {}) };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body) headers['content-type'] = body.contentType;
  const init: RequestInit & { duplex?: 'half' } = { method, headers };
  if (body) {
    init.body = body.bytes;
    // Node 20's fetch refuses a stream body without it ("duplex option is required").
    if (body.bytes instanceof ReadableStream) init.duplex = 'half';
  }
  const res = await fetchNode(url, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (res.status >= 400) {
    const e = (json as { error?: { code?: unknown; message?: unknown; details?: ErrorDetails } } | undefined)
      ?.error;
    if (typeof e?.code === 'string' && isErrorCode(e.code)) {
      throw new DomainError(
        e.code,
        typeof e.message === 'string' ? e.message : `HTTP ${res.status}`,
        e.details,
      );
    }
    throw new DomainError(
      codeOfStatus(res.status),
      `${method} ${url.pathname} answered HTTP ${res.status} ${res.statusText} without a Custos error (is ${url.origin} a Custos node?)`,
    );
  }
  return { status: res.status, json, text };
}
