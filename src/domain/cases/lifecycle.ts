import { toDayNumber, toEpochMs, utcDateOf } from '../deadlines/index.js';
import { DomainError } from '../errors.js';
import { type Particulars, problemOf } from '../particulars.js';
import type { IsoDate } from '../reports/report.types.js';
import type { Case, CaseActor, CaseEvent, CaseKind, CaseStatus, TransitionRequest } from './cases.types.js';

interface TransitionRule {
  readonly by: CaseActor['kind'];
  readonly needsDueDate?: boolean;
  readonly needsNote?: boolean;
}

const INSPECTORATE: TransitionRule = { by: 'inspectorate' };
const WITH_NOTE: TransitionRule = { by: 'inspectorate', needsNote: true };
const QUESTION: TransitionRule = { by: 'inspectorate', needsDueDate: true, needsNote: true };

/**
 * The case lifecycle (domain.md §7: anomalies and discrepancies are followed up with the state
 * by questions, answers, corrections and further verification). Custos decides:
 * - the state performs exactly one transition, answering (question-sent → answered);
 * - every other move belongs to the owning inspectorate; a partner under a joint arrangement
 *   reads but does not move it, since each inspectorate reaches its own conclusions;
 * - a question carries its text and an answer due date; resolving, escalating and reopening
 *   carry a reason, so the record says why;
 * - the inspectorate may review without asking (open → under-review), ask follow-up questions
 *   (answered / under-review → question-sent), withdraw a question by reviewing
 *   (question-sent → under-review), and reopen a resolved or escalated case (→ open).
 */
export const CASE_TRANSITIONS: Readonly<Record<CaseStatus, Partial<Record<CaseStatus, TransitionRule>>>> = {
  open: {
    'question-sent': QUESTION,
    'under-review': INSPECTORATE,
    resolved: WITH_NOTE,
    escalated: WITH_NOTE,
  },
  'question-sent': {
    answered: { by: 'state', needsNote: true },
    'under-review': INSPECTORATE,
    escalated: WITH_NOTE,
  },
  answered: {
    'under-review': INSPECTORATE,
    'question-sent': QUESTION,
    resolved: WITH_NOTE,
    escalated: WITH_NOTE,
  },
  'under-review': { 'question-sent': QUESTION, resolved: WITH_NOTE, escalated: WITH_NOTE },
  escalated: { 'under-review': INSPECTORATE, resolved: WITH_NOTE, open: WITH_NOTE },
  resolved: { open: WITH_NOTE },
};

export interface OpenCaseInput {
  readonly id: string;
  readonly kind: CaseKind;
  readonly state: string;
  readonly mba?: string;
  readonly inspectorate: string;
  readonly sharedWith?: readonly string[];
  readonly key?: string;
  /** The user (or `system` for an alarm) that opens it. */
  readonly by: string;
  readonly note?: string;
  readonly at: string;
}

export function openCase(input: OpenCaseInput): Case {
  toEpochMs(input.at, 'at');
  const opened: CaseEvent = {
    type: 'opened',
    at: input.at,
    by: input.by,
    actorKind: 'inspectorate',
    to: 'open',
    ...(input.note === undefined ? {} : { note: { text: input.note, internal: true } }),
  };
  return {
    id: input.id,
    ...(input.key === undefined ? {} : { key: input.key }),
    kind: input.kind,
    state: input.state,
    ...(input.mba === undefined ? {} : { mba: input.mba }),
    inspectorate: input.inspectorate,
    sharedWith: [...new Set(input.sharedWith ?? [])].filter((i) => i !== input.inspectorate),
    status: 'open',
    openedAt: input.at,
    updatedAt: input.at,
    history: [opened],
  };
}

function fail(field: string, p: Particulars, message: string): never {
  throw new DomainError('VALIDATION_FAILED', message, [{ field, ...p, message }]);
}

function assertActorMayAct(c: Case, actor: CaseActor, rule: TransitionRule, to: CaseStatus): void {
  const own = actor.kind === 'state' ? actor.state === c.state : actor.inspectorate === c.inspectorate;
  if (actor.kind !== rule.by || !own) {
    throw new DomainError('FORBIDDEN', `${actor.kind} ${actor.user} may not move case ${c.id} to ${to}`, {
      from: c.status,
      to,
      allowed: rule.by,
    });
  }
}

function assertAfter(c: Case, at: string): void {
  if (toEpochMs(at, 'at') < toEpochMs(c.updatedAt))
    fail('at', problemOf('BEFORE_LAST_EVENT', {}), 'at is before the last event');
}

/**
 * Moves a case to `to`, returning a new case (the input is not changed). INVALID_TRANSITION for
 * a move not in CASE_TRANSITIONS, FORBIDDEN for the wrong actor, VALIDATION_FAILED for a
 * missing note or due date, a due date not after the day of `at`, or time going backwards.
 */
export function applyTransition(c: Case, req: TransitionRequest): Case {
  const rule = CASE_TRANSITIONS[c.status][req.to];
  if (!rule) {
    throw new DomainError('INVALID_TRANSITION', `case ${c.id}: ${c.status} → ${req.to} is not allowed`, {
      from: c.status,
      to: req.to,
      allowed: Object.keys(CASE_TRANSITIONS[c.status]),
    });
  }
  assertActorMayAct(c, req.actor, rule, req.to);
  assertAfter(c, req.at);
  const note = req.note?.trim();
  if (rule.needsNote && !note)
    fail('note', problemOf('REQUIRED.note', {}), `moving to ${req.to} needs a note`);
  if (rule.needsDueDate) {
    if (req.dueDate === undefined)
      fail('dueDate', problemOf('REQUIRED.dueDate', {}), 'a question needs an answer due date');
    if (toDayNumber(req.dueDate, 'dueDate') <= toDayNumber(utcDateOf(req.at))) {
      fail(
        'dueDate',
        problemOf('NOT_AFTER_TODAY', {}),
        'the answer due date must be after the day the question is sent',
      );
    }
  }
  const internal = req.actor.kind === 'state' ? false : (req.internal ?? req.to !== 'question-sent');
  const event: CaseEvent = {
    type: 'transition',
    at: req.at,
    by: req.actor.user,
    actorKind: req.actor.kind,
    from: c.status,
    to: req.to,
    ...(rule.needsDueDate && req.dueDate !== undefined ? { dueDate: req.dueDate } : {}),
    ...(note ? { note: { text: note, internal } } : {}),
  };
  const { dueDate: _previous, ...rest } = c;
  return {
    ...rest,
    status: req.to,
    ...(req.to === 'question-sent' && req.dueDate !== undefined ? { dueDate: req.dueDate } : {}),
    updatedAt: req.at,
    history: [...c.history, event],
  };
}

/** Adds a note without moving the case: the owning inspectorate, or the state when not internal. */
export function addCaseNote(
  c: Case,
  req: { readonly actor: CaseActor; readonly text: string; readonly internal?: boolean; readonly at: string },
): Case {
  const own =
    req.actor.kind === 'state' ? req.actor.state === c.state : req.actor.inspectorate === c.inspectorate;
  if (!own) throw new DomainError('FORBIDDEN', `${req.actor.user} may not annotate case ${c.id}`);
  assertAfter(c, req.at);
  const text = req.text.trim();
  if (!text) fail('text', problemOf('REQUIRED.text', {}), 'a note needs text');
  const internal = req.actor.kind === 'state' ? false : (req.internal ?? true);
  const event: CaseEvent = {
    type: 'note',
    at: req.at,
    by: req.actor.user,
    actorKind: req.actor.kind,
    note: { text, internal },
  };
  return { ...c, updatedAt: req.at, history: [...c.history, event] };
}

/** A question is overdue from the day after its due date (UTC calendar dates). */
export function isAnswerOverdue(c: Case, today: IsoDate): boolean {
  return (
    c.status === 'question-sent' && c.dueDate !== undefined && toDayNumber(today) > toDayNumber(c.dueDate)
  );
}

export function findOverdueCases(cases: readonly Case[], today: IsoDate): Case[] {
  return cases.filter((c) => isAnswerOverdue(c, today));
}

/**
 * Dedup key of the `case.answer-overdue` event: one per question (a follow-up question has its
 * own sent time and gets its own event).
 */
export function answerOverdueKey(c: Case): string {
  const asked = [...c.history].reverse().find((e) => e.type === 'transition' && e.to === 'question-sent');
  return `${c.id}#answer-overdue#${asked?.at ?? c.openedAt}`;
}
