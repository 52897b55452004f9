/**
 * Offline checks of what nodes exchange (issue 17, decision 0028): split-view evidence, and a
 * forwarded record's provenance chain (`proof verify` hands a chain file here).
 */
import type { Command } from 'commander';
import { DomainError } from '../domain/errors.js';
import { verifySplitViewEvidence } from '../log/index.js';
import { readInputText } from './files.js';
import { readKey } from './verifier-key.js';

/** `custos proof verify-split-view`: exit 0 only when the evidence proves a split view. */
function verifySplitViewFile(file: string, opts: { key: string }): void {
  const verifier = readKey(opts.key);
  const v = verifySplitViewEvidence(readInputText(file, 'the split-view evidence'), verifier);
  if (!v.ok) throw new DomainError(v.code, `no split view proven: ${v.message}`);
  process.stdout.write(
    `${[
      `log ${v.origin}: checkpoints of sizes ${v.sizes[0]} and ${v.sizes[1]}, both signed by the log key`,
      `roots ${v.roots[0]} and ${v.roots[1]}`,
      v.reason,
      'SPLIT VIEW PROVEN',
    ].join('\n')}\n`,
  );
}

export function registerFederationProofCommands(proof: Command): void {
  proof
    .command('verify-split-view <evidence>')
    .description(
      'check split-view evidence offline: two checkpoints the log signed that no append-only log could have (exit 0 when proven)',
    )
    .requiredOption('--key <vkey>', "the log's verifier key, or a file holding it")
    .action((file: string, opts: { key: string }) => verifySplitViewFile(file, opts));
}
