/**
 * The source node's side of forwarding (federation.md "What travels", decision 0028): the bundle
 * of one stored record, read from this node's own log. Anything the receiver checks comes from
 * storage as it is: the record's committed content (the audit's content loaders), its salt and
 * leaf id, the state's signed bytes, the leaf, and the tlog-proof receipt the log already serves.
 */
import { DomainError } from '../../domain/errors.js';
import type { Bundle } from '../../domain/federation/index.js';
import { encodeBase64, parseCheckpoint, parseNote, parseProof } from '../../log/index.js';
import type { Db } from '../../store/db.js';
import { createDeclarationsRepo } from '../../store/declarations.repo.js';
import { createInspectionsRepo } from '../../store/inspections.repo.js';
import { createRecordsRepo } from '../../store/records.repo.js';
import type { RecordKind } from '../../store/schema.types.js';
import type { LogReader } from '../log/reader.js';
import type { Ports } from '../ports.js';
import { contentLoaderFor, reportContentAndBody } from '../record-content.js';
import { type WireBundle, wireOriginal } from './packed-original.js';

/** The state's signature a record's content carries (a report's `keyId` and `signature`). */
function stateSignature(content: unknown): string | undefined {
  if (typeof content !== 'object' || content === null) return undefined;
  const { keyId, signature } = content as { keyId?: unknown; signature?: unknown };
  return typeof keyId === 'string' && typeof signature === 'string' ? `${keyId}:${signature}` : undefined;
}

/** Where each state-signed kind keeps the exact bytes the state signed, as sent. */
const SIGNED_BODIES: Partial<
  Record<RecordKind, (db: Db, recordId: string) => Promise<Uint8Array | undefined>>
> = {
  declaration: async (db, id) =>
    id.startsWith('declaration:')
      ? createDeclarationsRepo(db).body(id.slice('declaration:'.length))
      : undefined,
  // `inspection-statement:<inspection>:<organisation>`: the statement text as signed (RFC 8785).
  'inspection-statement': async (db, id) => {
    const [, inspection, organisation] = id.split(':');
    if (inspection === undefined || organisation === undefined) return undefined;
    const row = await createInspectionsRepo(db.kysely).getStatement(inspection, organisation);
    return row && new TextEncoder().encode(row.statement);
  },
};

/** The bytes a state signed, and for a report the body as stored (packed). */
interface Signed {
  readonly bytes: Uint8Array;
  readonly stored?: { codec: string; data: Uint8Array };
}

/** A record's committed content and, for a state-signed kind, the bytes the state signed. */
async function contentOf(
  db: Db,
  kind: RecordKind,
  id: string,
): Promise<{ content: unknown; signed?: () => Promise<Signed | undefined> }> {
  if (kind === 'report') {
    // One read of the row and of the body for both (decision 0068).
    const r = await reportContentAndBody(db, id);
    return { content: r?.content, signed: async () => r?.body && { bytes: r.body, stored: r.packed } };
  }
  const content = await contentLoaderFor(kind)?.(db, id);
  const body = SIGNED_BODIES[kind];
  const signed = async () => {
    const bytes = await body?.(db, id);
    return bytes && { bytes };
  };
  return { content, ...(body ? { signed } : {}) };
}

/**
 * The bundle of record `id`, proven under the newest checkpoint that covers it (with the
 * configured witness quorum); undefined while no checkpoint covers it yet (the integrator folds
 * it in within CUSTOS_CHECKPOINT_MS: build it again then). NOT_FOUND for an unknown record or one
 * whose content or signed body is gone. No access check: forwarding is the node's own act, under
 * an arrangement the caller has checked. `receiptOf`: the receipts of a batch (LogReader
 * `receipts`), against one checkpoint read once; else this record's own.
 */
export async function buildBundle(
  ports: Ports,
  reader: LogReader,
  id: string,
  receiptOf: (index: number) => Promise<string | undefined> = reader.receipt,
): Promise<Bundle | undefined> {
  return (await buildWireBundle(ports, reader, id, receiptOf, false)) as Bundle | undefined;
}

/**
 * The bundle as delivery sends it: as buildBundle's, but an original stored packed travels packed
 * when `packed` (the peer reads packed originals: packed-original.ts, decisions 0071 and 0075).
 */
export async function buildWireBundle(
  ports: Ports,
  reader: LogReader,
  id: string,
  receiptOf: (index: number) => Promise<string | undefined>,
  packed: boolean,
): Promise<WireBundle | undefined> {
  const rec = await createRecordsRepo(ports.db).find(id);
  if (!rec) throw new DomainError('NOT_FOUND', `no record ${id}`);
  const { content, signed } = await contentOf(ports.db, rec.kind, rec.id);
  if (content === undefined)
    throw new DomainError('NOT_FOUND', `the content of record ${id} is not available`);
  const receipt = await receiptOf(rec.log_index);
  if (receipt === undefined) return undefined;
  const proof = parseProof(receipt);
  // The receipt carries the leaf (tlog-proof extra) and names the origin in its checkpoint.
  const leaf = proof.extra ?? (await reader.entry(rec.log_index));
  const source = parseCheckpoint(parseNote(proof.checkpointNote).text).origin;
  const signature = stateSignature(content);
  let original: WireBundle['original'];
  if (signature !== undefined) {
    const s = await signed?.();
    if (!s) throw new DomainError('NOT_FOUND', `the signed body of record ${id} is not available`);
    original = wireOriginal(s.bytes, s.stored, signature, packed);
  }
  return {
    source,
    index: rec.log_index,
    leaf: encodeBase64(leaf),
    record: {
      kind: rec.kind,
      id: rec.id,
      leafId: rec.leaf_id,
      content,
      salt: encodeBase64(rec.salt),
    },
    ...(original ? { original } : {}),
    proof: receipt,
  };
}
