/** Federation between sovereign nodes (issue 17, decision 0027): the door of this folder. */
import type { Principal } from '../../domain/policy/index.js';
import type { LogNode } from '../log/index.js';
import type { Ports } from '../ports.js';
import { enforce } from '../scope.js';
import { ensureNodeKey } from './node-key.js';
import { createPeerService } from './peers.js';

export { buildBundle } from './bundle.js';
export { ensureNodeKey } from './node-key.js';

/** The node's identity as its peers register it: log origin, log verifier key, node key. */
export interface NodeIdentity {
  readonly origin: string;
  readonly logKey: string;
  readonly nodeKey: string;
  readonly keyId: string;
}

export function createFederation(ports: Ports, log: LogNode) {
  const nodeKey = ensureNodeKey(ports);
  const peers = createPeerService(ports);
  return {
    nodeKey,
    peers,
    identity(p: Principal): NodeIdentity {
      enforce(p, 'federation.admin', 'all');
      return {
        origin: ports.config.logOrigin,
        logKey: log.keys.vkey,
        nodeKey: nodeKey.publicKey,
        keyId: nodeKey.keyId,
      };
    },
  };
}

export type Federation = ReturnType<typeof createFederation>;
