import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Lean derived transfer state (docs/decisions/0016). 0009's `eval_transfers` held each transfer
 * line in force as JSON with its key, flow, state, dates and match in text columns and four
 * indexes: ~530 bytes a line, more than the report data itself. Now:
 *
 * - `eval_transfers` keeps per line in force only what is not in its report line: the 48-bit hash
 *   of its match key (the leading column of the primary key: intake finds a key's lines by
 *   prefix, with no second index), whether it ships, its match as a small integer
 *   (0 matched, 1 discrepant, 2 lone) and its notice finding (null, 1 missing, 2 late); the text
 *   flow only on international lines. The line, its partner, SRD and σ are read or computed
 *   again from the report lines when a view needs them. On SQLite a WITHOUT ROWID table.
 *   Partial indexes cover the rare rows: those with an alarm or a lone line (by MBA), and the
 *   international ones (by flow).
 * - `eval_transfer_counts`: per MBA, kind, day and element, how many lines are lone, discrepant,
 *   carry a notice finding, or count for their state's annual summary; the balance, the alarm
 *   summary and the annual evaluation read these few rows instead of the lines.
 *
 * The new table starts empty; on a database with reports the start-up build (resumable, MBA by
 * MBA, with progress: services/evaluation/derive-build.ts) builds it again.
 */
export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    const s = db.schema;
    const lean = <T extends { modifyEnd(e: ReturnType<typeof sql>): T }>(b: T): T =>
      dialect === 'sqlite' ? b.modifyEnd(sql`without rowid`) : b;
    await s.dropTable('eval_transfers').execute();
    await s
      .createTable('eval_transfers')
      .addColumn('mkey', 'bigint', (c) => c.notNull())
      .addColumn('mba', 'text', (c) => c.notNull())
      .addColumn('origin_report', 'integer', (c) => c.notNull())
      .addColumn('origin_line', 'integer', (c) => c.notNull())
      .addColumn('ship', 'smallint', (c) => c.notNull())
      .addColumn('status', 'smallint', (c) => c.notNull())
      .addColumn('notice', 'smallint')
      .addColumn('flow', 'text')
      .addPrimaryKeyConstraint('eval_transfers_key', ['mkey', 'mba', 'origin_report', 'origin_line'])
      .$call(lean)
      .execute();
    await s
      .createIndex('eval_transfers_alarmed')
      .on('eval_transfers')
      .columns(['mba', 'origin_report', 'origin_line'])
      .where(sql<boolean>`status <> 0 or notice is not null`)
      .execute();
    await s
      .createIndex('eval_transfers_flow')
      .on('eval_transfers')
      .column('flow')
      .where(sql.ref('flow'), 'is not', null)
      .execute();
    await s
      .createTable('eval_transfer_counts')
      .addColumn('mba', 'text', (c) => c.notNull())
      .addColumn('kind', 'smallint', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('element', 'text', (c) => c.notNull())
      .addColumn('n', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('eval_transfer_counts_key', ['mba', 'kind', 'day', 'element'])
      .$call(lean)
      .execute();
    const any = await db
      .selectFrom('reports' as never)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    if (Number((any as { n: number | string }).n) > 0) {
      // Every MBA is built again (its cells too: one code path), resumably.
      await db.deleteFrom('eval_built' as never).execute();
      await db
        .updateTable('eval_status' as never)
        .set({ built: 0 } as never)
        .execute();
    }
  };
}
