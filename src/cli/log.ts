import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../config/config.js';
import { DomainError } from '../domain/errors.js';
import {
  bytesEqual,
  canonicalizeRecord,
  computeCommitment,
  decodeBase64,
  formatTilePath,
  hashEntryBundle,
  type NoteVerifier,
  openCheckpoint,
  parseEntryBundle,
  parseLeaf,
  parseNoteVerifier,
  parseProof,
  parseVerifier,
  TileHashReader,
  tilesForSize,
  treeHash,
  verifyConsistency,
  verifyProof,
} from '../log/index.js';

/** A verifier key given inline (`name+id+base64`) or as a file holding one. */
function readKey(arg: string): NoteVerifier {
  const text = existsSync(arg) ? readFileSync(arg, 'utf8').trim() : arg.trim();
  try {
    return parseNoteVerifier(text);
  } catch (err) {
    throw new DomainError('BAD_REQUEST', `--key is not a log verifier key: ${(err as Error).message}`);
  }
}

function fail(message: string): never {
  throw new DomainError('LOG_PROOF_INVALID', message);
}

export function registerLogCommands(program: Command, config: () => Config): void {
  const proof = program.command('proof').description('offline checks of receipts');
  proof
    .command('verify <receipt>')
    .description(
      'verify a C2SP tlog-proof receipt offline (and the record commitment when the record is given)',
    )
    .requiredOption('--key <vkey>', "the log's verifier key, or a file holding it")
    .option('--record <file>', 'the record content (JSON, as downloaded from /api/records/:id)')
    .option('--salt <base64>', "the record's 32-byte salt (base64)")
    .option('--witness <vkey...>', 'witness verifier keys whose cosignatures count')
    .option('--quorum <n>', 'cosignatures required from the given witnesses', '0')
    .action(
      (
        file: string,
        opts: { key: string; record?: string; salt?: string; witness?: string[]; quorum: string },
      ) => {
        const text = readFileSync(file, 'utf8');
        let parsed: ReturnType<typeof parseProof>;
        try {
          parsed = parseProof(text);
        } catch (err) {
          fail(`the receipt is malformed: ${(err as Error).message}`);
        }
        if (!parsed.extra)
          fail('the receipt carries no leaf (extra line); fetch it again from /api/records/:id/receipt');
        const witnesses = (opts.witness ?? []).map((w) =>
          parseVerifier(existsSync(w) ? readFileSync(w, 'utf8').trim() : w),
        );
        const v = verifyProof(text, parsed.extra, readKey(opts.key), {
          witnesses,
          quorum: Number(opts.quorum),
        });
        if (!v.ok) fail(`${v.code}: ${v.message}`);
        const lines = [
          `checkpoint: size ${v.checkpoint?.size}, signed by the log key: ok`,
          `inclusion of entry ${v.index}: ok`,
          `witness cosignatures: ${v.witnessesVerified} verified (quorum ${v.quorum})`,
        ];
        if (opts.record) {
          if (!opts.salt) throw new DomainError('BAD_REQUEST', '--record needs --salt');
          const leaf = parseLeaf(parsed.extra);
          const content = JSON.parse(readFileSync(opts.record, 'utf8')) as unknown;
          const commitment = computeCommitment(decodeBase64(opts.salt), canonicalizeRecord(content));
          if (!bytesEqual(commitment, leaf.commitment))
            fail('the record does not match the commitment in the log');
          lines.push(`record ${leaf.id} (${leaf.kind}, ${leaf.time}) matches its commitment: ok`);
        }
        process.stdout.write(`${lines.join('\n')}\nRECEIPT VERIFIED\n`);
      },
    );

  const log = program.command('log').description('the tamper-evident log');
  log
    .command('verify')
    .description(
      'fetch the checkpoint and tiles, recompute the root, check entry bundles and consistency with the last checkpoint seen',
    )
    .requiredOption('--url <base>', 'base URL of the Custos node (e.g. http://localhost:8080)')
    .requiredOption('--key <vkey>', "the log's verifier key, or a file holding it")
    .option('--state <file>', 'where the last verified checkpoint is kept between runs')
    .option('--token <token>', 'API token if the log is not public')
    .action(async (opts: { url: string; key: string; state?: string; token?: string }) => {
      const verifier = readKey(opts.key);
      const base = opts.url.replace(/\/$/, '');
      const headers: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
      const fetchBytes = async (path: string): Promise<Uint8Array> => {
        let res: Response;
        try {
          res = await fetch(`${base}${path}`, { headers });
        } catch (err) {
          throw new DomainError('UNAVAILABLE', `cannot reach ${base}: ${(err as Error).message}`);
        }
        if (!res.ok) fail(`GET ${path} answered ${res.status}`);
        return new Uint8Array(await res.arrayBuffer());
      };
      const note = new TextDecoder().decode(await fetchBytes('/log/checkpoint'));
      let cp: ReturnType<typeof openCheckpoint>['checkpoint'];
      try {
        cp = openCheckpoint(note, verifier).checkpoint;
      } catch (err) {
        fail(`the checkpoint does not verify with the given key: ${(err as Error).message}`);
      }
      const tiles = new Map<string, Uint8Array>();
      for (const tile of tilesForSize(cp.size)) {
        const path = formatTilePath(tile);
        tiles.set(path, await fetchBytes(`/log/${path}`));
      }
      const reader = new TileHashReader(cp.size, (_t, path) => tiles.get(path));
      const root = await treeHash(cp.size, reader);
      if (!bytesEqual(root, cp.rootHash))
        fail(`the tiles give a root that is not the checkpoint's (size ${cp.size})`);
      // Every entry bundle must hash to its level-0 tile.
      for (const tile of tilesForSize(cp.size)) {
        if (tile.level !== 0) continue;
        const bundle = parseEntryBundle(
          await fetchBytes(`/log/${formatTilePath({ ...tile, level: 'entries' })}`),
        );
        if (!bytesEqual(hashEntryBundle(bundle), tiles.get(formatTilePath(tile)) as Uint8Array)) {
          fail(`entry bundle ${tile.n} does not match its tile: an entry was changed`);
        }
      }
      const lines = [
        `checkpoint ${cp.origin} size ${cp.size}: signature ok, tiles recompute the root, entry bundles match`,
      ];
      if (opts.state && existsSync(opts.state)) {
        const last = JSON.parse(readFileSync(opts.state, 'utf8')) as { size: number; root: string };
        if (last.size > cp.size) fail(`the log shrank: last seen size ${last.size}, now ${cp.size}`);
        const old = await treeHash(last.size, reader);
        if (!bytesEqual(old, decodeBase64(last.root))) {
          fail(
            `the log is not consistent with the checkpoint of size ${last.size} seen before: history was rewritten`,
          );
        }
        const res = await fetchBytes(`/log/proof/consistency?from=${last.size}&to=${cp.size}`);
        const proofJson = JSON.parse(new TextDecoder().decode(res)) as { hashes: string[] };
        if (
          !verifyConsistency(
            last.size,
            cp.size,
            proofJson.hashes.map((h) => decodeBase64(h)),
            decodeBase64(last.root),
            cp.rootHash,
          )
        ) {
          fail(`the consistency proof from ${last.size} to ${cp.size} does not verify`);
        }
        lines.push(`consistent with the checkpoint of size ${last.size} seen before`);
      }
      if (opts.state) {
        writeFileSync(
          opts.state,
          `${JSON.stringify({ size: cp.size, root: Buffer.from(cp.rootHash).toString('base64'), note })}\n`,
        );
      }
      process.stdout.write(`${lines.join('\n')}\nLOG VERIFIED\n`);
    });

  program
    .command('audit')
    .description(
      'read the database directly; recompute every commitment and the whole tree; report rows changed, deleted or inserted behind the log',
    )
    .option(
      '--key <vkey>',
      "the log's verifier key you trust (default: derived from the key file in the data directory)",
    )
    .option('--json', 'print the report as JSON')
    .action(async (opts: { key?: string; json?: boolean }) => {
      const [{ auditStore }, { ensureLogKeys }, { openPorts }, { migrateToLatest }] = await Promise.all([
        import('../services/audit.js'),
        import('../services/log/index.js'),
        import('../services/runtime.js'),
        import('../store/migrate.js'),
      ]);
      const ports = await openPorts(config());
      try {
        await migrateToLatest(ports.db);
        const verifier = opts.key ? readKey(opts.key) : parseNoteVerifier(ensureLogKeys(ports).vkey);
        const report = await auditStore(ports, verifier);
        if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else {
          process.stdout.write(
            `audited ${report.entries} log entries, ${report.records} records, ${report.checkpoints} checkpoints\n`,
          );
          for (const f of report.findings)
            process.stdout.write(`TAMPERED ${f.kind} at ${f.where}: ${f.message}\n`);
          process.stdout.write(
            report.ok ? 'AUDIT OK\n' : `AUDIT FAILED: ${report.findings.length} finding(s)\n`,
          );
        }
        if (!report.ok) throw new DomainError('LOG_TAMPERED', `${report.findings.length} finding(s)`);
      } finally {
        await ports.db.close();
      }
    });
}
