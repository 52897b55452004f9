/** Notification event types: the names webhook subscribers filter on and receive. */
export const NOTIFICATION_EVENTS = [
  'report.accepted',
  'report.rejected',
  'deadline.due-7d',
  'deadline.due-1d',
  'deadline.missed',
  'case.opened',
  'case.question-sent',
  'case.answered',
  'case.resolved',
  'case.escalated',
  'case.answer-overdue',
  'case.message',
  'checkpoint.published',
  'inspection.notice',
  'inspection.statement',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export function isNotificationEvent(value: string): value is NotificationEvent {
  return (NOTIFICATION_EVENTS as readonly string[]).includes(value);
}
