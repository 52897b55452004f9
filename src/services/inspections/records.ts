import { registerContentLoader, registerRowLister } from '../record-content.js';
import { drawContent, statementContent } from './repo.js';

/**
 * How `custos audit` rebuilds the two inspection record kinds from their rows (see
 * record-content.ts): a sampling draw (so the seed and the sample can be re-drawn and compared)
 * and a signed statement. Importing this module registers them; the service imports it.
 */
function after(id: string, prefix: string): string | undefined {
  return id.startsWith(prefix) ? id.slice(prefix.length) : undefined;
}

registerContentLoader('sampling-draw', async (db, id) => {
  const drawId = after(id, 'sampling-draw:');
  if (!drawId) return undefined;
  const row = await db.kysely
    .selectFrom('sampling_draws')
    .selectAll()
    .where('id', '=', drawId)
    .executeTakeFirst();
  return row && drawContent(row);
});

registerContentLoader('inspection-statement', async (db, id) => {
  const rest = after(id, 'inspection-statement:');
  const cut = rest?.indexOf(':') ?? -1;
  if (!rest || cut < 0) return undefined;
  const row = await db.kysely
    .selectFrom('inspection_statements')
    .selectAll()
    .where('inspection_id', '=', rest.slice(0, cut))
    .where('organisation_id', '=', rest.slice(cut + 1))
    .executeTakeFirst();
  return row && statementContent(row);
});

registerRowLister('sampling-draw', async (db) =>
  (await db.kysely.selectFrom('sampling_draws').select('id').execute()).map((r) => `sampling-draw:${r.id}`),
);
registerRowLister('inspection-statement', async (db) =>
  (
    await db.kysely.selectFrom('inspection_statements').select(['inspection_id', 'organisation_id']).execute()
  ).map((r) => `inspection-statement:${r.inspection_id}:${r.organisation_id}`),
);

/** Referenced by the service so bundlers and readers see why this module is imported. */
export const INSPECTION_RECORD_KINDS = ['sampling-draw', 'inspection-statement'] as const;
