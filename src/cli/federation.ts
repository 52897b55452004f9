/**
 * Offline checks of what nodes exchange (issue 17, decision 0028): split-view evidence, and a
 * forwarded record's provenance chain (`proof verify` hands a chain file here).
 */
import type { Command } from 'commander';
import { DomainError } from '../domain/errors.js';
import { verifyProvenanceChain } from '../domain/federation/index.js';
import { verifySplitViewEvidence } from '../log/index.js';
import { readInputText } from './files.js';
import { readKey } from './verifier-key.js';

/**
 * `custos proof verify-split-view`: exit 0 only when the evidence proves a split view. The key is
 * `--key`, else the `logKey` the evidence carries (decision 0043), which the reader must still
 * know to be the log's: a forger can put any key in a file, never the log's signatures.
 */
function verifySplitViewFile(file: string, opts: { key?: string }): void {
  const verifier = opts.key === undefined ? undefined : readKey(opts.key);
  const v = verifySplitViewEvidence(readInputText(file, 'the split-view evidence'), verifier);
  if (!v.ok) throw new DomainError(v.code, `no split view proven: ${v.message}`);
  process.stdout.write(
    `${[
      `log ${v.origin}: checkpoints of sizes ${v.sizes[0]} and ${v.sizes[1]}, both signed by the log key`,
      `roots ${v.roots[0]} and ${v.roots[1]}`,
      v.reason,
      ...(verifier
        ? []
        : ['key: the logKey in the file; compare it with the log key you hold (or pass --key)']),
      'SPLIT VIEW PROVEN',
    ].join('\n')}\n`,
  );
}

/** Does this receipt file hold a provenance chain (JSON) rather than a tlog-proof (text)? */
export function isChainFile(text: string): boolean {
  return text.trimStart().startsWith('{');
}

/**
 * `custos proof verify <chain.json> --key <receiver's log key> --source-key <source's log key>`:
 * the state's signature → the source's log → the receiver's log, offline (decision 0028).
 */
export function verifyChainText(text: string, opts: { key: string; sourceKey?: string }): void {
  if (opts.sourceKey === undefined)
    throw new DomainError('BAD_REQUEST', "a provenance chain needs --source-key, the source node's log key");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DomainError('LOG_MALFORMED', `the chain is not JSON: ${(err as Error).message}`);
  }
  const v = verifyProvenanceChain(json, {
    sourceLogKey: readKey(opts.sourceKey, '--source-key'),
    receiverLogKey: readKey(opts.key),
  });
  if (!v.ok) throw new DomainError(v.errorCode, `${v.code} at ${v.step}: ${v.message}`);
  const s = v.source;
  const r = v.receiver;
  process.stdout.write(
    `${[
      ...(v.keyId
        ? [
            `state key ${v.keyId}: registered in ${s.source}, valid at ${s.leaf.time}; signature over the original: ok`,
          ]
        : []),
      `record ${s.record.id} (${s.record.kind}) is entry ${s.index} of ${s.source}, checkpoint size ${s.checkpoint.size}: ok`,
      `received as entry ${r.index} of ${r.source}, checkpoint size ${r.checkpoint.size}, naming ${s.source} entry ${s.index}: ok`,
      'PROVENANCE CHAIN VERIFIED',
    ].join('\n')}\n`,
  );
}

export function registerFederationProofCommands(proof: Command): void {
  proof
    .command('verify-split-view <evidence>')
    .description(
      'check split-view evidence offline: two checkpoints the log signed that no append-only log could have (exit 0 when proven)',
    )
    .option('--key <vkey>', "the log's verifier key, or a file holding it (default: the evidence's logKey)")
    .action((file: string, opts: { key?: string }) => verifySplitViewFile(file, opts));
}
