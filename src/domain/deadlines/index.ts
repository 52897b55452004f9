export { addDays, toDayNumber, toEpochMs, utcDateOf } from './calendar.js';
export type { Obligation, ReceivedReport } from './deadlines.types.js';
export { computeObligations } from './obligations.js';
export { reminderDue, reminderKey, upcomingReminders } from './reminders.js';
export { dueDateUnder, reportingRulesFrom } from './rules.js';
