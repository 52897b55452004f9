import { createInspectionsRepo } from '../../store/inspections.repo.js';
import { registerContentLoader, registerRowLister } from '../record-content.js';
import { drawContent, statementContent } from './rows.js';

/**
 * How `custos audit` rebuilds the two inspection record kinds from their rows (see
 * record-content.ts): a sampling draw (so the seed and the sample can be re-drawn and compared)
 * and a signed statement. Importing this module registers them; the service and the audit import it.
 */
function after(id: string, prefix: string): string | undefined {
  return id.startsWith(prefix) ? id.slice(prefix.length) : undefined;
}

registerContentLoader('sampling-draw', async (db, id) => {
  const drawId = after(id, 'sampling-draw:');
  if (!drawId) return undefined;
  const row = await createInspectionsRepo(db.kysely).getDraw(drawId);
  return row && drawContent(row);
});

registerContentLoader('inspection-statement', async (db, id) => {
  const rest = after(id, 'inspection-statement:');
  const cut = rest?.indexOf(':') ?? -1;
  if (!rest || cut < 0) return undefined;
  const row = await createInspectionsRepo(db.kysely).getStatement(rest.slice(0, cut), rest.slice(cut + 1));
  return row && statementContent(row);
});

registerRowLister('sampling-draw', async (db) =>
  (await createInspectionsRepo(db.kysely).listDrawIds()).map((id) => `sampling-draw:${id}`),
);
registerRowLister('inspection-statement', async (db) =>
  (await createInspectionsRepo(db.kysely).listStatementKeys()).map(
    (r) => `inspection-statement:${r.inspection_id}:${r.organisation_id}`,
  ),
);
