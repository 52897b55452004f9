export { addDays, toDayNumber, toEpochMs, utcDateOf } from './calendar.js';
export type { Obligation, ReceivedReport } from './deadlines.types.js';
export { computeObligations } from './obligations.js';
export { upcomingReminders } from './reminders.js';
export { reportingRulesFrom } from './rules.js';
