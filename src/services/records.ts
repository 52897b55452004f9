import type { Kysely, Transaction } from 'kysely';
import { canonicalizeRecord, computeCommitment, formatLeaf } from '../log/index.js';
import { sequenceEntries } from '../store/log.repo.js';
import type { Schema } from '../store/schema.types.js';
import type { Ports } from './ports.js';

type Q = Kysely<Schema> | Transaction<Schema>;

/**
 * Record kinds committed to the log (log issue: "every record kind that can be disputed").
 * The leaf holds only the salted commitment (log.md "What a leaf holds"), never the record.
 */
export type RecordKind =
  | 'report'
  | 'report-rejection'
  | 'key-registration'
  | 'key-revocation'
  | 'agreement'
  | 'inspection-statement'
  | 'case-transition'
  | 'case-message'
  | 'sampling-draw';

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
export async function appendRecords(q: Q, ports: Ports, records: readonly NewRecord[]): Promise<number[]> {
  if (records.length === 0) return [];
  const prepared = records.map((r) => {
    const salt = ports.random.bytes(32);
    const commitment = computeCommitment(salt, canonicalizeRecord(r.content));
    const leaf = formatLeaf({ kind: r.kind, id: r.id, time: r.at, commitment });
    return { r, salt, leaf };
  });
  const first = await sequenceEntries(
    q,
    prepared.map(({ r, leaf }) => ({ kind: r.kind, recordId: r.id, leaf, createdAt: r.at })),
    ports.db.sqlite,
  );
  const rows = prepared.map(({ r, salt }, i) => ({
    id: r.id,
    kind: r.kind,
    log_index: first + i,
    salt,
    subject_state: r.subjectState,
    subject_org: r.subjectOrg,
    created_at: r.at,
    created_by: r.by,
  }));
  if (ports.db.sqlite) {
    // Bulk path on SQLite: one prepared statement on the transaction's own connection.
    const stmt = ports.db.sqlite.prepare(
      'insert into records (id, kind, log_index, salt, subject_state, subject_org, created_at, created_by) values (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    for (const r of rows) {
      stmt.run(r.id, r.kind, r.log_index, r.salt, r.subject_state, r.subject_org, r.created_at, r.created_by);
    }
  } else {
    for (let i = 0; i < rows.length; i += 500)
      await q
        .insertInto('records')
        .values(rows.slice(i, i + 500))
        .execute();
  }
  return prepared.map((_, i) => first + i);
}

export async function appendRecord(q: Q, ports: Ports, record: NewRecord): Promise<number> {
  const [index] = await appendRecords(q, ports, [record]);
  return index as number;
}
