import { answerOverdueKey, isAnswerOverdue } from '../../domain/cases/index.js';
import { type Obligation, upcomingReminders, utcDateOf } from '../../domain/deadlines/index.js';
import type { IsoDate } from '../../domain/reports/report.types.js';
import { listQuestionsDueBefore } from '../../store/cases.repo.js';
import { loadCase, openCaseForAlarm } from '../cases/index.js';
import { isoNow, type Ports } from '../ports.js';
import type { DurableEventSink } from './sink.js';

/** Each state's reporting obligations as of `today` (deadlines.computeObligations over the stored reports). */
export type ObligationSource = (
  ports: Ports,
  today: IsoDate,
) => Promise<{ state: string; obligations: Obligation[] }[]>;

export interface SchedulerResult {
  readonly reminders: number;
  readonly overdue: number;
  readonly casesOpened: number;
}

/**
 * One pass of the deadline scheduler. Exactly once, also with several server processes: each
 * reminder's key (deadlines.reminderKey, prefixed with the state) is inserted in the same
 * transaction as its event, so a second pass, a second process or a restart finds it taken.
 * Nothing is lost after downtime: upcomingReminders keeps each reminder due through its window,
 * and the first pass after a start catches up. Late and missing reports open a case each
 * (openCaseForAlarm is idempotent by cause); answers past their due date notify `case.answer-overdue`.
 */
export async function runSchedulerOnce(
  ports: Ports,
  sink: DurableEventSink,
  source: ObligationSource | undefined,
): Promise<SchedulerResult> {
  const at = isoNow(ports.clock);
  const today = utcDateOf(at);
  let reminders = 0;
  let overdue = 0;
  let casesOpened = 0;
  for (const { state, obligations } of source ? await source(ports, today) : []) {
    for (const r of upcomingReminders(obligations, today)) {
      const id = await sink.publishOnce(
        {
          type: r.event,
          state,
          organisation: null,
          at,
          data: {
            obligation: r.obligationId,
            reportType: r.type,
            mba: r.mba,
            dueDate: r.dueDate,
            reminder: r.kind,
          },
        },
        `reminder:${state}:${r.key}`,
      );
      if (id !== undefined) reminders++;
    }
    for (const o of obligations) {
      if (o.status !== 'missing' && o.status !== 'late') continue;
      const { created } = await openCaseForAlarm(
        ports,
        { source: 'deadline', status: o.status, state, obligation: o.id },
        { mba: o.mba, about: { obligation: o.id } },
      );
      if (created) casesOpened++;
    }
  }
  for (const id of await listQuestionsDueBefore(ports.db.kysely, today)) {
    const c = await loadCase(ports.db.kysely, id);
    if (!c || !isAnswerOverdue(c, today)) continue;
    const published = await sink.publishOnce(
      {
        type: 'case.answer-overdue',
        state: c.state,
        organisation: null,
        at,
        data: {
          case: c.id,
          kind: c.kind,
          title: c.title,
          dueDate: c.dueDate ?? null,
          inspectorates: [c.inspectorate, ...c.sharedWith],
        },
      },
      answerOverdueKey(c),
    );
    if (published !== undefined) overdue++;
  }
  return { reminders, overdue, casesOpened };
}
