import { existsSync, writeFileSync } from 'node:fs';
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
  openCheckpoint,
  parseEntryBundle,
  parseLeaf,
  parseNoteVerifier,
  parseProof,
  parseVerifier,
  TileHashReader,
  tilesForSize,
  treeHash,
  tryDecodeBase64,
  verifyConsistency,
  verifyProof,
} from '../log/index.js';
import { isChainFile, registerFederationProofCommands, verifyChainText } from './federation.js';
import { readInputJson, readInputText } from './files.js';
import { fetchNode, nodeUrl } from './http.js';
import { readKey } from './verifier-key.js';

function fail(message: string): never {
  throw new DomainError('LOG_PROOF_INVALID', message);
}

/**
 * The committed content and salt of `--record`. The file is either what GET /api/records/:id
 * answers (`{id, kind, logIndex, createdAt, salt, content, receiptUrl}`, as the help says: the
 * commitment covers its `content` with its `salt`) or the bare content, which needs --salt. A
 * --salt given with the downloaded file is checked as given, never replaced by the file's.
 */
function recordToCheck(
  path: string,
  salt: string | undefined,
): { content: unknown; salt: string; id: string | undefined; leafId: string | undefined } {
  const json = readInputJson(path, '--record, the record as downloaded from /api/records/:id');
  const o =
    typeof json === 'object' && json !== null && !Array.isArray(json)
      ? (json as Record<string, unknown>)
      : {};
  const downloaded =
    typeof o.id === 'string' &&
    typeof o.salt === 'string' &&
    'content' in o &&
    typeof o.receiptUrl === 'string';
  const s = salt ?? (downloaded ? (o.salt as string) : undefined);
  if (s === undefined)
    throw new DomainError(
      'BAD_REQUEST',
      `${path} is the bare record content: give its --salt (or the file as downloaded from /api/records/:id, which carries it)`,
    );
  if (tryDecodeBase64(s)?.length !== 32)
    throw new DomainError('BAD_REQUEST', '--salt is not 32 bytes of base64');
  // A download carries the id its leaf holds (decision 0021: opaque since the move to leaves of
  // form v2; the record id itself for older leaves).
  const leafId = downloaded && typeof o.leafId === 'string' ? o.leafId : undefined;
  return downloaded
    ? { content: o.content, salt: s, id: o.id as string, leafId }
    : { content: json, salt: s, id: undefined, leafId: undefined };
}

interface ProofOptions {
  key: string;
  sourceKey?: string;
  record?: string;
  salt?: string;
  witness?: string[];
  quorum: string;
}

function verifyReceiptFile(file: string, opts: ProofOptions): void {
  const text = readInputText(file, 'the receipt');
  if (isChainFile(text)) {
    verifyChainText(text, opts);
    return;
  }
  let parsed: ReturnType<typeof parseProof>;
  try {
    parsed = parseProof(text);
  } catch (err) {
    fail(`the receipt is malformed: ${(err as Error).message}`);
  }
  if (!parsed.extra)
    fail('the receipt carries no leaf (extra line); fetch it again from /api/records/:id/receipt');
  const witnesses = (opts.witness ?? []).map((w) => readKey(w, '--witness', parseVerifier));
  const quorum = Number(opts.quorum);
  if (!Number.isInteger(quorum) || quorum < 0)
    throw new DomainError('BAD_REQUEST', '--quorum is a whole number of cosignatures');
  const v = verifyProof(text, parsed.extra, readKey(opts.key), { witnesses, quorum });
  // The log's own code (LOG_SIGNATURE_INVALID, LOG_PROOF_INVALID…), said once.
  if (!v.ok) throw new DomainError(v.code ?? 'LOG_PROOF_INVALID', v.message ?? 'the receipt does not verify');
  const lines = [
    `checkpoint: size ${v.checkpoint?.size}, signed by the log key: ok`,
    `inclusion of entry ${v.index}: ok`,
    `witness cosignatures: ${v.witnessesVerified} verified (quorum ${v.quorum})`,
  ];
  if (opts.record) {
    const leaf = parseLeaf(parsed.extra);
    const record = recordToCheck(opts.record, opts.salt);
    // A leaf of form v1 names its record; one of form v2 carries the opaque id stored with it.
    const expected = leaf.v === 1 ? record.id : record.leafId;
    const name = record.id ?? (leaf.v === 1 ? leaf.id : 'given');
    if (expected !== undefined && expected !== leaf.id)
      fail(
        leaf.v === 1
          ? `${opts.record} is record ${record.id}; the receipt is for record ${leaf.id}`
          : `${opts.record} is record ${record.id} with leaf id ${record.leafId}; the receipt's leaf is ${leaf.id}`,
      );
    const commitment = computeCommitment(decodeBase64(record.salt), canonicalizeRecord(record.content));
    if (!bytesEqual(commitment, leaf.commitment))
      fail(
        `the record ${name} does not match the commitment in the log: it was changed, or the salt is wrong`,
      );
    lines.push(
      leaf.v === 1
        ? `record ${leaf.id} (${leaf.kind}, ${leaf.time}) matches its commitment: ok`
        : `record ${name} (leaf ${leaf.id}, ${leaf.time}) matches its commitment: ok`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\nRECEIPT VERIFIED\n`);
}

interface LiveLogOptions {
  url: string;
  key: string;
  state?: string;
  token?: string;
}

/**
 * `custos log verify`: the checkpoint's signature, the root recomputed from the tiles, every entry
 * bundle against its tile, and consistency with the checkpoint verified last time (--state).
 */
async function verifyLiveLog(opts: LiveLogOptions): Promise<void> {
  const verifier = readKey(opts.key);
  const base = opts.url.replace(/\/$/, '');
  const headers: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
  const fetchBytes = async (path: string): Promise<Uint8Array> => {
    // Concatenated, not resolved, so a node served under a path prefix keeps it.
    const res = await fetchNode(nodeUrl(opts.url, `${base}${path}`), { headers });
    // Not being let in, or a node in trouble, is not a verification failure (exit 3).
    if (res.status === 401 || res.status === 403)
      throw new DomainError(
        'UNAUTHENTICATED',
        `GET ${path} answered ${res.status}: the log is not public here, give --token`,
      );
    if (res.status >= 500) throw new DomainError('UNAVAILABLE', `GET ${path} answered ${res.status}`);
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
    const last = readInputJson(opts.state, '--state, the last verified checkpoint') as {
      size: number;
      root: string;
    };
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
}

/** `custos audit`: the node's own storage read directly, every commitment and the tree recomputed. */
async function auditNode(config: Config, opts: { key?: string; json?: boolean }): Promise<void> {
  const [{ auditStore }, { ensureLogKeys }, { openPorts }, { migrateToLatest }] = await Promise.all([
    import('../services/audit.js'),
    import('../services/log/index.js'),
    import('../services/runtime.js'),
    import('../store/migrate.js'),
  ]);
  const ports = await openPorts(config);
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
      process.stdout.write(report.ok ? 'AUDIT OK\n' : `AUDIT FAILED: ${report.findings.length} finding(s)\n`);
    }
    if (!report.ok) throw new DomainError('LOG_TAMPERED', `${report.findings.length} finding(s)`);
  } finally {
    await ports.db.close();
  }
}

export function registerLogCommands(program: Command, config: () => Config): void {
  const proof = program.command('proof').description('offline checks of receipts');
  proof
    .command('verify <receipt>')
    .description(
      "verify a C2SP tlog-proof receipt offline (and the record commitment when the record is given), or a forwarded record's provenance chain (JSON)",
    )
    .requiredOption('--key <vkey>', "the log's verifier key (GET /log/key), or a file holding it")
    .option(
      '--record <file>',
      'the record: the JSON answer of GET /api/records/:id saved as it is (it carries content and salt)',
    )
    .option(
      '--salt <base64>',
      "the record's 32-byte salt (base64), needed only when --record is the bare content",
    )
    .option(
      '--source-key <vkey>',
      "for a provenance chain (JSON): the source node's log key; --key is then the receiving node's",
    )
    .option('--witness <vkey...>', 'witness verifier keys whose cosignatures count')
    .option('--quorum <n>', 'cosignatures required from the given witnesses', '0')
    .action((file: string, opts: ProofOptions) => verifyReceiptFile(file, opts));
  registerFederationProofCommands(proof);

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
    .action((opts: LiveLogOptions) => verifyLiveLog(opts));

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
    .action((opts: { key?: string; json?: boolean }) => auditNode(config(), opts));
}
