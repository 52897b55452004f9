import { type Kysely, sql } from 'kysely';

/**
 * The rules of issue 18 §5 that look beyond one device (decision 0038). Forward-only: never edit
 * once landed.
 * - `device_seal_openings`: each opening of a seal (its own seal-open to its seal-close), by
 *   facility and containment, so a camera's batch finds whether its containment was open by an
 *   index range read (CAMERA_UNDECLARED), whatever the seals' history.
 * - `device_gate_days`: a gate monitor's items counted per UTC day and direction, added to as
 *   batches arrive; `check_after` says when the day is next compared with the state's
 *   declarations (GATE_MISMATCH), indexed so a pass reads only the days due.
 * - `report_lines_kmp`: the ICR lines through a KMP on a date, by index (the declarations a gate
 *   day is compared with), partial: most lines name no KMP.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  await s
    .createTable('device_seal_openings')
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('facility', 'text', (c) => c.notNull())
    .addColumn('containment', 'text', (c) => c.notNull())
    .addColumn('from_at', 'text', (c) => c.notNull())
    .addColumn('to_at', 'text')
    .addPrimaryKeyConstraint('device_seal_openings_pk', ['device', 'from_at'])
    .execute();
  await s
    .createIndex('device_seal_openings_containment')
    .on('device_seal_openings')
    .columns(['facility', 'containment', 'from_at'])
    .execute();
  await s
    .createTable('device_gate_days')
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('counted_in', 'bigint', (c) => c.notNull())
    .addColumn('counted_out', 'bigint', (c) => c.notNull())
    .addColumn('check_after', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('device_gate_days_pk', ['device', 'day'])
    .execute();
  await s.createIndex('device_gate_days_due').on('device_gate_days').column('check_after').execute();
  await s
    .createIndex('report_lines_kmp')
    .on('report_lines')
    .columns(['kmp', 'date'])
    .where(sql.ref('kmp'), 'is not', null)
    .execute();
}
