import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { DomainError, isDomainError } from '../domain/errors.js';
import { encodeHex, sha256 } from '../log/index.js';
import { readInput } from './files.js';
import { addRemoteOptions, callApi, type RemoteOptions } from './http.js';
import { readSeed, refusePublicKeyAsSeed, signatureHeader } from './keys.js';

// The tests' fixtures and the reliability harness sign reports the way the CLI does.
export { signatureHeader };

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

function reportFormat(file: string, format: string | undefined): 'json' | 'csv' {
  const f = format ?? (extname(file).toLowerCase() === '.csv' ? 'csv' : 'json');
  if (f !== 'json' && f !== 'csv') throw new DomainError('BAD_REQUEST', '--format is json or csv');
  return f;
}

type SubmitOptions = RemoteOptions & { key: string; format?: string; receipt?: string };

async function submitReport(file: string, opts: SubmitOptions): Promise<void> {
  const format = reportFormat(file, opts.format);
  const body = new Uint8Array(readInput(file, 'the report'));
  const seed = readSeed(opts.key);
  await refusePublicKeyAsSeed(opts, opts.key, seed);
  const upload = progressBody(body);
  let res: Awaited<ReturnType<typeof callApi>>;
  try {
    res = await callApi(opts, 'POST', '/api/reports', {
      bytes: upload.stream,
      contentType: format === 'csv' ? 'text/csv' : 'application/json',
      headers: { 'custos-signature': signatureHeader(seed, body), 'content-length': String(body.length) },
    });
  } catch (err) {
    upload.done();
    // Every problem at once, as a table; the error line itself follows once (cli/exit.ts).
    if (isDomainError(err) && Array.isArray(err.details) && err.details.length > 0) {
      const details = err.details as { line?: number; field?: string; code: string; message: string }[];
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
    `receipt saved to ${out} (check it offline: custos proof verify ${out} --key <log key from /log/key>)\n`,
  );
}

export function registerReportCommands(program: Command): void {
  const report = program.command('report').description('declarations: sign and submit reports');
  addRemoteOptions(
    report
      .command('submit <file>')
      .description(
        'sign a JSON or CSV report locally, upload it, print any errors as a table, save the receipt',
      )
      .requiredOption('--key <file>', 'your organisation’s private key file (from custos keygen)')
      .option('--format <format>', 'json or csv (default: from the file extension)')
      .option('--receipt <file>', 'where to save the receipt (default: <file>.receipt)'),
  ).action((file: string, opts: SubmitOptions) => submitReport(file, opts));

  report
    .command('sign <file>')
    .description(
      'write a detached signature of the exact bytes of <file>: the Custos-Signature value ' +
        '(<keyId>:<base64 signature>) that the web submit page and the API take',
    )
    .requiredOption('--key <file>', 'your organisation’s private key file (from custos keygen)')
    .option('--out <file>', 'where to write the signature (default: <file>.sig)')
    .action((file: string, opts: { key: string; out?: string }) => {
      const body = new Uint8Array(readInput(file, 'the file to sign'));
      const header = signatureHeader(readSeed(opts.key), body);
      const out = opts.out ?? `${file}.sig`;
      writeFileSync(out, `${header}\n`);
      process.stdout.write(
        `signed ${file} (${body.length} bytes, SHA-256 ${encodeHex(sha256(body))})\n` +
          `signature written to ${out}\nCustos-Signature: ${header}\n`,
      );
    });
}
