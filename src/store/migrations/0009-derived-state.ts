import type { Kysely } from 'kysely';

/**
 * Derived evaluation state (scale issue, docs/decisions/0010): what the statistics need of an
 * MBA's ICR lines and inventories, and each transfer line with its match, kept in tables written
 * in the transaction that stores a report, so evaluating an MBA reads O(periods × strata) rows
 * and no server holds lines in memory. Sums are exact integers; Σx² exceeds 2^53 and is kept as
 * a decimal text (read as a bigint).
 *
 * An existing database gets its derived state built MBA by MBA at start (services/evaluation
 * derive-build.ts), each MBA in its own transaction and recorded in `eval_built`, so an
 * interrupted build resumes where it stopped; `eval_status.built` says when it is complete.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  // One row per MBA, element, bucket, code and KMP. Bucket: 'p' + the PIT closing a balance
  // period, 'd' + the day of a line after the last PIT (folded into a period when its PIL
  // arrives), 'b' for lines on or before the first PIT.
  await s
    .createTable('eval_cells')
    .addColumn('mba', 'text', (c) => c.notNull())
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('element', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('kmp', 'text', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addColumn('w', 'bigint', (c) => c.notNull())
    .addColumn('f', 'bigint', (c) => c.notNull())
    .addColumn('sw', 'bigint', (c) => c.notNull())
    .addColumn('sq', 'text', (c) => c.notNull())
    .addColumn('srd', 'bigint', (c) => c.notNull())
    .addColumn('srd_f', 'bigint', (c) => c.notNull())
    .addColumn('abs', 'bigint', (c) => c.notNull())
    .addColumn('iso_j', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('eval_cells_key', ['mba', 'bucket', 'element', 'code', 'kmp'])
    .execute();
  await s
    .createTable('eval_inventories')
    .addColumn('mba', 'text', (c) => c.notNull())
    .addColumn('pit', 'text', (c) => c.notNull())
    .addColumn('element', 'text', (c) => c.notNull())
    .addColumn('kmp', 'text', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addColumn('w', 'bigint', (c) => c.notNull())
    .addColumn('f', 'bigint', (c) => c.notNull())
    .addColumn('sq', 'text', (c) => c.notNull())
    .addColumn('abs', 'bigint', (c) => c.notNull())
    .addColumn('iso_j', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('eval_inventories_key', ['mba', 'pit', 'element', 'kmp'])
    .execute();
  // An original ICR line that later lines corrected or deleted: the last version applied and the
  // anchor of bookedReceiptOf (the last shipper-valued version since a deletion).
  await s
    .createTable('eval_entries')
    .addColumn('mba', 'text', (c) => c.notNull())
    .addColumn('origin_report', 'integer', (c) => c.notNull())
    .addColumn('origin_line', 'integer', (c) => c.notNull())
    .addColumn('last_report', 'integer', (c) => c.notNull())
    .addColumn('last_line', 'integer', (c) => c.notNull())
    .addColumn('anchor_report', 'integer')
    .addColumn('anchor_line', 'integer')
    .addColumn('anchor_deleted', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('eval_entries_key', ['mba', 'origin_report', 'origin_line'])
    .execute();
  // A correction may name any version of a line: version → origin.
  await s
    .createTable('eval_versions')
    .addColumn('mba', 'text', (c) => c.notNull())
    .addColumn('report', 'integer', (c) => c.notNull())
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('origin_report', 'integer', (c) => c.notNull())
    .addColumn('origin_line', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('eval_versions_key', ['mba', 'report', 'line'])
    .execute();
  // Every transfer line in force (SD, SF, RD, RF with a counterpart), with its match.
  await s
    .createTable('eval_transfers')
    .addColumn('mba', 'text', (c) => c.notNull())
    .addColumn('origin_report', 'integer', (c) => c.notNull())
    .addColumn('origin_line', 'integer', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('match_key', 'text', (c) => c.notNull())
    .addColumn('flow', 'text')
    .addColumn('shipment', 'integer', (c) => c.notNull())
    .addColumn('line_json', 'text', (c) => c.notNull())
    .addColumn('element', 'text', (c) => c.notNull())
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('deadline', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('partner_mba', 'text')
    .addColumn('partner_report', 'integer')
    .addColumn('partner_line', 'integer')
    .addColumn('srd_mg', 'bigint')
    .addColumn('fissile_srd_mg', 'bigint')
    .addColumn('sigma_mg', 'double precision')
    .addColumn('notice_code', 'text')
    .addPrimaryKeyConstraint('eval_transfers_key', ['mba', 'origin_report', 'origin_line'])
    .execute();
  await s.createIndex('eval_transfers_match').on('eval_transfers').column('match_key').execute();
  await s.createIndex('eval_transfers_flow').on('eval_transfers').column('flow').execute();
  await s.createIndex('eval_transfers_lone').on('eval_transfers').columns(['status', 'deadline']).execute();
  await s.createIndex('eval_transfers_state').on('eval_transfers').columns(['state', 'status']).execute();
  await s
    .createTable('eval_built')
    .addColumn('mba', 'text', (c) => c.primaryKey())
    .addColumn('built_at', 'text', (c) => c.notNull())
    .execute();
  await s
    .createTable('eval_status')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('built', 'integer', (c) => c.notNull())
    .execute();
  // A database without reports has nothing to build.
  const any = await db
    .selectFrom('reports' as never)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  await db
    .insertInto('eval_status' as never)
    .values({ id: 1, built: Number((any as { n: number | string }).n) === 0 ? 1 : 0 } as never)
    .execute();
}
