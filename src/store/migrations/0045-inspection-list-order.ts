import type { Kysely } from 'kysely';

/**
 * The inspection and designation lists paged in SQL (issue 14, docs/decisions/0090). A page is
 * read in the list's order (inspections by start then id, designations as proposed) and stops
 * after its rows, so each order gets an index that walks it: alone (a global administrator), within
 * a state (a state, or an inspectorate's states one by one), within an inspectorate's proposals.
 * A facility's inspections by start also serve the routine effort each routine inspection of a
 * page carries (a year of the facility, services/inspections/effort.ts), and the facility filter.
 * `inspections_state_idx` (0006) is the new state index's prefix: it goes. Plain indexes, the
 * same on both dialects; building them reads each table once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  await s.createIndex('inspections_start_idx').on('inspections').columns(['starts_at', 'id']).execute();
  await s
    .createIndex('inspections_state_start_idx')
    .on('inspections')
    .columns(['state', 'starts_at', 'id'])
    .execute();
  await s
    .createIndex('inspections_facility_start_idx')
    .on('inspections')
    .columns(['facility', 'starts_at'])
    .execute();
  await s.dropIndex('inspections_state_idx').execute();
  await s
    .createIndex('inspector_designations_order_idx')
    .on('inspector_designations')
    .columns(['created_at', 'id'])
    .execute();
  await s
    .createIndex('inspector_designations_state_idx')
    .on('inspector_designations')
    .columns(['state', 'created_at', 'id'])
    .execute();
  await s
    .createIndex('inspector_designations_inspectorate_idx')
    .on('inspector_designations')
    .columns(['inspectorate', 'created_at', 'id'])
    .execute();
}
