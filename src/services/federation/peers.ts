import { DomainError } from '../../domain/errors.js';
import { deliveryErrorCode } from '../../domain/federation/index.js';
import { problemOf } from '../../domain/particulars.js';
import type { Principal } from '../../domain/policy/index.js';
import { computeKeyId } from '../../domain/registry/index.js';
import { isLogError, parseNoteVerifier } from '../../log/index.js';
import { createFederationRepo, type PeerDelivery } from '../../store/federation.repo.js';
import type { FedPeerRow } from '../../store/schema.types.js';
import type { Ports } from '../ports.js';
import { appendRecord } from '../records.js';
import { enforce } from '../scope.js';

export interface PeerInput {
  readonly name: string;
  readonly url: string;
  /** The peer's log verifier key (C2SP `<origin>+<keyid>+<base64>`). */
  readonly logKey: string;
  /** Base64 of the peer's raw Ed25519 node key. */
  readonly nodeKey: string;
}

export interface Peer {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly origin: string;
  readonly logKey: string;
  readonly nodeKey: string;
  readonly keyId: string;
  readonly status: 'active' | 'revoked';
  readonly createdAt: string;
  readonly createdBy: string;
  readonly revokedAt: string | null;
}

/** What a peer's log record commits to (the audit rebuilds it from the row). */
export function peerContent(r: FedPeerRow) {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    logKey: r.log_key,
    nodeKey: r.node_key,
    keyId: r.key_id,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

export function peerRevocationContent(r: FedPeerRow) {
  return { id: r.id, revokedAt: r.revoked_at, revokedBy: r.revoked_by };
}

export function toPeer(r: FedPeerRow): Peer {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    origin: r.origin,
    logKey: r.log_key,
    nodeKey: r.node_key,
    keyId: r.key_id,
    status: r.status,
    createdAt: r.created_at,
    createdBy: r.created_by,
    revokedAt: r.revoked_at,
  };
}

/** A peer's base URL: http(s), no credentials, query or fragment; kept without a trailing slash. */
function normaliseUrl(input: string): string {
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    throw new DomainError('VALIDATION_FAILED', 'url is not a URL', [
      { field: 'url', ...problemOf('NOT_A_URL', {}), message: 'url is not an absolute URL' },
    ]);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new DomainError('VALIDATION_FAILED', 'url must be http or https', [
      {
        field: 'url',
        ...problemOf('SCHEME.oneOf', { allowed: ['https', 'http'] }),
        message: 'url must use http or https',
      },
    ]);
  if (u.username !== '' || u.password !== '')
    throw new DomainError('VALIDATION_FAILED', 'url must not carry credentials', [
      { field: 'url', ...problemOf('CREDENTIALS', {}), message: 'url must not carry a user or password' },
    ]);
  if (u.search !== '' || u.hash !== '')
    throw new DomainError('VALIDATION_FAILED', 'url must not carry a query or fragment', [
      {
        field: 'url',
        ...problemOf('FIELD_INVALID.baseUrl', {}),
        message: 'url must be a base URL without query or fragment',
      },
    ]);
  return u.toString().replace(/\/+$/, '');
}

function rawNodeKey(b64: string): Uint8Array {
  const raw = /^[A-Za-z0-9+/]{43}=$/.test(b64) ? new Uint8Array(Buffer.from(b64, 'base64')) : undefined;
  if (raw?.length !== 32)
    throw new DomainError('KEY_INVALID', 'nodeKey must be base64 of a 32-byte Ed25519 public key', [
      {
        field: 'nodeKey',
        ...problemOf('NOT_BASE64.key', { bytes: 32 }),
        message: 'base64 of 32 bytes expected',
      },
    ]);
  return raw as Uint8Array;
}

function originOf(logKey: string): string {
  try {
    return parseNoteVerifier(logKey).name;
  } catch (err) {
    if (isLogError(err))
      throw new DomainError('KEY_INVALID', `logKey is not a C2SP Ed25519 verifier key: ${err.message}`, [
        {
          field: 'logKey',
          ...problemOf('FIELD_FORMAT.verifierKey', {}),
          message: 'expected <origin>+<keyid>+<base64>',
        },
      ]);
    throw err;
  }
}

/**
 * Peers (issue 17 item 1): the nodes this one exchanges records with. Registering and revoking
 * one is a logged record in the same transaction, so a node cannot quietly start (or stop)
 * trusting another.
 */
export function createPeerService(ports: Ports) {
  const repo = createFederationRepo(ports.db);
  return {
    async createPeer(p: Principal, input: PeerInput): Promise<{ id: string; logIndex: number }> {
      enforce(p, 'federation.admin', 'all');
      const url = normaliseUrl(input.url);
      const origin = originOf(input.logKey);
      const keyId = computeKeyId(rawNodeKey(input.nodeKey));
      if (origin === ports.config.logOrigin)
        throw new DomainError('CONFLICT', 'a peer cannot have this node’s own log origin');
      const at = ports.clock.now().toISOString();
      const id = Buffer.from(ports.random.bytes(8)).toString('hex');
      const row: FedPeerRow = {
        id,
        name: input.name,
        url,
        origin,
        log_key: input.logKey,
        node_key: input.nodeKey,
        key_id: keyId,
        status: 'active',
        created_at: at,
        created_by: p.userId,
        revoked_at: null,
        revoked_by: null,
      };
      const logIndex = await ports.db.kysely.transaction().execute(async (tx) => {
        // One active peer per node key and per log: requests and bundles name exactly one peer.
        const same = await repo.activePeerLike(tx, keyId, origin);
        if (same)
          throw new DomainError(
            'ALREADY_EXISTS',
            `an active peer (${same.id}) has this node key or log origin`,
          );
        await repo.insertPeer(tx, row);
        return appendRecord(tx, ports, {
          kind: 'peer',
          id: `peer:${id}`,
          content: peerContent(row),
          subjectState: null,
          subjectOrg: null,
          at,
          by: p.userId,
        });
      });
      return { id, logIndex };
    },

    async listPeers(p: Principal): Promise<
      (Peer & {
        delivery: PeerDelivery & { lagSeconds: number; lastErrorCode: string | null };
        witnessed: { size: number; at: string } | null;
        splitView: string | null;
      })[]
    > {
      enforce(p, 'federation.admin', 'all');
      const now = ports.clock.now().getTime();
      const out = [];
      for (const row of await repo.listPeers()) {
        const d = await repo.deliveryOf(row.id);
        const lagSeconds =
          d.oldestPendingAt === null
            ? 0
            : Math.max(0, Math.round((now - Date.parse(d.oldestPendingAt)) / 1000));
        // The largest checkpoint of its log this node has checked, and an open split view (decision 0043).
        const head = await repo.latestCheckpoint(row.origin);
        const split = await repo.openSplitView(row.origin);
        out.push({
          ...toPeer(row),
          delivery: { ...d, lagSeconds, lastErrorCode: deliveryErrorCode(d.lastError) },
          witnessed: head ? { size: head.size, at: head.seen_at } : null,
          splitView: split?.id ?? null,
        });
      }
      return out;
    },

    async revokePeer(p: Principal, id: string): Promise<{ logIndex: number }> {
      enforce(p, 'federation.admin', 'all');
      const at = ports.clock.now().toISOString();
      const logIndex = await ports.db.kysely.transaction().execute(async (tx) => {
        const peer = await repo.getPeer(id, tx);
        if (!peer) throw new DomainError('NOT_FOUND', `no peer ${id}`);
        if (!(await repo.revokePeer(tx, id, at, p.userId)))
          throw new DomainError('CONFLICT', `peer ${id} is already revoked`);
        return appendRecord(tx, ports, {
          kind: 'peer-revocation',
          id: `peer-revocation:${id}`,
          content: peerRevocationContent({ ...peer, revoked_at: at, revoked_by: p.userId }),
          subjectState: null,
          subjectOrg: null,
          at,
          by: p.userId,
        });
      });
      return { logIndex };
    },
  };
}
