import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * The log's durable storage (log.md). `log_entries` holds the leaf bytes in index order;
 * `log_hashes` the stored hashes in the layout of Go's sumdb/tlog (every leaf hash and every
 * completed subtree hash, addressed by storedHashIndex), from which proofs and tiles are read;
 * `log_state` is the single row that sequencers lock to hand out gap-free indices and that the
 * integrator locks to fold entries into the tree; `records` ties each disputable record to its
 * log index and salt (log.md "What a leaf holds").
 */
export function up(dialect: Dialect) {
  const bin = dialect === 'postgres' ? 'bytea' : 'blob';
  const big = 'bigint';
  return async (db: Kysely<unknown>): Promise<void> => {
    const s = db.schema;
    await s
      .createTable('log_entries')
      .addColumn('idx', big, (c) => c.primaryKey())
      .addColumn('leaf', bin, (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('record_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await s
      .createTable('log_hashes')
      .addColumn('id', big, (c) => c.primaryKey())
      .addColumn('hash', bin, (c) => c.notNull())
      .execute();
    // The sequencer's counter lives in its own row so that appending (which locks it until
    // commit, making indices gap-free) never waits for the integrator, and vice versa.
    await s
      .createTable('log_sequence')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('next_index', big, (c) => c.notNull())
      .execute();
    await db
      .insertInto('log_sequence' as never)
      .values({ id: 1, next_index: 0 } as never)
      .execute();
    await s
      .createTable('log_state')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('integrated_size', big, (c) => c.notNull())
      .addColumn('root', bin, (c) => c.notNull())
      .addColumn('checkpoint', 'text', (c) => c.notNull())
      .addColumn('checkpoint_size', big, (c) => c.notNull())
      .addColumn('checkpoint_at', 'text', (c) => c.notNull())
      .execute();
    await db
      .insertInto('log_state' as never)
      .values({
        id: 1,
        integrated_size: 0,
        // RFC 6962 §2.1: the hash of the empty tree is SHA-256 of the empty string.
        root: Buffer.from('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'hex'),
        checkpoint: '',
        checkpoint_size: -1,
        checkpoint_at: '',
      } as never)
      .execute();
    await s
      .createTable('log_checkpoints')
      .addColumn('size', big, (c) => c.primaryKey())
      .addColumn('root', bin, (c) => c.notNull())
      .addColumn('note', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await s
      .createTable('records')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('log_index', big, (c) => c.notNull().unique())
      .addColumn('salt', bin, (c) => c.notNull())
      .addColumn('subject_state', 'text')
      .addColumn('subject_org', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('records_kind').on('records').columns(['kind', 'created_at']).execute();
    await s.createIndex('log_entries_record').on('log_entries').column('record_id').execute();
  };
}
