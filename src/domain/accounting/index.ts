/** Accounting (balances, statistics, alarms, evaluation): what other folders use, by name. */
export type { AlarmCode } from './alarms.js';
export { ALARM_CODES } from './alarms.js';
export type { InventoryListing, KmpError } from './balance.js';
export { periodOf } from './balance.js';
export { balanceAlarmCause, CONCLUSION_REASON_CODES } from './conclusion.js';
export { computeEkg, DEFAULT_CODE_SIGNS } from './constants.js';
export { addDays, addMonths, deadlinePassedBefore, endOfMonth, icrDeadline, toDayNumber } from './dates.js';
export type { EffectiveEntry, ReceiptAnchor, SourcedIcrLine } from './effective.js';
export {
  bookedFromAnchor,
  bookedReceiptOf,
  compareLines,
  computeEffectiveLines,
  isDeletion,
  nextAnchor,
  OWN_MEASUREMENT_BASES,
} from './effective.js';
export type { DatedAlarm, MbaEvaluation, MbaEvaluationInput, ReportDeadline } from './evaluate.js';
export { evaluateMba, evaluateSums, summariseState } from './evaluate.js';
export { generateProtractedLoss } from './protracted-loss.js';
export { DEFAULT_PAGE } from './statistics.js';
export type { FlowCell, FlowSums, InventoryCell, KmpDayCount, MbaSums } from './sums.js';
export {
  addFlowSums,
  emptyFlowSums,
  FlowCellSums,
  inventorySums,
  KmpDayCounts,
  lineSums,
} from './sums.js';
