import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Site maps and other files a declaration commits to by hash (issue 19, INFCIRC/540 Art.
 * 2.a.(iii): each building on each site, "with a map of the site"). Keyed by the uploading State
 * and the file's SHA-256: a State references only its own uploads, and another State cannot learn
 * that a file exists by naming its hash. Written once, never updated. Forward-only: never edit
 * once landed.
 */
export function up(dialect: Dialect) {
  const bin = dialect === 'postgres' ? 'bytea' : 'blob';
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema
      .createTable('declaration_attachments')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('content_type', 'text', (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('bytes', bin, (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('declaration_attachments_pk', ['state', 'hash'])
      .execute();
  };
}
