import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../../domain/errors.js';
import {
  type Cosigner,
  generateCosignerKey,
  generateSignerKey,
  type NoteSigner,
  parseCosigner,
  parseNoteSigner,
  parseSignerKey,
} from '../../log/index.js';
import { writeSecret } from '../init.js';
import type { Ports } from '../ports.js';

export interface LogKeys {
  readonly signer: NoteSigner;
  /** The log's verifier key: `<origin>+<keyid>+<base64>` (log.md). */
  readonly vkey: string;
  /** This node's witness cosigner (cosignature/v1) and its verifier key. */
  readonly cosigner: Cosigner;
  readonly witnessVkey: string;
}

export function logKeyPath(dataDir: string): string {
  return join(dataDir, 'log.key');
}

function readOrCreate(path: string, create: () => { skey: string; vkey: string }): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const { skey } = create();
  writeSecret(path, `${skey}\n`);
  return skey;
}

/**
 * The log key (Ed25519, C2SP signed-note) is generated at init and kept in the data directory,
 * mode 0600; its name is the log origin, so the checkpoint's first line names its key. A key file
 * whose name differs from CUSTOS_LOG_ORIGIN stops the start: silently switching keys would make
 * every earlier checkpoint unverifiable.
 */
export function ensureLogKeys(ports: Ports): LogKeys {
  const { dataDir, logOrigin } = ports.config;
  const skey = readOrCreate(logKeyPath(dataDir), () => generateSignerKey(logOrigin, ports.random.bytes(32)));
  const parsed = parseSignerKey(skey);
  if (parsed.name !== logOrigin) {
    throw new DomainError(
      'CONFIG_INVALID',
      `the log key in ${logKeyPath(dataDir)} is for origin ${parsed.name}, but CUSTOS_LOG_ORIGIN is ${logOrigin}`,
    );
  }
  const signer = parseNoteSigner(skey);
  const vkey = generateSignerKey(logOrigin, parsed.seed).vkey;
  const witnessName = `${logOrigin}/witness`;
  const wskey = readOrCreate(join(dataDir, 'witness.key'), () =>
    generateCosignerKey(witnessName, ports.random.bytes(32)),
  );
  const cosigner = parseCosigner(wskey);
  const witnessVkey = generateCosignerKey(cosigner.name, parseSignerKey(wskey).seed).vkey;
  return { signer, vkey, cosigner, witnessVkey };
}
