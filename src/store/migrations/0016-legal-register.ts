import type { Kysely } from 'kysely';

/**
 * The legal register (issue 19, decision 0031). Forward-only: never edit once landed.
 * - `legal_instruments`: one row per instrument, naming its current version.
 * - `legal_instrument_versions` and `legal_provisions`: every version as submitted, kept for
 *   good (a change makes a new version; each version is a log record the audit rebuilds from
 *   these rows).
 * - `legal_instrument_parties`: the current version's parties, to find what binds a state in SQL.
 * - `legal_provision_refs`: which instrument holds each citation, so a ref names one provision.
 * - `institution_role_versions` and `institution_roles`: per state, which institution holds
 *   which duty (who submits, who grants access, who receives notices), versioned the same way.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  await s
    .createTable('legal_instruments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('in_force_date', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s
    .createTable('legal_instrument_versions')
    .addColumn('instrument_id', 'text', (c) => c.notNull().references('legal_instruments.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('parties_json', 'text', (c) => c.notNull())
    .addColumn('signature_date', 'text')
    .addColumn('in_force_date', 'text')
    .addColumn('suspended_date', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('legal_instrument_versions_pk', ['instrument_id', 'version'])
    .execute();
  await s
    .createTable('legal_provisions')
    .addColumn('instrument_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('obligations_json', 'text')
    .addPrimaryKeyConstraint('legal_provisions_pk', ['instrument_id', 'version', 'position'])
    .execute();
  await s.createIndex('legal_provisions_ref').on('legal_provisions').columns(['ref', 'version']).execute();
  await s
    .createTable('legal_instrument_parties')
    .addColumn('instrument_id', 'text', (c) => c.notNull().references('legal_instruments.id'))
    .addColumn('party', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('legal_instrument_parties_pk', ['instrument_id', 'party'])
    .execute();
  await s
    .createIndex('legal_instrument_parties_party')
    .on('legal_instrument_parties')
    .columns(['party', 'instrument_id'])
    .execute();
  await s
    .createTable('legal_provision_refs')
    .addColumn('ref', 'text', (c) => c.primaryKey())
    .addColumn('instrument_id', 'text', (c) => c.notNull().references('legal_instruments.id'))
    .execute();
  await s
    .createTable('institution_role_versions')
    .addColumn('state', 'text', (c) => c.notNull().references('states.code'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('institution_role_versions_pk', ['state', 'version'])
    .execute();
  await s
    .createTable('institution_roles')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('duty', 'text', (c) => c.notNull())
    .addColumn('organisation', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('basis', 'text')
    .addPrimaryKeyConstraint('institution_roles_pk', ['state', 'version', 'duty', 'organisation'])
    .execute();
}
