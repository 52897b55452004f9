import { createHash } from 'node:crypto';
import { canonicalizeRecord } from '../../log/index.js';
import { createDeclarationsRepo } from '../../store/declarations.repo.js';
import type { DeclarationItemRow, DeclarationRow } from '../../store/schema.types.js';
import { pagedIds, registerContentLoader, registerRowLister } from '../record-content.js';

export const declarationRecordId = (id: string) => `declaration:${id}`;

/**
 * SHA-256 of the items as stored, every column included (the fields as declared and the columns
 * the cross-checks join on), in item order: a changed, deleted or inserted item row changes it.
 */
export function itemsDigest(items: readonly DeclarationItemRow[]): string {
  const h = createHash('sha256');
  for (const it of items) {
    h.update(
      canonicalizeRecord([
        it.idx,
        it.state,
        it.article,
        it.annex_ref,
        it.element,
        it.quantity_milli,
        it.counterpart,
        it.item_date,
        JSON.parse(it.fields_json) as unknown,
      ]),
    );
    h.update('\n');
  }
  return h.digest('hex');
}

/**
 * What a declaration's log commitment covers (decision 0032): its header, who signed it with
 * which key, the SHA-256 of the signed bytes as stored and the digest of the stored items. Built
 * from rows only, so `custos audit` rebuilds it and names a declaration whose rows were changed.
 */
export function declarationContent(
  r: Omit<DeclarationRow, 'log_index'>,
  bodySha256: string,
  items: readonly DeclarationItemRow[],
) {
  return {
    v: 1,
    id: r.id,
    state: r.state,
    organisation: r.organisation_id,
    article: r.article,
    period: { from: r.period_from, to: r.period_to },
    supplements: r.supplements,
    itemCount: Number(r.item_count),
    itemsSha256: itemsDigest(items),
    bodySha256,
    keyId: r.key_id,
    signature: r.signature,
    submittedAt: r.submitted_at,
    submittedBy: r.submitted_by,
  };
}

registerContentLoader('declaration', async (db, recordId) => {
  if (!recordId.startsWith('declaration:')) return undefined;
  const id = recordId.slice('declaration:'.length);
  const repo = createDeclarationsRepo(db);
  const row = await repo.get(id);
  if (!row) return undefined;
  const body = await repo.body(id);
  const { log_index: _l, supplemented_by: _s, ...rest } = row;
  return declarationContent(
    rest,
    body ? createHash('sha256').update(body).digest('hex') : 'missing',
    await repo.items(id),
  );
});
// Declarations grow with the years: their ids are listed a page at a time.
registerRowLister('declaration', (db) => pagedIds(db, 'declarations', declarationRecordId));
