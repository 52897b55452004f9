import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Declarations (reports issue). Accepted reports are immutable rows; corrections are new lines
 * that reference earlier ones. The signed body is kept byte for byte so anyone can re-verify the
 * signature and the audit can re-read it against the stored lines. A rejection stores only the
 * fact (who, when, body hash, codes). Notices get their own table: the engine matches them
 * against shipments across states.
 */
export function up(dialect: Dialect) {
  const bin = dialect === 'postgres' ? 'bytea' : 'blob';
  return async (db: Kysely<unknown>): Promise<void> => {
    const s = db.schema;
    await s
      .createTable('reports')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('organisation_id', 'text', (c) => c.notNull())
      .addColumn('mba', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('report_number', 'integer', (c) => c.notNull())
      .addColumn('report_date', 'text', (c) => c.notNull())
      .addColumn('period_from', 'text')
      .addColumn('period_to', 'text')
      .addColumn('pit', 'text')
      .addColumn('reporting_person', 'text', (c) => c.notNull())
      .addColumn('line_count', 'integer', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('notice_json', 'text')
      .addColumn('body_sha256', 'text', (c) => c.notNull())
      .addColumn('body_format', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('signature', 'text', (c) => c.notNull())
      .addColumn('warnings_json', 'text', (c) => c.notNull())
      .addColumn('submitted_at', 'text', (c) => c.notNull())
      .addColumn('submitted_by', 'text', (c) => c.notNull())
      .addColumn('log_index', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('reports_number_unique', ['mba', 'type', 'report_number'])
      .execute();
    await s.createIndex('reports_state').on('reports').columns(['state', 'submitted_at']).execute();
    await s
      .createTable('report_bodies')
      .addColumn('report_id', 'text', (c) => c.primaryKey())
      .addColumn('body', bin, (c) => c.notNull())
      .execute();
    await s
      .createTable('report_lines')
      .addColumn('report_id', 'text', (c) => c.notNull())
      .addColumn('mba', 'text', (c) => c.notNull())
      .addColumn('report_type', 'text', (c) => c.notNull())
      .addColumn('report_number', 'integer', (c) => c.notNull())
      .addColumn('line', 'integer', (c) => c.notNull())
      .addColumn('date', 'text')
      .addColumn('code', 'text')
      .addColumn('entry', 'text')
      .addColumn('item', 'text')
      .addColumn('batch', 'text')
      .addColumn('kmp', 'text')
      .addColumn('element', 'text', (c) => c.notNull())
      .addColumn('weight_mg', 'bigint', (c) => c.notNull())
      .addColumn('fissile_mg', 'bigint')
      .addColumn('isotope', 'text')
      .addColumn('basis', 'text')
      .addColumn('form', 'text')
      .addColumn('counterpart_state', 'text')
      .addColumn('counterpart_mba', 'text')
      .addColumn('notice', 'text')
      .addColumn('corrects_report', 'integer')
      .addColumn('corrects_line', 'integer')
      .addColumn('deletes_report', 'integer')
      .addColumn('deletes_line', 'integer')
      .addPrimaryKeyConstraint('report_lines_pk', ['report_id', 'line'])
      .execute();
    await s
      .createIndex('report_lines_mba')
      .on('report_lines')
      .columns(['mba', 'report_type', 'report_number'])
      .execute();
    await s.createIndex('report_lines_batch').on('report_lines').columns(['batch', 'code']).execute();
    await s
      .createTable('report_rejections')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('state', 'text')
      .addColumn('organisation_id', 'text', (c) => c.notNull())
      .addColumn('mba', 'text')
      .addColumn('type', 'text')
      .addColumn('report_number', 'integer')
      .addColumn('period_from', 'text')
      .addColumn('period_to', 'text')
      .addColumn('pit', 'text')
      .addColumn('body_sha256', 'text', (c) => c.notNull())
      .addColumn('codes_json', 'text', (c) => c.notNull())
      .addColumn('details_json', 'text', (c) => c.notNull())
      .addColumn('submitted_at', 'text', (c) => c.notNull())
      .addColumn('submitted_by', 'text', (c) => c.notNull())
      .addColumn('log_index', 'bigint', (c) => c.notNull())
      .execute();
    await s
      .createIndex('rejections_state')
      .on('report_rejections')
      .columns(['state', 'submitted_at'])
      .execute();
    await s
      .createTable('notices')
      .addColumn('reference', 'text', (c) => c.primaryKey())
      .addColumn('report_id', 'text', (c) => c.notNull())
      .addColumn('direction', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('mba', 'text', (c) => c.notNull())
      .addColumn('other_state', 'text', (c) => c.notNull())
      .addColumn('other_mba', 'text')
      .addColumn('element', 'text', (c) => c.notNull())
      .addColumn('weight_mg', 'bigint', (c) => c.notNull())
      .addColumn('fissile_mg', 'bigint')
      .addColumn('preparation_date', 'text', (c) => c.notNull())
      .addColumn('dispatch_date', 'text', (c) => c.notNull())
      .addColumn('arrival_date', 'text', (c) => c.notNull())
      .addColumn('submitted_at', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('notices_states').on('notices').columns(['state', 'other_state']).execute();
  };
}
