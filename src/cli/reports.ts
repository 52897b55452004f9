import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { DomainError, isDomainError } from '../domain/errors.js';
import { computeKeyId } from '../domain/registry/index.js';
import { ed25519PublicKey, ed25519Sign } from '../log/index.js';
import { addRemoteOptions, callApi, type RemoteOptions } from './http.js';

/** Key files: `<name>.key` holds the base64 32-byte Ed25519 seed (0600), `<name>.pub` the raw public key. */
export function readSeed(path: string): Uint8Array {
  if (!existsSync(path)) throw new DomainError('BAD_REQUEST', `no key file ${path}`);
  const seed = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (seed.length !== 32)
    throw new DomainError(
      'BAD_REQUEST',
      `${path} is not a base64 32-byte Ed25519 private key (custos keygen writes one)`,
    );
  return new Uint8Array(seed);
}

/** `Custos-Signature` value for a body: `<keyId>:<base64 signature over the exact bytes>`. */
export function signatureHeader(seed: Uint8Array, body: Uint8Array): string {
  return `${computeKeyId(ed25519PublicKey(seed))}:${Buffer.from(ed25519Sign(seed, body)).toString('base64')}`;
}

function printTable(rows: string[][]): void {
  const widths =
    rows[0]?.map((_, i) => Math.min(60, Math.max(...rows.map((r) => (r[i] ?? '').length)))) ?? [];
  for (const r of rows)
    process.stderr.write(`${r.map((c, i) => c.slice(0, 60).padEnd(widths[i] ?? 0)).join('  ')}\n`);
}

/** Upload with a progress bar (large files on a terminal): the body streams in 256 KiB chunks. */
function progressBody(body: Uint8Array): { stream: ReadableStream<Uint8Array>; done: () => void } {
  const show = process.stderr.isTTY && body.length > 1024 * 1024;
  const bar = show
    ? new cliProgress.SingleBar(
        { format: 'upload [{bar}] {percentage}% {value}/{total} bytes' },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(body.length, 0);
  let at = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= body.length) {
        controller.close();
        return;
      }
      const chunk = body.subarray(at, at + 256 * 1024);
      at += chunk.length;
      bar?.update(at);
      controller.enqueue(chunk);
    },
  });
  return { stream, done: () => bar?.stop() };
}

export function registerReportCommands(program: Command): void {
  program
    .command('keygen')
    .description('write an Ed25519 key pair: <out>.key (private, 0600) and <out>.pub (public, to register)')
    .requiredOption('--out <prefix>', 'file prefix, e.g. ./xa-ssac')
    .action((opts: { out: string }) => {
      const { privateKey } = generateKeyPairSync('ed25519');
      const jwk = privateKey.export({ format: 'jwk' });
      const seed = Buffer.from(jwk.d as string, 'base64url');
      const pub = Buffer.from(jwk.x as string, 'base64url');
      if (existsSync(`${opts.out}.key`))
        throw new DomainError('ALREADY_EXISTS', `${opts.out}.key exists; not overwriting a key`);
      writeFileSync(`${opts.out}.key`, `${seed.toString('base64')}\n`, { mode: 0o600 });
      writeFileSync(`${opts.out}.pub`, `${pub.toString('base64')}\n`);
      process.stdout.write(
        `key id ${computeKeyId(pub)}\nprivate key: ${opts.out}.key (keep it secret)\npublic key:  ${opts.out}.pub\nregister it: POST /api/organisations/<your organisation>/keys {"publicKey":"${pub.toString('base64')}"}\n`,
      );
    });

  const report = program.command('report').description('declarations: submit signed reports');
  addRemoteOptions(
    report
      .command('submit <file>')
      .description(
        'sign a JSON or CSV report locally, upload it, print any errors as a table, save the receipt',
      )
      .requiredOption('--key <file>', 'your organisation’s private key file (from custos keygen)')
      .option('--format <format>', 'json or csv (default: from the file extension)')
      .option('--receipt <file>', 'where to save the receipt (default: <file>.receipt)'),
  ).action(async (file: string, opts: RemoteOptions & { key: string; format?: string; receipt?: string }) => {
    const body = new Uint8Array(readFileSync(file));
    const format = opts.format ?? (extname(file).toLowerCase() === '.csv' ? 'csv' : 'json');
    if (format !== 'json' && format !== 'csv')
      throw new DomainError('BAD_REQUEST', '--format is json or csv');
    const header = signatureHeader(readSeed(opts.key), body);
    const upload = progressBody(body);
    let res: Awaited<ReturnType<typeof callApi>>;
    try {
      res = await callApi(opts, 'POST', '/api/reports', {
        bytes: upload.stream as unknown as Uint8Array,
        contentType: format === 'csv' ? 'text/csv' : 'application/json',
        headers: { 'custos-signature': header, 'content-length': String(body.length) },
      });
    } catch (err) {
      upload.done();
      if (isDomainError(err) && Array.isArray(err.details)) {
        const details = err.details as { line?: number; field?: string; code: string; message: string }[];
        process.stderr.write(`${err.message}\n`);
        printTable([
          ['LINE', 'FIELD', 'CODE', 'MESSAGE'],
          ...details.map((d) => [String(d.line ?? ''), d.field ?? '', d.code, d.message]),
        ]);
      }
      throw err;
    }
    upload.done();
    const accepted = res.json as {
      id: string;
      logIndex: number;
      receiptUrl: string;
      warnings: { code: string; message: string }[];
    };
    process.stdout.write(`accepted ${accepted.id} (log index ${accepted.logIndex})\n`);
    for (const w of accepted.warnings) process.stdout.write(`warning ${w.code}: ${w.message}\n`);
    const receipt = await callApi(opts, 'GET', accepted.receiptUrl);
    const out = opts.receipt ?? `${file}.receipt`;
    writeFileSync(out, receipt.text);
    process.stdout.write(
      `receipt saved to ${out} (check it offline: custos proof verify ${out} --key <log key>)\n`,
    );
  });
}
