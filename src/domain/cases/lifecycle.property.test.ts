import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CASE_STATUSES, type Case, type CaseActor } from './cases.types.js';
import { applyTransition, CASE_TRANSITIONS, openCase } from './lifecycle.js';

const actors: CaseActor[] = [
  { kind: 'inspectorate', inspectorate: 'IAEA', user: 'ana' },
  { kind: 'inspectorate', inspectorate: 'EURATOM', user: 'eve' },
  { kind: 'state', state: 'XA', user: 'sam' },
];

describe('case lifecycle under random requests', () => {
  it('moves only along the table, by the right actor, and refuses everything else with a code', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            to: fc.constantFrom(...CASE_STATUSES),
            actor: fc.constantFrom(...actors),
            note: fc.option(fc.constantFrom('reason', ''), { nil: undefined }),
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
            by: 'x',
            at: '2025-01-01T00:00:00Z',
          });
          steps.forEach((s, i) => {
            const at = new Date(Date.UTC(2025, 0, 2 + i)).toISOString();
            const rule = CASE_TRANSITIONS[c.status][s.to];
            try {
              const next = applyTransition(c, {
                to: s.to,
                actor: s.actor,
                note: s.note,
                dueDate: s.withDue ? '2026-01-01' : undefined,
                at,
              });
              expect(rule).toBeDefined();
              expect(rule?.by).toBe(s.actor.kind);
              expect(next.status).toBe(s.to);
              expect(next.dueDate !== undefined).toBe(s.to === 'question-sent');
              expect(next.history).toHaveLength(c.history.length + 1);
              c = next;
            } catch (e) {
              const code = (e as { code: string }).code;
              if (!rule) expect(code).toBe('INVALID_TRANSITION');
              else expect(['FORBIDDEN', 'VALIDATION_FAILED']).toContain(code);
            }
          });
        },
      ),
    );
  });
});
