export {
  addDays,
  daysBetween,
  firstDayOfMonth,
  fromDayNumber,
  type IsoMonth,
  lastDayOfMonth,
  monthOf,
  nextMonth,
  toDayNumber,
  toEpochMs,
  utcDateOf,
} from './calendar.js';
export type {
  AgreementInForce,
  AgreementType,
  MbaSchedule,
  NoticeShipment,
  Obligation,
  ObligationOptions,
  ObligationStatus,
  ObligationsInput,
  ReceivedReport,
} from './deadlines.types.js';
export {
  computeObligations,
  DEFAULT_EXPORT_NOTICE_LEAD_DAYS,
  DEFAULT_IMPORT_NOTICE_LEAD_DAYS,
  DEFAULT_REJECTION_CURE_DAYS,
  icrDueDate,
  initialReportDueDate,
  pitReportDueDate,
  REPORT_DUE_DAYS,
} from './obligations.js';
export { type Reminder, type ReminderKind, reminderKey, upcomingReminders } from './reminders.js';
