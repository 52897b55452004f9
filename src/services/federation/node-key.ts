import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../../domain/errors.js';
import { computeKeyId } from '../../domain/registry/index.js';
import { ed25519PublicKey, ed25519Sign } from '../../log/index.js';
import { writeSecret } from '../init.js';
import type { Ports } from '../ports.js';

/**
 * The node's own Ed25519 key (issue 17 item 1): it signs node-to-node requests (RFC 9421) and the
 * acknowledgements this node gives for what it received. It sits beside the log key in the data
 * directory (`node.key`, base64 of the 32-byte seed, mode 0600) and is distinct from it: the log
 * key signs checkpoints only, so a leaked node key cannot forge this node's log.
 */
export const NODE_KEY_FILE = 'node.key';

export interface NodeKey {
  /** Base64 of the raw 32-byte public key, as `GET /api/node` publishes it. */
  readonly publicKey: string;
  /** First 16 hex digits of SHA-256 of the raw public key (as for organisation keys). */
  readonly keyId: string;
  sign(message: Uint8Array): Uint8Array;
}

export function ensureNodeKey(ports: Pick<Ports, 'config' | 'random'>): NodeKey {
  const path = join(ports.config.dataDir, NODE_KEY_FILE);
  if (!existsSync(path)) writeSecret(path, `${Buffer.from(ports.random.bytes(32)).toString('base64')}\n`);
  const seed = new Uint8Array(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64'));
  if (seed.length !== 32)
    throw new DomainError('CONFIG_INVALID', `${path} does not hold a 32-byte Ed25519 seed`);
  const raw = ed25519PublicKey(seed);
  return {
    publicKey: Buffer.from(raw).toString('base64'),
    keyId: computeKeyId(raw),
    sign: (message) => ed25519Sign(seed, message),
  };
}
