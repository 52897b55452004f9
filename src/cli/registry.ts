import type { Command } from 'commander';
import { DomainError } from '../domain/errors.js';
import { readInputText } from './files.js';
import { addRemoteOptions, callApi, type RemoteOptions } from './http.js';

const RESOURCES = ['states', 'organisations', 'agreements', 'facilities', 'mbas', 'kmps', 'users'] as const;

function checkResource(r: string): string {
  if (!(RESOURCES as readonly string[]).includes(r)) {
    throw new DomainError('BAD_REQUEST', `unknown resource ${r}; one of ${RESOURCES.join(', ')}`);
  }
  return r;
}

/** The largest page the API serves (src/server/routes/paging.ts). */
const PAGE = 1000;

/**
 * Every entry of a paged list (`{items, total, limit, offset}`), page after page, so the command
 * prints the whole list as one JSON array, as it did before the lists were paged.
 */
async function listAll(opts: RemoteOptions, path: string, query: URLSearchParams): Promise<unknown[]> {
  const items: unknown[] = [];
  for (let offset = 0; ; offset += PAGE) {
    query.set('limit', String(PAGE));
    query.set('offset', String(offset));
    const page = (await callApi(opts, 'GET', `${path}?${query}`)).json as {
      items?: unknown;
      total?: unknown;
    };
    if (!Array.isArray(page.items) || typeof page.total !== 'number') {
      throw new DomainError('BAD_REQUEST', `${path} did not answer a page of entries`);
    }
    items.push(...page.items);
    if (page.items.length === 0 || items.length >= page.total) return items;
  }
}

/** Users are listed per organisation (GET /api/organisations/:id/users): the filter names it. */
function listPath(resource: string, q: URLSearchParams): string {
  if (resource !== 'users') return `/api/${resource}`;
  const org = q.get('organisation');
  if (org === null || org === '') {
    throw new DomainError('BAD_REQUEST', 'users are listed per organisation: add --filter organisation=<id>');
  }
  q.delete('organisation');
  return `/api/organisations/${encodeURIComponent(org)}/users`;
}

/** Administration of the registry over the API (so it goes through the same policy and log). */
export function registerRegistryCommands(program: Command): void {
  const registry = program
    .command('registry')
    .description('list, show and create registry entries on a running node');
  addRemoteOptions(
    registry
      .command('list <resource>')
      .description(`list ${RESOURCES.join(' | ')}`)
      .option('--filter <k=v...>', 'filters, e.g. --filter mba=XA-R1')
      .option('--sort <field>', 'sort by a field; a leading "-" sorts descending, e.g. --sort=-name')
      .option('--q <text>', 'only entries whose text columns contain this (any case)'),
  ).action(
    async (resource: string, opts: RemoteOptions & { filter?: string[]; sort?: string; q?: string }) => {
      const q = new URLSearchParams((opts.filter ?? []).map((f) => f.split('=', 2) as [string, string]));
      if (opts.sort !== undefined) q.set('sort', opts.sort);
      if (opts.q !== undefined) q.set('q', opts.q);
      const items = await listAll(opts, listPath(checkResource(resource), q), q);
      process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
    },
  );
  addRemoteOptions(registry.command('get <resource> <id>').description('show one entry')).action(
    async (resource: string, id: string, opts: RemoteOptions) => {
      const res = await callApi(opts, 'GET', `/api/${checkResource(resource)}/${encodeURIComponent(id)}`);
      process.stdout.write(`${JSON.stringify(res.json, null, 2)}\n`);
    },
  );
  addRemoteOptions(
    registry
      .command('create <resource>')
      .description('create an entry from JSON (--data or --file)')
      .option('--data <json>', 'the entry as JSON')
      .option('--file <path>', 'a JSON file with the entry'),
  ).action(async (resource: string, opts: RemoteOptions & { data?: string; file?: string }) => {
    const text = opts.data ?? (opts.file ? readInputText(opts.file, 'the entry as JSON') : undefined);
    if (text === undefined) throw new DomainError('BAD_REQUEST', 'give the entry with --data or --file');
    const res = await callApi(opts, 'POST', `/api/${checkResource(resource)}`, {
      bytes: text,
      contentType: 'application/json',
    });
    process.stdout.write(`${JSON.stringify(res.json, null, 2)}\n`);
  });
}
