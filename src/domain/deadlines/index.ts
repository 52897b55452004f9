export { addDays, toDayNumber, toEpochMs, utcDateOf } from './calendar.js';
export type { Obligation, ObligationStatus, ReceivedReport } from './deadlines.types.js';
export { OBLIGATION_STATUSES } from './deadlines.types.js';
export { OBLIGATION_NEUTRAL_KINDS } from './neutral-records.js';
export { computeObligations } from './obligations.js';
export { reminderDue, reminderKey, upcomingReminders } from './reminders.js';
export { dueDateUnder, type ReportingRules, reportingRulesFrom } from './rules.js';
