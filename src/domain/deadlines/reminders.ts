import type { IsoDate } from '../reports/report.types.js';
import { addDays, daysBetween, toDayNumber } from './calendar.js';
import type { Obligation } from './deadlines.types.js';

export type ReminderKind = 'due-7d' | 'due-1d' | 'missed';

export interface Reminder {
  /** `<obligation id>#<kind>`: a scheduler that records sent keys sends each reminder once. */
  readonly key: string;
  readonly kind: ReminderKind;
  readonly event: `deadline.${ReminderKind}`;
  readonly obligationId: string;
  readonly type: Obligation['type'];
  readonly mba: string;
  readonly dueDate: IsoDate;
  /** The first day on which this reminder is due to go out. */
  readonly fireOn: IsoDate;
}

export function reminderKey(obligationId: string, kind: ReminderKind): string {
  return `${obligationId}#${kind}`;
}

/**
 * The reminders to send on `today` for obligations not yet satisfied (met and late ones are
 * done). Each kind has a window, so a scheduler that runs daily sends each once and one that
 * was down catches up without sending a stale one:
 *   due-7d  while 2..7 days remain (fires from due − 7),
 *   due-1d  while 0..1 day remains (fires from due − 1, still on the due day),
 *   missed  from the day after the due date until the report arrives.
 * The status is re-derived from the due date and `today` here, not read from `obligation.status`,
 * so a list computed yesterday still gives today's reminders.
 */
export function upcomingReminders(obligations: readonly Obligation[], today: IsoDate): Reminder[] {
  toDayNumber(today, 'today');
  const out: Reminder[] = [];
  for (const o of obligations) {
    const due = reminderDue(o, today);
    if (!due) continue;
    out.push({
      key: reminderKey(o.id, due.kind),
      kind: due.kind,
      event: `deadline.${due.kind}`,
      obligationId: o.id,
      type: o.type,
      mba: o.mba,
      dueDate: o.dueDate,
      fireOn: due.fireOn,
    });
  }
  return out;
}

/**
 * The reminder an unsatisfied obligation is due on `today`, if any (the windows above): what
 * upcomingReminders gives each report obligation, and the scheduler each Additional Protocol
 * declaration owed (domain/declarations), which has an article instead of a report type and MBA.
 */
export function reminderDue(
  o: { readonly status: Obligation['status']; readonly dueDate: IsoDate },
  today: IsoDate,
): { kind: ReminderKind; fireOn: IsoDate } | undefined {
  if (o.status === 'met' || o.status === 'late') return undefined;
  const remaining = daysBetween(today, o.dueDate);
  if (remaining < 0) return { kind: 'missed', fireOn: addDays(o.dueDate, 1) };
  if (remaining <= 1) return { kind: 'due-1d', fireOn: addDays(o.dueDate, -1) };
  if (remaining <= 7) return { kind: 'due-7d', fireOn: addDays(o.dueDate, -7) };
  return undefined;
}
