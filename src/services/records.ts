import { canonicalizeRecord, computeCommitment, formatLeaf, SALT_SIZE } from '../log/index.js';
import type { DbOrTx } from '../store/db.js';
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
  // One draw from the random source for the whole batch, cut into 32-byte salts: each record
  // still gets its own independent salt (log.md), without a randomBytes call per record.
  const saltBytes = ports.random.bytes(SALT_SIZE * n);
  if (saltBytes.length !== SALT_SIZE * n) throw new Error('random source returned too few bytes');
  const salts: Uint8Array[] = new Array(n);
  const entries: SequencedEntry[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = records[i] as NewRecord;
    const salt = saltBytes.subarray(i * SALT_SIZE, (i + 1) * SALT_SIZE);
    const commitment = computeCommitment(salt, canonicalizeRecord(r.content));
    salts[i] = salt;
    entries[i] = {
      kind: r.kind,
      recordId: r.id,
      leaf: formatLeaf({ kind: r.kind, id: r.id, time: r.at, commitment }),
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
      subject_state: r.subjectState,
      subject_org: r.subjectOrg,
      created_at: r.at,
      created_by: r.by,
    })),
    sqlite,
  );
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
