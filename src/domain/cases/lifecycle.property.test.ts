import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CASE_STATUSES, type Case, type CaseActor, type CaseStatus } from './cases.types.js';
import { applyTransition, openCase } from './lifecycle.js';

type Needs = 'nothing' | 'note' | 'note and due date';

/**
 * The legal moves, written out here from the rules (domain.md §7 and the lifecycle's documented
 * decisions: the state only answers a question; every other move is the owning inspectorate's; a
 * question carries a note and a due date; resolving, escalating and reopening carry a note) rather
 * than read from the implementation's table, so that a wrong entry there fails this test.
 */
const LEGAL: readonly (readonly [from: CaseStatus, to: CaseStatus, by: CaseActor['kind'], needs: Needs])[] = [
  ['open', 'question-sent', 'inspectorate', 'note and due date'],
  ['open', 'under-review', 'inspectorate', 'nothing'],
  ['open', 'resolved', 'inspectorate', 'note'],
  ['open', 'escalated', 'inspectorate', 'note'],
  ['question-sent', 'answered', 'state', 'note'],
  ['question-sent', 'under-review', 'inspectorate', 'nothing'],
  ['question-sent', 'escalated', 'inspectorate', 'note'],
  ['answered', 'under-review', 'inspectorate', 'nothing'],
  ['answered', 'question-sent', 'inspectorate', 'note and due date'],
  ['answered', 'resolved', 'inspectorate', 'note'],
  ['answered', 'escalated', 'inspectorate', 'note'],
  ['under-review', 'question-sent', 'inspectorate', 'note and due date'],
  ['under-review', 'resolved', 'inspectorate', 'note'],
  ['under-review', 'escalated', 'inspectorate', 'note'],
  ['escalated', 'under-review', 'inspectorate', 'nothing'],
  ['escalated', 'resolved', 'inspectorate', 'note'],
  ['escalated', 'open', 'inspectorate', 'note'],
  ['resolved', 'open', 'inspectorate', 'note'],
];

/** The case below belongs to state XA and inspectorate IAEA; EURATOM is a partner that only reads. */
const OWNER: CaseActor = { kind: 'inspectorate', inspectorate: 'IAEA', user: 'ana' };
const PARTNER: CaseActor = { kind: 'inspectorate', inspectorate: 'EURATOM', user: 'eve' };
const STATE: CaseActor = { kind: 'state', state: 'XA', user: 'sam' };
const OTHER_STATE: CaseActor = { kind: 'state', state: 'XB', user: 'bo' };

interface Step {
  readonly to: CaseStatus;
  readonly actor: CaseActor;
  readonly note: string | undefined;
  readonly withDue: boolean;
}

/** What the rules say a step does: the error code it is refused with, or undefined when it moves. */
function expectedRefusal(from: CaseStatus, s: Step): string | undefined {
  const move = LEGAL.find(([f, t]) => f === from && t === s.to);
  if (move === undefined) return 'INVALID_TRANSITION';
  const [, , by, needs] = move;
  const owns = s.actor.kind === 'state' ? s.actor.state === 'XA' : s.actor.inspectorate === 'IAEA';
  if (s.actor.kind !== by || !owns) return 'FORBIDDEN';
  if (needs !== 'nothing' && (s.note === undefined || s.note.trim() === '')) return 'VALIDATION_FAILED';
  if (needs === 'note and due date' && !s.withDue) return 'VALIDATION_FAILED';
  return undefined;
}

describe('case lifecycle under random requests', () => {
  it('moves exactly as the rules say, and refuses everything else with the code the rules give', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            to: fc.constantFrom(...CASE_STATUSES),
            actor: fc.constantFrom(OWNER, PARTNER, STATE, OTHER_STATE),
            note: fc.option(fc.constantFrom('reason', '', '  '), { nil: undefined }),
            withDue: fc.boolean(),
          }),
          { maxLength: 30 },
        ),
        (steps) => {
          let c: Case = openCase({
            id: 'C',
            kind: 'other',
            state: 'XA',
            inspectorate: 'IAEA',
            sharedWith: ['EURATOM'],
            by: 'x',
            at: '2025-01-01T00:00:00Z',
          });
          steps.forEach((s, i) => {
            const at = new Date(Date.UTC(2025, 0, 2 + i)).toISOString();
            const refusal = expectedRefusal(c.status, s);
            let outcome: Case | string;
            try {
              outcome = applyTransition(c, {
                to: s.to,
                actor: s.actor,
                note: s.note,
                dueDate: s.withDue ? '2026-01-01' : undefined,
                at,
              });
            } catch (e) {
              outcome = (e as { code: string }).code;
            }
            if (refusal !== undefined) {
              expect(outcome, `${c.status} → ${s.to} by ${s.actor.user}`).toBe(refusal);
              return;
            }
            if (typeof outcome === 'string') throw new Error(`${c.status} → ${s.to} refused: ${outcome}`);
            expect(outcome.status).toBe(s.to);
            expect(outcome.dueDate !== undefined).toBe(s.to === 'question-sent');
            expect(outcome.history).toHaveLength(c.history.length + 1);
            c = outcome;
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reaches every legal move of the table in random walks', () => {
    // Guards the property above against a walk that never leaves the first states.
    const reached = new Set<string>();
    fc.assert(
      fc.property(fc.array(fc.nat({ max: LEGAL.length - 1 }), { maxLength: 40 }), (picks) => {
        let c = openCase({
          id: 'C',
          kind: 'other',
          state: 'XA',
          inspectorate: 'IAEA',
          by: 'x',
          at: '2025-01-01T00:00:00Z',
        });
        picks.forEach((p, i) => {
          const options = LEGAL.filter(([from]) => from === c.status);
          const [from, to, by] = options[p % options.length]!;
          c = applyTransition(c, {
            to,
            actor: by === 'state' ? STATE : OWNER,
            note: 'reason',
            dueDate: '2026-01-01',
            at: new Date(Date.UTC(2025, 0, 2 + i)).toISOString(),
          });
          reached.add(`${from}→${to}`);
        });
      }),
      { numRuns: 200 },
    );
    expect([...reached].sort()).toEqual(LEGAL.map(([f, t]) => `${f}→${t}`).sort());
  });
});
