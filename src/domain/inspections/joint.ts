import { type DetailCode, DomainError, type ErrorDetail } from '../errors.js';

export const JOINT_ACTIVITIES = [
  'item-counting',
  'nda-measurement',
  'da-sampling',
  'seal-check',
  'environmental-sampling',
  'records-examination',
] as const;
export type JointActivity = (typeof JOINT_ACTIVITIES)[number];

export interface ActivityAssignment {
  readonly activity: string;
  readonly inspectorate: string;
}

export interface JointPlan {
  /** The two inspectorates of the joint inspection. */
  readonly participants: readonly string[];
  /** The activities the inspection will perform. */
  readonly activities: readonly string[];
  readonly assignments: readonly ActivityAssignment[];
}

/**
 * Under a partnership ("one job, one person", domain.md §7) each planned activity is done once,
 * by exactly one of the two participating inspectorates. Collects every problem and throws
 * ASSIGNMENT_INVALID with one detail per problem; returns activity → inspectorate otherwise.
 */
export function validateAssignments(plan: JointPlan): Map<JointActivity, string> {
  const problems: ErrorDetail[] = [];
  const add = (field: string, code: DetailCode, message: string) => problems.push({ field, code, message });
  const participants = new Set(plan.participants);
  if (plan.participants.length !== 2 || participants.size !== 2) {
    add('participants', 'NOT_TWO_PARTICIPANTS', 'a joint inspection has exactly two distinct inspectorates');
  }
  const known = new Set<string>(JOINT_ACTIVITIES);
  const planned = new Set<string>();
  for (const a of plan.activities) {
    if (!known.has(a)) add('activities', 'UNKNOWN_ACTIVITY', a);
    else if (planned.has(a)) add('activities', 'DUPLICATE_ACTIVITY', a);
    planned.add(a);
  }
  const result = new Map<JointActivity, string>();
  plan.assignments.forEach((x, i) => {
    const field = `assignments[${i}]`;
    if (!planned.has(x.activity)) add(field, 'NOT_PLANNED', x.activity);
    else if (result.has(x.activity as JointActivity)) add(field, 'DUPLICATE', x.activity);
    if (!participants.has(x.inspectorate)) add(field, 'NOT_PARTICIPANT', x.inspectorate);
    if (planned.has(x.activity) && !result.has(x.activity as JointActivity)) {
      result.set(x.activity as JointActivity, x.inspectorate);
    }
  });
  for (const a of planned)
    if (known.has(a) && !result.has(a as JointActivity)) add('activities', 'UNASSIGNED', a);
  if (problems.length > 0) {
    throw new DomainError('ASSIGNMENT_INVALID', `joint plan has ${problems.length} problem(s)`, problems);
  }
  return result;
}
