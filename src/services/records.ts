import {
  canonicalizeRecord,
  computeCommitment,
  encodeHex,
  formatLeaf,
  LEAF_ID_SIZE,
  SALT_SIZE,
} from '../log/index.js';
import type { DbOrTx } from '../store/db.js';
import { enqueueForwarding } from '../store/forwarding.repo.js';
import { type SequencedEntry, sequenceEntries } from '../store/log.repo.js';
import { insertRecords } from '../store/records.repo.js';
import type { RecordKind } from '../store/schema.types.js';
import type { Ports } from './ports.js';

export type { RecordKind };

export interface NewRecord {
  readonly kind: RecordKind;
  readonly id: string;
  /** The canonical content: JSON that the audit can rebuild from the stored rows. */
  readonly content: unknown;
  readonly subjectState: string | null;
  readonly subjectOrg: string | null;
  readonly at: string;
  readonly by: string;
}

/** Append records to the log inside the caller's transaction; answers their log indices. */
export async function appendRecords(
  q: DbOrTx,
  ports: Pick<Ports, 'db' | 'random'>,
  records: readonly NewRecord[],
): Promise<number[]> {
  const n = records.length;
  if (n === 0) return [];
  // One draw from the random source for the whole batch, cut into a 32-byte salt and a 16-byte
  // opaque leaf id per record: each record still gets its own independent salt (log.md) and id
  // (decision 0021), without a randomBytes call per record.
  const each = SALT_SIZE + LEAF_ID_SIZE;
  const random = ports.random.bytes(each * n);
  if (random.length !== each * n) throw new Error('random source returned too few bytes');
  const salts: Uint8Array[] = new Array(n);
  const leafIds: string[] = new Array(n);
  const entries: SequencedEntry[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = records[i] as NewRecord;
    const salt = random.subarray(i * each, i * each + SALT_SIZE);
    const leafId = encodeHex(random.subarray(i * each + SALT_SIZE, (i + 1) * each));
    const commitment = computeCommitment(salt, canonicalizeRecord(r.content));
    salts[i] = salt;
    leafIds[i] = leafId;
    // The leaf names neither the record nor its kind; log_entries keeps both beside it for the
    // node's own audit, never served.
    entries[i] = {
      kind: r.kind,
      recordId: r.id,
      leaf: formatLeaf({ id: leafId, time: r.at, commitment }),
      createdAt: r.at,
    };
  }
  const sqlite = ports.db.sqlite;
  const first = await sequenceEntries(q, entries, sqlite);
  await insertRecords(
    q,
    records.map((r, i) => ({
      id: r.id,
      kind: r.kind,
      log_index: first + i,
      salt: salts[i] as Uint8Array,
      leaf_id: leafIds[i] as string,
      subject_state: r.subjectState,
      subject_org: r.subjectOrg,
      created_at: r.at,
      created_by: r.by,
    })),
    sqlite,
  );
  // The outbox row of each peer an arrangement sends this record to commits with the record
  // (issue 17 item 6, decision 0027): nothing covered is lost, nothing uncovered is queued.
  await enqueueForwarding(q, { first, last: first + n - 1 }, records[0]?.at ?? '');
  const indexes: number[] = new Array(n);
  for (let i = 0; i < n; i++) indexes[i] = first + i;
  return indexes;
}

export async function appendRecord(
  q: DbOrTx,
  ports: Pick<Ports, 'db' | 'random'>,
  record: NewRecord,
): Promise<number> {
  const [index] = await appendRecords(q, ports, [record]);
  return index as number;
}
