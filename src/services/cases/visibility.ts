import { type CaseActor, type CaseViewer, viewCaseFor } from '../../domain/cases/index.js';
import { utcDateOf } from '../../domain/deadlines/index.js';
import { DomainError } from '../../domain/errors.js';
import {
  decide,
  isGlobalAdmin,
  isInspectorate,
  type Principal,
  type StateScope,
} from '../../domain/policy/index.js';
import { listSharesOf, pageCases } from '../../store/cases.repo.js';
import { isoNow, type Ports } from '../ports.js';
import { enforce, scopeOf } from '../scope.js';
import type { CaseFilter, CaseSummary, CaseView, StoredCase } from './cases.types.js';
import { loadCase, summaryOf, toCase, viewOf } from './stored-case.js';

/** Who the principal is to a case: a state, an inspectorate (with its scope), or the node admin. */
function viewerOf(p: Principal, scope: StateScope): CaseViewer | 'admin' {
  if (isGlobalAdmin(p)) return 'admin';
  if (isInspectorate(p) && p.organisationId !== null) {
    return {
      kind: 'inspectorate',
      inspectorate: p.organisationId,
      states: scope === 'all' ? 'all' : [...scope],
    };
  }
  if (p.state !== null) return { kind: 'state', state: p.state };
  throw new DomainError('FORBIDDEN', 'only states and inspectorates have cases');
}

/** The node admin reads every case, as a state would (never an inspectorate's internal notes). */
function viewAs(viewer: CaseViewer | 'admin', c: StoredCase): StoredCase | undefined {
  const v: CaseViewer = viewer === 'admin' ? { kind: 'state', state: c.state } : viewer;
  // viewCaseFor only drops events and notes, so what it answers is still a stored case.
  return viewCaseFor(v, c) as StoredCase | undefined;
}

/** Who acts on a case: its owning inspectorate or its state; a partner or the node admin only read. */
export function actorOf(p: Principal, scope: StateScope, c: StoredCase): CaseActor {
  if (isInspectorate(p) && p.organisationId !== null) {
    enforce(p, 'inspect', scope, { state: c.state });
    return { kind: 'inspectorate', inspectorate: p.organisationId, user: p.userId };
  }
  if (p.state !== null && p.state === c.state && !isGlobalAdmin(p)) {
    enforce(p, 'data.read', scope, { state: c.state });
    return { kind: 'state', state: p.state, user: p.userId };
  }
  throw new DomainError('FORBIDDEN', 'only the owning inspectorate and the state act on a case');
}

/** A case the caller may see: the whole case, what the caller sees of it, and the caller's scope. */
export interface VisibleCase {
  readonly c: StoredCase;
  readonly seen: StoredCase;
  readonly scope: StateScope;
}

/** Reading cases (domain/cases visibility): who sees which case, and which of its notes. */
export function createCaseReader(ports: Pick<Ports, 'db' | 'clock'>) {
  const k = ports.db.kysely;
  const today = () => utcDateOf(isoNow(ports.clock));

  async function readerOf(p: Principal): Promise<{ scope: StateScope; viewer: CaseViewer | 'admin' }> {
    const scope = await scopeOf(ports, p);
    if (decide(p, 'data.read', scope) === 'forbidden')
      throw new DomainError('FORBIDDEN', 'your roles do not allow reading cases');
    return { scope, viewer: viewerOf(p, scope) };
  }

  /** The case as `p` may see it; NOT_FOUND when it does not exist or `p` may not see it. */
  async function visibleCase(p: Principal, id: string): Promise<VisibleCase> {
    const { scope, viewer } = await readerOf(p);
    const c = await loadCase(k, id);
    const seen = c && viewAs(viewer, c);
    if (!c || !seen) throw new DomainError('NOT_FOUND', 'no such case');
    return { c, seen, scope };
  }

  /**
   * The view of a case's log records (issue 15 item 1): a transition or message record is shown
   * only when the caller's view of the case shows that event whole. A record commits the event's
   * note, so a transition whose internal note the caller may not read stays hidden (404), as the
   * internal note itself does; redacting it would break the commitment.
   */
  async function visibleEvent(p: Principal, caseId: string, seq: number): Promise<void> {
    const { c, seen } = await visibleCase(p, caseId);
    const whole = c.history.find((e) => e.seq === seq);
    const shown = seen.history.find((e) => e.seq === seq);
    if (!whole || !shown || (whole.note !== undefined && shown.note === undefined))
      throw new DomainError('NOT_FOUND', 'no such record');
  }

  return {
    visibleCase,
    visibleEvent,
    today,

    async list(
      p: Principal,
      filter: CaseFilter,
    ): Promise<{ items: CaseSummary[]; total: number; limit: number; offset: number }> {
      const { viewer } = await readerOf(p);
      const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
      const offset = Math.max(filter.offset ?? 0, 0);
      const { rows, total } = await pageCases(k, viewer, filter, { limit, offset });
      const shares = await listSharesOf(
        k,
        rows.map((r) => r.id),
      );
      const d = today();
      const items = rows.map((r) => {
        const sharedWith = shares.filter((s) => s.case_id === r.id).map((s) => s.inspectorate);
        return summaryOf(toCase(r, sharedWith, []), d);
      });
      return { items, total, limit, offset };
    },

    async get(p: Principal, id: string): Promise<CaseView> {
      return viewOf((await visibleCase(p, id)).seen, today());
    },
  };
}

export type CaseReader = ReturnType<typeof createCaseReader>;
