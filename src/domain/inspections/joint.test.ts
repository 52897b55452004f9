import { describe, expect, it } from 'vitest';
import { type JointPlan, validateAssignments } from './joint.js';

const plan: JointPlan = {
  participants: ['IAEA', 'EURATOM'],
  activities: ['item-counting', 'nda-measurement', 'seal-check'],
  assignments: [
    { activity: 'item-counting', inspectorate: 'IAEA' },
    { activity: 'nda-measurement', inspectorate: 'EURATOM' },
    { activity: 'seal-check', inspectorate: 'IAEA' },
  ],
};

function problems(p: JointPlan): string[] {
  try {
    validateAssignments(p);
  } catch (e) {
    const err = e as { code: string; details: { code: string; message: string }[] };
    expect(err.code).toBe('ASSIGNMENT_INVALID');
    return err.details.map((d) => `${d.code}:${d.message}`);
  }
  return [];
}

describe('validateAssignments', () => {
  it('returns who does each activity', () => {
    expect(Object.fromEntries(validateAssignments(plan))).toEqual({
      'item-counting': 'IAEA',
      'nda-measurement': 'EURATOM',
      'seal-check': 'IAEA',
    });
  });
  it('collects every problem at once', () => {
    expect(
      problems({
        ...plan,
        assignments: [
          { activity: 'item-counting', inspectorate: 'IAEA' },
          { activity: 'item-counting', inspectorate: 'EURATOM' },
          { activity: 'nda-measurement', inspectorate: 'ABACC' },
          { activity: 'da-sampling', inspectorate: 'IAEA' },
        ],
      }),
    ).toEqual([
      'DUPLICATE:item-counting',
      'NOT_PARTICIPANT:ABACC',
      'NOT_PLANNED:da-sampling',
      'UNASSIGNED:seal-check',
    ]);
  });
  it('needs exactly two distinct participants and known activities', () => {
    expect(problems({ ...plan, participants: ['IAEA', 'IAEA'] })[0]).toMatch(/^NOT_TWO_PARTICIPANTS/);
    expect(problems({ ...plan, participants: ['IAEA', 'EURATOM', 'ABACC'] })[0]).toMatch(
      /^NOT_TWO_PARTICIPANTS/,
    );
    expect(problems({ ...plan, activities: [...plan.activities, 'coffee'] })).toEqual([
      'UNKNOWN_ACTIVITY:coffee',
    ]);
  });
});
