import { answerOverdueKey, isAnswerOverdue } from '../../domain/cases/index.js';
import {
  type Obligation,
  reminderDue,
  reminderKey,
  upcomingReminders,
  utcDateOf,
} from '../../domain/deadlines/index.js';
import type { ApObligation } from '../../domain/declarations/index.js';
import type { IsoDate } from '../../domain/reports/report.types.js';
import { listQuestionsDueBefore } from '../../store/cases.repo.js';
import { ensureCaseForAlarm, loadCase } from '../cases/index.js';
import { isoNow, type Ports } from '../ports.js';
import type { DurableEventSink } from './sink.js';

/** Each state's reporting obligations as of `today` (deadlines.computeObligations over the stored reports). */
export type ObligationSource = (
  ports: Ports,
  today: IsoDate,
) => Promise<
  {
    state: string;
    obligations: Obligation[];
    /** The Additional Protocol declarations the state owes (Article 3), if it has a Protocol. */
    declarations?: readonly ApObligation[];
  }[]
>;

export interface SchedulerResult {
  readonly reminders: number;
  readonly overdue: number;
  readonly casesOpened: number;
}

/**
 * The reminders and cases of the Additional Protocol declarations a State owes: the same
 * windows, keys and once-only publication as report obligations, with the article and the
 * provision in the event instead of a report type and an MBA.
 */
async function remindDeclarations(
  ports: Ports,
  sink: DurableEventSink,
  state: string,
  declarations: readonly ApObligation[],
  today: IsoDate,
  at: string,
): Promise<{ reminders: number; casesOpened: number }> {
  let reminders = 0;
  let casesOpened = 0;
  for (const o of declarations) {
    const due = reminderDue(o, today);
    if (due) {
      const id = await sink.publishOnce(
        {
          type: `deadline.${due.kind}`,
          state,
          organisation: null,
          at,
          data: {
            obligation: o.id,
            reportType: 'AP_DECLARATION',
            article: o.article,
            provision: o.ref,
            mba: null,
            dueDate: o.dueDate,
            reminder: due.kind,
          },
        },
        `reminder:${state}:${reminderKey(o.id, due.kind)}`,
      );
      if (id !== undefined) reminders++;
    }
    if (o.status !== 'missing' && o.status !== 'late') continue;
    const created = await ensureCaseForAlarm(
      ports,
      { source: 'deadline', status: o.status, state, obligation: o.id },
      { about: { obligation: o.id } },
    );
    if (created) casesOpened++;
  }
  return { reminders, casesOpened };
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
  for (const { state, obligations, declarations } of source ? await source(ports, today) : []) {
    const ap = await remindDeclarations(ports, sink, state, declarations ?? [], today, at);
    reminders += ap.reminders;
    casesOpened += ap.casesOpened;
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
      const created = await ensureCaseForAlarm(
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
