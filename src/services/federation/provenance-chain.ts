/**
 * A forwarded record's provenance chain as a file (decision 0028 "The provenance chain"), built by
 * the receiving node from what it stored on receipt, so a browser or `custos proof verify` checks
 * it offline with the two log keys: the state's signature → the source's log → this node's log.
 */
import { DomainError } from '../../domain/errors.js';
import type { Bundle, ProvenanceChain } from '../../domain/federation/index.js';
import type { Principal } from '../../domain/policy/index.js';
import {
  canonicalizeRecord,
  decodeBase64,
  encodeBase64,
  parseCheckpoint,
  parseLeaf,
  parseNote,
  parseProof,
} from '../../log/index.js';
import { createFederationRepo } from '../../store/federation.repo.js';
import { createReportsRepo } from '../../store/reports.repo.js';
import type { FedInboxRow } from '../../store/schema.types.js';
import type { LogReader } from '../log/reader.js';
import type { Ports } from '../ports.js';
import { findVisibleRecord } from '../record-access.js';
import { contentLoaderFor } from '../record-content.js';
import { buildBundle } from './bundle.js';
// The `received` record's content loader, which buildBundle reads this node's own record with.
import './content.js';

/** The chain with the keys it is checked against, as this node knows them. */
export interface ChainReply {
  readonly chain: ProvenanceChain;
  /** The source's log verifier key, as this node registered its peer. */
  readonly sourceLogKey: string;
  /** This node's log verifier key. */
  readonly receiverLogKey: string;
}

function stateSignature(content: unknown): string | undefined {
  if (typeof content !== 'object' || content === null) return undefined;
  const { keyId, signature } = content as { keyId?: unknown; signature?: unknown };
  return typeof keyId === 'string' && typeof signature === 'string' ? `${keyId}:${signature}` : undefined;
}

/** The source's bundle, rebuilt from the inbox row and the rows stored under the original id. */
async function sourceBundle(ports: Ports, row: FedInboxRow): Promise<Bundle> {
  // A statement or case transition is kept as the origin committed it, beside its inbox row.
  const content =
    row.content !== null
      ? (JSON.parse(row.content) as unknown)
      : await contentLoaderFor(row.kind as Parameters<typeof contentLoaderFor>[0])?.(ports.db, row.record_id);
  if (content === undefined)
    throw new DomainError('NOT_FOUND', `the content of forwarded record ${row.record_id} is not available`);
  const signature = stateSignature(content);
  let original: Bundle['original'];
  if (signature !== undefined) {
    const bytes =
      row.kind === 'report'
        ? await createReportsRepo(ports.db).body(row.record_id)
        : row.kind === 'inspection-statement'
          ? canonicalizeRecord((content as { statement: unknown }).statement)
          : undefined;
    if (!bytes) throw new DomainError('NOT_FOUND', `the signed body of ${row.record_id} is not available`);
    original = { bytes: encodeBase64(bytes), signature };
  }
  return {
    source: row.source,
    index: row.idx,
    leaf: encodeBase64(row.leaf),
    record: {
      kind: row.kind,
      id: row.record_id,
      leafId: parseLeaf(row.leaf).id,
      content,
      salt: encodeBase64(row.salt),
    },
    ...(original ? { original } : {}),
    proof: row.proof,
  };
}

const sizeOf = (proof: string) => parseCheckpoint(parseNote(parseProof(proof).checkpointNote).text).size;

/**
 * The chain of record `id` received from a peer. NOT_FOUND for a record of this node's own (its
 * receipt is its proof); UNAVAILABLE while this node's checkpoint does not cover its own
 * `received` record yet, or while the source cannot give the consistency proof between its two
 * checkpoints the chain needs.
 */
export async function buildProvenanceChain(
  ports: Ports,
  reader: LogReader,
  vkey: string,
  p: Principal,
  id: string,
): Promise<ChainReply> {
  const rec = await findVisibleRecord(ports, p, id);
  const repo = createFederationRepo(ports.db);
  const row = rec.kind === 'received' ? await repo.inboxByRecord(rec.id) : undefined;
  if (!row) throw new DomainError('NOT_FOUND', `record ${id} was not received from another node`);
  const peer = await repo.getPeer(row.peer_id);
  if (!peer) throw new DomainError('NOT_FOUND', `the peer record ${id} came from is not known`);
  const received = await buildBundle(ports, reader, rec.id);
  if (!received)
    throw new DomainError('UNAVAILABLE', 'no checkpoint covers the reception yet: ask again in a moment');
  const bundle = await sourceBundle(ports, row);
  const keyId = stateSignature(bundle.record.content)?.split(':')[0];
  const keyRow = keyId === undefined ? undefined : await repo.inboxByRecord(`key:${keyId}`);
  // An inspectorate's key this node registered itself is proven in this node's own log.
  const ownKey =
    keyId !== undefined && !keyRow && row.kind === 'inspection-statement'
      ? await buildBundle(ports, reader, `key:${keyId}`).catch(() => undefined)
      : undefined;
  const keyRegistration = keyRow ? await sourceBundle(ports, keyRow) : ownKey;
  let sourceConsistency: string[] | undefined;
  if (keyRow) {
    const [m, n] = [sizeOf(keyRow.proof), sizeOf(row.proof)].sort((a, b) => a - b) as [number, number];
    if (m !== n) sourceConsistency = await fetchConsistency(peer.url, m, n);
  }
  return {
    chain: {
      type: 'custos/provenance-chain@v1',
      bundle,
      ...(keyRegistration ? { keyRegistration } : {}),
      ...(sourceConsistency ? { sourceConsistency } : {}),
      received,
    },
    sourceLogKey: peer.log_key,
    receiverLogKey: vkey,
  };
}

/** The source's proof that its two checkpoints are one history (RFC 9162 §2.1.4), from its log API. */
async function fetchConsistency(url: string, from: number, to: number): Promise<string[]> {
  try {
    const res = await fetch(`${url}/log/proof/consistency?from=${from}&to=${to}`, {
      signal: AbortSignal.timeout(10_000),
    });
    const body = res.ok ? ((await res.json()) as { hashes?: unknown }) : {};
    if (Array.isArray(body.hashes)) return body.hashes.map((h) => encodeBase64(decodeBase64(String(h))));
  } catch {
    // fall through: the source is unreachable now
  }
  throw new DomainError('UNAVAILABLE', 'the source node did not give the consistency proof the chain needs');
}
