import { DomainError, type ErrorDetail } from '../../domain/errors.js';
import { type JointActivity, validateAssignments } from '../../domain/inspections/index.js';
import { problemOf } from '../../domain/particulars.js';
import { computeStateScope, inScope, isGlobalAdmin, type Principal } from '../../domain/policy/index.js';
import { createInspectionsRepo, type InspectionsRepo } from '../../store/inspections.repo.js';
import type { RegistryRepo } from '../../store/registry.repo.js';
import type { InspectionRow } from '../../store/schema.types.js';
import type { Ports } from '../ports.js';
import { createInspectionAccess } from './access.js';
import type { Inspection } from './inspections.types.js';
import { parseList } from './rows.js';
import { createInspectionView } from './view.js';

type Assignment = { activity: JointActivity; inspectorate: string };

export function checkParticipantShape(participants: readonly string[]): void {
  if (
    participants.length < 1 ||
    participants.length > 2 ||
    new Set(participants).size !== participants.length
  ) {
    throw new DomainError('ASSIGNMENT_INVALID', 'an inspection has one or two distinct inspectorates', [
      {
        field: 'participants',
        ...problemOf('NOT_ONE_OR_TWO_PARTICIPANTS', {}),
        message: participants.join(', '),
      },
    ]);
  }
}

/** Each participant must be an inspectorate with an agreement in force for the facility's state. */
export async function checkParticipantsOfState(
  registry: RegistryRepo,
  participants: readonly string[],
  state: string,
): Promise<void> {
  const agreements = await registry.listAgreements();
  const problems: ErrorDetail[] = [];
  for (const [i, id] of participants.entries()) {
    const org = await registry.getOrganisation(id);
    const kindOk = org?.kind === 'inspectorate' || org?.kind === 'regional-inspectorate';
    const orgScope =
      org &&
      computeStateScope(
        {
          userId: '',
          login: '',
          organisationId: org.id,
          organisationKind: org.kind,
          state: null,
          roles: new Set(),
        },
        agreements,
      );
    if (!org || !kindOk || !orgScope || !inScope(orgScope, state)) {
      problems.push({
        field: `participants[${i}]`,
        ...problemOf('NOT_AN_INSPECTORATE_OF_STATE', { inspectorate: id, state }),
        message: `${id} is not an inspectorate with an agreement in force for ${state}`,
      });
    }
  }
  if (problems.length > 0) {
    throw new DomainError('UNKNOWN_REFERENCE', 'participants must be inspectorates of the state', problems);
  }
}

/** "One job, one person": joint plans via the domain rule; a single inspectorate does all. */
export function resolveAssignments(
  participants: readonly string[],
  activities: readonly string[],
  assignments: readonly { activity: string; inspectorate: string }[] | undefined,
): Assignment[] {
  const sole = participants.length === 1 ? participants[0] : undefined;
  if (sole !== undefined) {
    const filled = assignments ?? activities.map((activity) => ({ activity, inspectorate: sole }));
    // The domain rule wants two participants; a lone inspectorate is checked against itself.
    const plan = validateAssignments({
      participants: [sole, `${sole}\u0000`],
      activities,
      assignments: filled,
    });
    return [...plan.entries()].map(([activity, inspectorate]) => ({ activity, inspectorate }));
  }
  const plan = validateAssignments({ participants, activities, assignments: assignments ?? [] });
  return [...plan.entries()].map(([activity, inspectorate]) => ({ activity, inspectorate }));
}

/** The inspectorate that owns an activity's results; a joint inspection must have assigned it. */
export async function checkAssignee(
  repo: InspectionsRepo,
  p: Principal,
  row: InspectionRow,
  activity: JointActivity,
): Promise<void> {
  const assigned = (await repo.listActivities(row.id)).find((a) => a.activity === activity);
  const participants = parseList(row.participants);
  if (!assigned) {
    if (participants.length === 2) {
      throw new DomainError(
        'ASSIGNMENT_INVALID',
        `activity ${activity} is not assigned in this joint inspection`,
        [{ field: 'activity', ...problemOf('UNASSIGNED', { activity }), message: activity }],
      );
    }
    return;
  }
  if (!isGlobalAdmin(p) && assigned.inspectorate !== p.organisationId) {
    throw new DomainError(
      'ASSIGNMENT_INVALID',
      `activity ${activity} is assigned to ${assigned.inspectorate}: one job, one person`,
      [
        {
          field: 'activity',
          ...problemOf('ASSIGNED_TO_PARTNER', { activity, inspectorate: assigned.inspectorate }),
          message: assigned.inspectorate,
        },
      ],
    );
  }
}

/** Assigning an inspection's activities to its participants (domain.md §7, joint inspections). */
export function createJointService(ports: Pick<Ports, 'db'>) {
  const access = createInspectionAccess(ports);
  const { toInspection } = createInspectionView(ports);
  return {
    async assignActivities(
      p: Principal,
      id: string,
      input: {
        activities: readonly string[];
        assignments?: readonly { activity: string; inspectorate: string }[];
      },
    ): Promise<Inspection> {
      const { row } = await access(p, id, 'write');
      const rows = resolveAssignments(parseList(row.participants), input.activities, input.assignments);
      await ports.db.kysely
        .transaction()
        .execute((tx) => createInspectionsRepo(tx).replaceActivities(id, rows));
      return toInspection(row, 'inspectorate');
    },
  };
}
