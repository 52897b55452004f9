import type { Kysely } from 'kysely';

/**
 * Domestic-law compatibility (issue 19 item 2, decision 0033). Forward-only: never edit once landed.
 * - compatibility_versions: every version of a state's entry for one international provision
 *   (by its citable ref); versions are only ever added, the latest is the entry in force, and
 *   each one is committed to the log. `step` names the workflow step that set it, if one did.
 * - compatibility_steps: the review workflow (review → amendment → adoption), one row per step,
 *   with the exact signed bytes, the key and the signature, each committed to the log.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  await s
    .createTable('compatibility_versions')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('provision', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('act', 'text')
    .addColumn('section', 'text')
    .addColumn('text', 'text')
    .addColumn('in_force_from', 'text')
    .addColumn('in_force_to', 'text')
    .addColumn('institution', 'text')
    .addColumn('note', 'text')
    .addColumn('evidence', 'text')
    .addColumn('step', 'integer')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('compatibility_versions_pk', ['state', 'provision', 'version'])
    .execute();
  // The harmonization view reads one provision across states.
  await s
    .createIndex('compatibility_versions_provision')
    .on('compatibility_versions')
    .columns(['provision', 'state', 'version'])
    .execute();
  await s
    .createTable('compatibility_steps')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('provision', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('organisation_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('compatibility_steps_pk', ['state', 'provision', 'seq'])
    .execute();
}
