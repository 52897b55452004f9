import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Additional Protocol declarations (issue 19 item 4, decision 0032). A submitted declaration is
 * locked: its row, its items and its signed body are never updated (a later change is a new
 * declaration that `supplements` it, at most one per declaration, so the history is a chain).
 * Items keep the columns the cross-checks join on (Annex II reference, quantity in thousandths,
 * the other State, the date, the element) beside the item's fields as declared; the audit
 * rebuilds the committed digest from all of them. Forward-only: never edit once landed.
 */
export function up(dialect: Dialect) {
  const bin = dialect === 'postgres' ? 'bytea' : 'blob';
  return async (db: Kysely<unknown>): Promise<void> => {
    const s = db.schema;
    await s
      .createTable('declarations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('organisation_id', 'text', (c) => c.notNull())
      .addColumn('article', 'text', (c) => c.notNull())
      .addColumn('period_from', 'text', (c) => c.notNull())
      .addColumn('period_to', 'text', (c) => c.notNull())
      .addColumn('supplements', 'text', (c) => c.unique().references('declarations.id'))
      .addColumn('item_count', 'integer', (c) => c.notNull())
      .addColumn('body_sha256', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('signature', 'text', (c) => c.notNull())
      .addColumn('submitted_at', 'text', (c) => c.notNull())
      .addColumn('submitted_by', 'text', (c) => c.notNull())
      .addColumn('log_index', 'bigint', (c) => c.notNull())
      .execute();
    await s
      .createIndex('declarations_state')
      .on('declarations')
      .columns(['state', 'article', 'submitted_at'])
      .execute();
    await s
      .createTable('declaration_bodies')
      .addColumn('declaration_id', 'text', (c) => c.primaryKey().references('declarations.id'))
      .addColumn('body', bin, (c) => c.notNull())
      .execute();
    await s
      .createTable('declaration_items')
      .addColumn('declaration_id', 'text', (c) => c.notNull().references('declarations.id'))
      .addColumn('idx', 'integer', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('article', 'text', (c) => c.notNull())
      .addColumn('annex_ref', 'text')
      .addColumn('element', 'text')
      .addColumn('quantity_milli', 'bigint')
      .addColumn('counterpart', 'text')
      .addColumn('item_date', 'text')
      .addColumn('fields_json', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('declaration_items_pk', ['declaration_id', 'idx'])
      .execute();
    // The cross-checks look up the other State's items by (article, declaring state, counterpart).
    await s
      .createIndex('declaration_items_match')
      .on('declaration_items')
      .columns(['article', 'state', 'counterpart', 'annex_ref', 'element'])
      .execute();
  };
}
