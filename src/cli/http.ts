import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DomainError, type ErrorDetails, isErrorCode } from '../domain/errors.js';

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

/** Call the API; a refusal becomes the server's DomainError so the exit status follows its code. */
export async function callApi(
  opts: RemoteOptions,
  method: string,
  path: string,
  body?: { bytes: Uint8Array | string; contentType: string; headers?: Record<string, string> },
): Promise<{ status: number; json: unknown; text: string }> {
  const token = resolveToken(opts);
  const headers: Record<string, string> = { ...(body?.headers ?? {}) };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body) headers['content-type'] = body.contentType;
  let res: Response;
  try {
    res = await fetch(new URL(path, opts.url), {
      method,
      headers,
      body: body?.bytes as BodyInit | undefined,
    });
  } catch (err) {
    throw new DomainError('UNAVAILABLE', `cannot reach ${opts.url}: ${(err as Error).message}`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (res.status >= 400) {
    const e = (json as { error?: { code?: string; message?: string; details?: ErrorDetails } } | undefined)
      ?.error;
    const code = e?.code && isErrorCode(e.code) ? e.code : 'INTERNAL';
    throw new DomainError(code, e?.message ?? `HTTP ${res.status}`, e?.details);
  }
  return { status: res.status, json, text };
}
