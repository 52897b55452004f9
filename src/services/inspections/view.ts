import { INSPECTION_TYPE_INFO } from '../../domain/inspections/index.js';
import type { ProvisionBasis } from '../../domain/legal/index.js';
import type { Principal } from '../../domain/policy/index.js';
import { pageInspections } from '../../store/inspection-lists.repo.js';
import { createInspectionsRepo } from '../../store/inspections.repo.js';
import type { Page } from '../../store/paging.js';
import type { InspectionRow } from '../../store/schema.types.js';
import type { Ports } from '../ports.js';
import { enforce, scopeOf } from '../scope.js';
import { createInspectionAccess, inspectionsListedFor, type View } from './access.js';
import { effortKey, ROUTINE_TYPES, summariseEfforts, yearOf } from './effort.js';
import type { EffortSummary, Inspection } from './inspections.types.js';
import { noticeBasisOf, parseList, parseTerms } from './rows.js';

const withBasis = (basis: ProvisionBasis | undefined) => (basis === undefined ? {} : { noticeBasis: basis });

/** What the inspectorate's view adds to a row: its activities, and its facility's effort when routine. */
interface Extras {
  readonly activities: readonly { readonly activity: string; readonly inspectorate: string }[];
  readonly effort: EffortSummary | undefined;
}

/** An inspection as its viewer sees it: the state gets the notice part, a participant all of it. */
function inspectionOf(row: InspectionRow, view: View, extras: Extras | undefined): Inspection {
  const type = row.type;
  const base = {
    id: row.id,
    type,
    purpose: INSPECTION_TYPE_INFO[type].purpose,
    noticeRule: INSPECTION_TYPE_INFO[type].notice,
    ...withBasis(noticeBasisOf(row.notice_terms)),
    facility: row.facility,
    state: row.state,
    mbas: parseList(row.mbas),
    participants: parseList(row.participants),
    startsAt: row.starts_at,
    noticeGivenAt: row.notice_given_at,
    arrivedAt: row.arrived_at,
    status: row.status,
    createdAt: row.created_at,
  };
  if (view === 'state' || extras === undefined) return base;
  return {
    ...base,
    facilityKind: row.facility_kind,
    terms: parseTerms(row.notice_terms),
    requiredNoticeHours: row.required_notice_hours,
    plannedManDays: row.planned_man_days,
    activities: extras.activities,
    ...(extras.effort === undefined ? {} : { effort: extras.effort }),
  };
}

const isRoutine = (row: InspectionRow) => ROUTINE_TYPES.includes(row.type);

/** Inspections in the caller's view, a page at once (one is a page of one). */
export function createInspectionView(ports: Pick<Ports, 'db'>) {
  const repo = createInspectionsRepo(ports.db.kysely);
  /** A page's rows: two statements for all their activities and efforts, not two per row. */
  async function toInspections(rows: readonly InspectionRow[], view: View): Promise<Inspection[]> {
    if (view === 'state') return rows.map((r) => inspectionOf(r, view, undefined));
    const activities = await repo.listActivitiesOf(rows.map((r) => r.id));
    const efforts = await summariseEfforts(
      repo,
      rows.filter(isRoutine).map((r) => ({ facility: r.facility, year: yearOf(r.starts_at) })),
    );
    return rows.map((r) =>
      inspectionOf(r, view, {
        activities: activities.get(r.id) ?? [],
        effort: isRoutine(r) ? efforts.get(effortKey(r.facility, yearOf(r.starts_at))) : undefined,
      }),
    );
  }
  return {
    toInspections,
    /** One row, as a page of one. */
    toInspection: async (row: InspectionRow, view: View): Promise<Inspection> =>
      (await toInspections([row], view))[0] as Inspection,
  };
}

export interface InspectionListQuery {
  readonly state?: string | undefined;
  readonly facility?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly limit: number;
  readonly offset: number;
}

/** Reading inspections, one or a page of the list, each in the caller's view. */
export function createInspectionReading(ports: Pick<Ports, 'db'>) {
  const access = createInspectionAccess(ports);
  const { toInspection, toInspections } = createInspectionView(ports);
  return {
    async getInspection(p: Principal, id: string): Promise<Inspection> {
      const { row, view } = await access(p, id, 'read');
      return toInspection(row, view);
    },

    /**
     * A page of the inspections the caller may open, by start then id: who sees which is decided
     * in SQL (access.ts `inspectionsListedFor`, the list's form of `access`), so the page and its
     * total are the rows the single reads would answer.
     */
    async listInspections(p: Principal, q: InspectionListQuery): Promise<Page<Inspection>> {
      const scope = await scopeOf(ports, p);
      enforce(p, 'data.read', scope, q.state === undefined ? {} : { state: q.state });
      const { shown, view } = inspectionsListedFor(p, scope);
      const { rows, total } = await pageInspections(
        ports.db.kysely,
        { ...shown, state: q.state, facility: q.facility, from: q.from, to: q.to },
        q,
      );
      return { items: await toInspections(rows, view), total, limit: q.limit, offset: q.offset };
    },
  };
}
