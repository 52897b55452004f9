import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Inspections and verification (issue 7): planned inspections with their notice, the joint
 * split of activities, inspector designations, logged sampling draws, verification strata and
 * items, findings, and each inspectorate's signed statement. Forward-only: never edit once landed.
 * Statistics are floating point (domain.md §6), hence `double precision` (REAL in SQLite).
 */
export function up(_dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    const s = db.schema;
    await s
      .createTable('inspections')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('facility', 'text', (c) => c.notNull().references('facilities.code'))
      .addColumn('state', 'text', (c) => c.notNull().references('states.code'))
      .addColumn('facility_kind', 'text', (c) => c.notNull())
      /** JSON array of MBA codes covered. */
      .addColumn('mbas', 'text', (c) => c.notNull())
      /** JSON array of the one or two participating inspectorates (organisation ids). */
      .addColumn('participants', 'text', (c) => c.notNull())
      .addColumn('starts_at', 'text', (c) => c.notNull())
      .addColumn('notice_given_at', 'text')
      .addColumn('arrived_at', 'text')
      /** JSON object: forTransfer, combinedWithInspection, consultationAt, agreedNoticeHours. */
      .addColumn('notice_terms', 'text', (c) => c.notNull())
      .addColumn('required_notice_hours', 'double precision', (c) => c.notNull())
      .addColumn('planned_man_days', 'double precision', (c) => c.notNull())
      .addColumn('inventory_ekg', 'double precision')
      .addColumn('throughput_ekg', 'double precision')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('inspections_state_idx').on('inspections').column('state').execute();
    await s
      .createTable('inspection_activities')
      .addColumn('inspection_id', 'text', (c) => c.notNull().references('inspections.id'))
      .addColumn('activity', 'text', (c) => c.notNull())
      .addColumn('inspectorate', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('inspection_activities_pk', ['inspection_id', 'activity'])
      .execute();
    await s
      .createTable('inspector_designations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('inspectorate', 'text', (c) => c.notNull().references('organisations.id'))
      .addColumn('state', 'text', (c) => c.notNull().references('states.code'))
      .addColumn('inspector', 'text', (c) => c.notNull())
      .addColumn('received_on', 'text', (c) => c.notNull())
      .addColumn('decision', 'text')
      .addColumn('decided_on', 'text')
      .addColumn('decided_by', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute();
    await s
      .createTable('sampling_draws')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('inspection_id', 'text', (c) => c.references('inspections.id'))
      .addColumn('organisation_id', 'text')
      .addColumn('state', 'text')
      .addColumn('population', 'integer', (c) => c.notNull())
      .addColumn('average_content', 'double precision', (c) => c.notNull())
      .addColumn('goal_quantity', 'double precision', (c) => c.notNull())
      .addColumn('non_detection_probability', 'double precision', (c) => c.notNull())
      .addColumn('defect_level', 'text', (c) => c.notNull())
      .addColumn('sample_size', 'integer', (c) => c.notNull())
      .addColumn('defects_to_detect', 'integer', (c) => c.notNull())
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('seed', 'text', (c) => c.notNull())
      /** JSON arrays: the population's item ids as given, and the drawn sample in draw order. */
      .addColumn('item_ids', 'text', (c) => c.notNull())
      .addColumn('sample', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute();
    await s
      .createTable('inspection_strata')
      .addColumn('inspection_id', 'text', (c) => c.notNull().references('inspections.id'))
      .addColumn('stratum', 'text', (c) => c.notNull())
      .addColumn('mba', 'text')
      .addColumn('activity', 'text', (c) => c.notNull())
      .addColumn('population', 'integer', (c) => c.notNull())
      .addColumn('operator_random', 'double precision', (c) => c.notNull())
      .addColumn('operator_systematic', 'double precision', (c) => c.notNull())
      .addColumn('inspector_random', 'double precision', (c) => c.notNull())
      .addColumn('inspector_systematic', 'double precision', (c) => c.notNull())
      .addColumn('goal_quantity', 'double precision')
      .addColumn('sampling_draw_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('inspection_strata_pk', ['inspection_id', 'stratum'])
      .execute();
    await s
      .createTable('inspection_items')
      .addColumn('inspection_id', 'text', (c) => c.notNull())
      .addColumn('stratum', 'text', (c) => c.notNull())
      .addColumn('item_id', 'text', (c) => c.notNull())
      .addColumn('declared', 'double precision', (c) => c.notNull())
      .addColumn('measured', 'double precision')
      /** 1 present, 0 absent, null not checked; likewise seal_intact. */
      .addColumn('present', 'integer')
      .addColumn('seal_intact', 'integer')
      .addColumn('recorded_by', 'text', (c) => c.notNull())
      .addColumn('recorded_org', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('inspection_items_pk', ['inspection_id', 'stratum', 'item_id'])
      .execute();
    await s
      .createTable('inspection_findings')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('inspection_id', 'text', (c) => c.notNull().references('inspections.id'))
      /** Stable cause key (verification: the domain Finding key); unique per inspection. */
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('stratum', 'text')
      /** JSON arrays of item ids and MBA codes. */
      .addColumn('items', 'text', (c) => c.notNull())
      .addColumn('mbas', 'text', (c) => c.notNull())
      .addColumn('value', 'double precision')
      .addColumn('sigma', 'double precision')
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('case_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addUniqueConstraint('inspection_findings_key_uq', ['inspection_id', 'key'])
      .execute();
    await s
      .createTable('inspection_statements')
      .addColumn('inspection_id', 'text', (c) => c.notNull().references('inspections.id'))
      .addColumn('organisation_id', 'text', (c) => c.notNull())
      /** The statement exactly as signed: its RFC 8785 canonical JSON text. */
      .addColumn('statement', 'text', (c) => c.notNull())
      .addColumn('signature', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('inspection_statements_pk', ['inspection_id', 'organisation_id'])
      .execute();
  };
}
