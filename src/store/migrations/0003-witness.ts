import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Witnessing (C2SP tlog-witness). `witness_state`: for each log this node cosigns, the last
 * cosigned size and root (check-and-persist is a compare-and-swap on this row). `log_cosignatures`:
 * cosignature lines that witnesses returned for our own checkpoints.
 */
export function up(dialect: Dialect) {
  const bin = dialect === 'postgres' ? 'bytea' : 'blob';
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema
      .createTable('witness_state')
      .addColumn('origin', 'text', (c) => c.primaryKey())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('root', bin, (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('log_cosignatures')
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('witness', 'text', (c) => c.notNull())
      .addColumn('line', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('log_cosignatures_pk', ['size', 'witness'])
      .execute();
  };
}
