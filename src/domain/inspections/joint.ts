import { DomainError, type ErrorDetail } from '../errors.js';
import { type Particulars, problemOf } from '../particulars.js';

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
  const add = (field: string, p: Particulars, message: string) => problems.push({ field, ...p, message });
  const participants = new Set(plan.participants);
  if (plan.participants.length !== 2 || participants.size !== 2) {
    add(
      'participants',
      problemOf('NOT_TWO_PARTICIPANTS', {}),
      'a joint inspection has exactly two distinct inspectorates',
    );
  }
  const known = new Set<string>(JOINT_ACTIVITIES);
  const planned = new Set<string>();
  for (const a of plan.activities) {
    if (!known.has(a)) add('activities', problemOf('UNKNOWN_ACTIVITY', { activity: a }), a);
    else if (planned.has(a)) add('activities', problemOf('DUPLICATE_ACTIVITY', { activity: a }), a);
    planned.add(a);
  }
  const result = new Map<JointActivity, string>();
  plan.assignments.forEach((x, i) => {
    const field = `assignments[${i}]`;
    if (!planned.has(x.activity)) add(field, problemOf('NOT_PLANNED', { activity: x.activity }), x.activity);
    else if (result.has(x.activity as JointActivity))
      add(field, problemOf('DUPLICATE.activity', { activity: x.activity }), x.activity);
    if (!participants.has(x.inspectorate))
      add(field, problemOf('NOT_PARTICIPANT', { inspectorate: x.inspectorate }), x.inspectorate);
    if (planned.has(x.activity) && !result.has(x.activity as JointActivity)) {
      result.set(x.activity as JointActivity, x.inspectorate);
    }
  });
  for (const a of planned)
    if (known.has(a) && !result.has(a as JointActivity))
      add('activities', problemOf('UNASSIGNED', { activity: a }), a);
  if (problems.length > 0) {
    throw new DomainError('ASSIGNMENT_INVALID', `joint plan has ${problems.length} problem(s)`, problems);
  }
  return result;
}
