import { DomainError } from '../domain/errors.js';
import { inScope, isGlobalAdmin, type Principal } from '../domain/policy/index.js';
import { createRecordsRepo } from '../store/records.repo.js';
import type { Ports } from './ports.js';
import { contentLoaderFor } from './record-content.js';
import { enforce, scopeOf } from './scope.js';

/**
 * A logged record the caller may read: records about a state are visible within that state's
 * scope, an organisation sees its own, and registry-wide records (agreements) are visible to
 * every authenticated user. Outside that: 404, existence not revealed.
 */
export async function findVisibleRecord(ports: Ports, p: Principal, id: string) {
  const rec = await createRecordsRepo(ports.db).find(id);
  const scope = await scopeOf(ports, p);
  const visible =
    rec !== undefined &&
    (isGlobalAdmin(p) ||
      rec.subject_org === p.organisationId ||
      (rec.subject_state !== null && inScope(scope, rec.subject_state)) ||
      (rec.subject_state === null && rec.subject_org === null));
  if (!rec || !visible) throw new DomainError('NOT_FOUND', 'no such record');
  enforce(p, 'log.read', scope);
  return rec;
}

/** The record's committed content and salt: with them anyone can recompute the leaf's commitment. */
export async function recordWithContent(ports: Ports, p: Principal, id: string) {
  const rec = await findVisibleRecord(ports, p, id);
  const loader = contentLoaderFor(rec.kind);
  const content = loader ? await loader(ports.db, rec.id) : undefined;
  if (content === undefined) throw new DomainError('NOT_FOUND', 'the record content is not available');
  return {
    id: rec.id,
    kind: rec.kind,
    logIndex: rec.log_index,
    createdAt: rec.created_at,
    salt: Buffer.from(rec.salt).toString('base64'),
    content,
    receiptUrl: `/api/records/${encodeURIComponent(rec.id)}/receipt`,
  };
}
