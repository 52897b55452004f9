import { describe, expect, it } from 'vitest';
import type { Case, CaseActor, CaseStatus } from './cases.types.js';
import {
  addCaseNote,
  answerOverdueKey,
  applyTransition,
  CASE_TRANSITIONS,
  findOverdueCases,
  isAnswerOverdue,
  openCase,
} from './lifecycle.js';

const insp: CaseActor = { kind: 'inspectorate', inspectorate: 'IAEA', user: 'ana' };
const other: CaseActor = { kind: 'inspectorate', inspectorate: 'EURATOM', user: 'eve' };
const state: CaseActor = { kind: 'state', state: 'XA', user: 'sam' };
const otherState: CaseActor = { kind: 'state', state: 'XB', user: 'bob' };

const fresh = openCase({
  id: 'C-1',
  kind: 'anomaly',
  state: 'XA',
  mba: 'XA-A',
  inspectorate: 'IAEA',
  sharedWith: ['EURATOM', 'IAEA'],
  by: 'system',
  note: 'MUF 3.4σ',
  at: '2025-05-01T08:00:00Z',
});

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return 'no error';
};

describe('openCase', () => {
  it('starts open, drops the owner from sharedWith', () => {
    expect(fresh).toMatchObject({
      status: 'open',
      sharedWith: ['EURATOM'],
      openedAt: '2025-05-01T08:00:00Z',
    });
    expect(fresh.history).toHaveLength(1);
  });
});

describe('applyTransition', () => {
  const asked = applyTransition(fresh, {
    to: 'question-sent',
    actor: insp,
    note: 'Explain the MUF on 2025-03-31',
    dueDate: '2025-05-31',
    at: '2025-05-02T09:00:00Z',
  });

  it('sends a question with a due date and a note the state can read', () => {
    expect(asked).toMatchObject({
      status: 'question-sent',
      dueDate: '2025-05-31',
      updatedAt: '2025-05-02T09:00:00Z',
    });
    expect(asked.history.at(-1)).toMatchObject({
      from: 'open',
      to: 'question-sent',
      dueDate: '2025-05-31',
      note: { text: 'Explain the MUF on 2025-03-31', internal: false },
    });
    expect(fresh.status).toBe('open');
  });

  it('lets only the state of the case answer, and clears the due date', () => {
    expect(
      code(() =>
        applyTransition(asked, { to: 'answered', actor: insp, note: 'x', at: '2025-05-03T00:00:00Z' }),
      ),
    ).toBe('FORBIDDEN');
    expect(
      code(() =>
        applyTransition(asked, { to: 'answered', actor: otherState, note: 'x', at: '2025-05-03T00:00:00Z' }),
      ),
    ).toBe('FORBIDDEN');
    const answered = applyTransition(asked, {
      to: 'answered',
      actor: state,
      note: 'Measurement error, corrected ICR 12',
      internal: true,
      at: '2025-05-10T00:00:00Z',
    });
    expect(answered.status).toBe('answered');
    expect(answered.dueDate).toBeUndefined();
    expect(answered.history.at(-1)?.note).toEqual({
      text: 'Measurement error, corrected ICR 12',
      internal: false,
    });
  });

  it('runs a whole lifecycle including reopen', () => {
    let c: Case = asked;
    const steps: [CaseStatus, CaseActor, string?][] = [
      ['answered', state, 'answer'],
      ['under-review', insp],
      ['resolved', insp, 'explained'],
      ['open', insp, 'new evidence'],
      ['under-review', insp],
      ['escalated', insp, 'board'],
      ['under-review', insp],
      ['resolved', insp, 'done'],
    ];
    steps.forEach(([to, actor, note], i) => {
      c = applyTransition(c, { to, actor, note, at: `2025-06-${String(i + 10)}T00:00:00Z` });
    });
    expect(c.status).toBe('resolved');
    expect(c.history.map((e) => e.to)).toEqual([
      'open',
      'question-sent',
      'answered',
      'under-review',
      'resolved',
      'open',
      'under-review',
      'escalated',
      'under-review',
      'resolved',
    ]);
  });

  it('refuses moves outside the table with INVALID_TRANSITION', () => {
    const at = '2025-05-03T00:00:00Z';
    expect(code(() => applyTransition(fresh, { to: 'answered', actor: state, note: 'x', at }))).toBe(
      'INVALID_TRANSITION',
    );
    expect(code(() => applyTransition(fresh, { to: 'open', actor: insp, note: 'x', at }))).toBe(
      'INVALID_TRANSITION',
    );
    const resolved = applyTransition(fresh, { to: 'resolved', actor: insp, note: 'false alarm', at });
    expect(code(() => applyTransition(resolved, { to: 'under-review', actor: insp, at }))).toBe(
      'INVALID_TRANSITION',
    );
  });

  it('refuses a non-owning inspectorate', () => {
    expect(
      code(() => applyTransition(fresh, { to: 'under-review', actor: other, at: '2025-05-03T00:00:00Z' })),
    ).toBe('FORBIDDEN');
  });

  it('needs a due date after today, a note, and time moving forward', () => {
    const at = '2025-05-03T10:00:00Z';
    expect(code(() => applyTransition(fresh, { to: 'question-sent', actor: insp, note: 'q', at }))).toBe(
      'VALIDATION_FAILED',
    );
    expect(
      code(() =>
        applyTransition(fresh, { to: 'question-sent', actor: insp, note: 'q', dueDate: '2025-05-03', at }),
      ),
    ).toBe('VALIDATION_FAILED');
    expect(
      code(() =>
        applyTransition(fresh, { to: 'question-sent', actor: insp, dueDate: '2025-05-20', note: '  ', at }),
      ),
    ).toBe('VALIDATION_FAILED');
    expect(code(() => applyTransition(fresh, { to: 'resolved', actor: insp, at }))).toBe('VALIDATION_FAILED');
    expect(
      code(() => applyTransition(fresh, { to: 'under-review', actor: insp, at: '2025-04-30T00:00:00Z' })),
    ).toBe('VALIDATION_FAILED');
  });

  it('gives every status at least one way out and only the state answers', () => {
    for (const [from, targets] of Object.entries(CASE_TRANSITIONS)) {
      expect(Object.keys(targets).length, from).toBeGreaterThan(0);
      for (const [to, rule] of Object.entries(targets)) {
        expect(rule?.by === 'state').toBe(from === 'question-sent' && to === 'answered');
      }
    }
  });

  it('detects overdue answers from the day after the due date', () => {
    expect(isAnswerOverdue(asked, '2025-05-31')).toBe(false);
    expect(isAnswerOverdue(asked, '2025-06-01')).toBe(true);
    expect(isAnswerOverdue(fresh, '2026-01-01')).toBe(false);
    expect(findOverdueCases([fresh, asked], '2025-06-01').map((c) => c.id)).toEqual(['C-1']);
    expect(answerOverdueKey(asked)).toBe('C-1#answer-overdue#2025-05-02T09:00:00Z');
  });

  it('adds notes, internal by default for the inspectorate', () => {
    const noted = addCaseNote(fresh, { actor: insp, text: 'check seals', at: '2025-05-01T09:00:00Z' });
    expect(noted.history.at(-1)?.note).toEqual({ text: 'check seals', internal: true });
    expect(code(() => addCaseNote(fresh, { actor: other, text: 'x', at: '2025-05-01T09:00:00Z' }))).toBe(
      'FORBIDDEN',
    );
  });
});
