import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DomainError } from '../domain/errors.js';
import { addRemoteOptions, callApi, type RemoteOptions } from './http.js';

const RESOURCES = ['states', 'organisations', 'agreements', 'facilities', 'mbas', 'kmps', 'users'] as const;

function checkResource(r: string): string {
  if (!(RESOURCES as readonly string[]).includes(r)) {
    throw new DomainError('BAD_REQUEST', `unknown resource ${r}; one of ${RESOURCES.join(', ')}`);
  }
  return r;
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
      .option('--filter <k=v...>', 'filters, e.g. --filter mba=XA-R1'),
  ).action(async (resource: string, opts: RemoteOptions & { filter?: string[] }) => {
    const q = new URLSearchParams((opts.filter ?? []).map((f) => f.split('=', 2) as [string, string]));
    const res = await callApi(opts, 'GET', `/api/${checkResource(resource)}${q.size ? `?${q}` : ''}`);
    process.stdout.write(`${JSON.stringify(res.json, null, 2)}\n`);
  });
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
    const text = opts.data ?? (opts.file ? readFileSync(opts.file, 'utf8') : undefined);
    if (text === undefined) throw new DomainError('BAD_REQUEST', 'give the entry with --data or --file');
    const res = await callApi(opts, 'POST', `/api/${checkResource(resource)}`, {
      bytes: text,
      contentType: 'application/json',
    });
    process.stdout.write(`${JSON.stringify(res.json, null, 2)}\n`);
  });
}
