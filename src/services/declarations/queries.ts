import { articleSpec, declarationCovers, isDeclarationArticle } from '../../domain/declarations/index.js';
import { DomainError } from '../../domain/errors.js';
import { computeDeclarationScope, type Principal, type StateScope } from '../../domain/policy/index.js';
import { createDeclarationsRepo, type DeclarationSummaryRow } from '../../store/declarations.repo.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import type { Ports } from '../ports.js';
import { enforce } from '../scope.js';
import { declarationRecordId } from './content.js';

/** Whose declarations the caller may read: the Additional Protocols in force (policy). */
export async function declarationScopeOf(ports: Pick<Ports, 'db'>, p: Principal): Promise<StateScope> {
  return computeDeclarationScope(p, await createRegistryRepo(ports.db).listAgreements());
}

/** Reading a State's declarations: its own users, inspectorates party to its Protocol (else 404). */
export async function assertDeclarationsReadable(
  ports: Pick<Ports, 'db'>,
  p: Principal,
  state: string | null,
) {
  enforce(p, 'data.read', await declarationScopeOf(ports, p), { state: state ?? '' });
}

function summary(r: DeclarationSummaryRow) {
  const article = isDeclarationArticle(r.article) ? r.article : undefined;
  return {
    id: r.id,
    state: r.state,
    article: r.article,
    ref: article ? articleSpec(article).ref : null,
    covers: article ? declarationCovers(article, { from: r.period_from, to: r.period_to }).kind : null,
    period: { from: r.period_from, to: r.period_to },
    supplements: r.supplements,
    supplementedBy: r.supplemented_by,
    itemCount: Number(r.item_count),
    locked: true as const,
    submittedAt: r.submitted_at,
    submittedBy: r.submitted_by,
    keyId: r.key_id,
    logIndex: r.log_index,
    receiptUrl: `/api/records/${encodeURIComponent(declarationRecordId(r.id))}/receipt`,
  };
}

export function createDeclarationQueries(ports: Ports) {
  const repo = createDeclarationsRepo(ports.db);
  async function visible(p: Principal, id: string) {
    const row = await repo.get(id);
    // Unknown and out of scope answer alike, so a declaration's existence is not revealed.
    if (!row) throw new DomainError('NOT_FOUND', 'no such declaration');
    await assertDeclarationsReadable(ports, p, row.state);
    return row;
  }
  return {
    async get(p: Principal, id: string) {
      const row = await visible(p, id);
      const items = await repo.items(id);
      return {
        ...summary(row),
        signature: row.signature,
        items: items.map((it) => JSON.parse(it.fields_json) as Record<string, string | number>),
        history: await repo.chainOf(id),
      };
    },
    async body(p: Principal, id: string): Promise<Uint8Array> {
      await visible(p, id);
      const body = await repo.body(id);
      if (!body) throw new DomainError('NOT_FOUND', 'the signed body is not available');
      return body;
    },
    async list(
      p: Principal,
      q: { state?: string | undefined; article?: string | undefined; limit: number; offset: number },
    ) {
      const scope = await declarationScopeOf(ports, p);
      if (q.state !== undefined) enforce(p, 'data.read', scope, { state: q.state });
      else enforce(p, 'data.read', scope);
      const { rows, total } = await repo.list({ ...q, states: scope === 'all' ? 'all' : [...scope] });
      return { items: rows.map(summary), total, limit: q.limit, offset: q.offset };
    },
    /**
     * Any change or deletion of a submitted declaration (PUT, PATCH, DELETE): refused with
     * DECLARATION_LOCKED (409) once the caller may see it; a change is a new declaration that
     * supplements it.
     */
    async refuseChange(p: Principal, id: string): Promise<never> {
      const row = await visible(p, id);
      throw new DomainError(
        'DECLARATION_LOCKED',
        `declaration ${id} was submitted and is locked; submit a declaration with "supplements": "${row.supplemented_by ?? id}" to amend it`,
        { id, supplementedBy: row.supplemented_by },
      );
    },
  };
}

export type DeclarationQueries = ReturnType<typeof createDeclarationQueries>;
