import { INSPECTION_TYPE_INFO } from '../../domain/inspections/index.js';
import type { ProvisionBasis } from '../../domain/legal/index.js';
import { inScope, isGlobalAdmin, isInspectorate, type Principal } from '../../domain/policy/index.js';
import { createInspectionsRepo } from '../../store/inspections.repo.js';
import type { InspectionRow } from '../../store/schema.types.js';
import type { Ports } from '../ports.js';
import { enforce, scopeOf } from '../scope.js';
import { createInspectionAccess, type View } from './access.js';
import { ROUTINE_TYPES, summariseEffort, yearOf } from './effort.js';
import type { Inspection } from './inspections.types.js';
import { noticeBasisOf, parseList, parseTerms } from './rows.js';

const withBasis = (basis: ProvisionBasis | undefined) => (basis === undefined ? {} : { noticeBasis: basis });

/** An inspection as its viewer sees it: the state gets the notice part, a participant all of it. */
export function createInspectionView(ports: Pick<Ports, 'db'>) {
  const repo = createInspectionsRepo(ports.db.kysely);
  return async function toInspection(row: InspectionRow, view: View): Promise<Inspection> {
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
    if (view === 'state') return base;
    return {
      ...base,
      facilityKind: row.facility_kind,
      terms: parseTerms(row.notice_terms),
      requiredNoticeHours: row.required_notice_hours,
      plannedManDays: row.planned_man_days,
      activities: await repo.listActivities(row.id),
      ...(ROUTINE_TYPES.includes(type)
        ? { effort: await summariseEffort(repo, row.facility, yearOf(row.starts_at)) }
        : {}),
    };
  };
}

/** Reading inspections, one or a list, each in the caller's view. */
export function createInspectionReading(ports: Pick<Ports, 'db'>) {
  const repo = createInspectionsRepo(ports.db.kysely);
  const access = createInspectionAccess(ports);
  const toInspection = createInspectionView(ports);
  return {
    async getInspection(p: Principal, id: string): Promise<Inspection> {
      const { row, view } = await access(p, id, 'read');
      return toInspection(row, view);
    },

    async listInspections(
      p: Principal,
      filter: { state?: string; facility?: string },
    ): Promise<Inspection[]> {
      const scope = await scopeOf(ports, p);
      enforce(p, 'data.read', scope, filter.state === undefined ? {} : { state: filter.state });
      const out: Inspection[] = [];
      for (const row of await repo.listInspections(filter)) {
        if (!inScope(scope, row.state)) continue;
        if (isGlobalAdmin(p)) out.push(await toInspection(row, 'inspectorate'));
        else if (isInspectorate(p)) {
          if (parseList(row.participants).includes(p.organisationId ?? '')) {
            out.push(await toInspection(row, 'inspectorate'));
          }
        } else if (!(row.type === 'unannounced' && row.arrived_at === null)) {
          out.push(await toInspection(row, 'state'));
        }
      }
      return out;
    },
  };
}
