export { type CaseAlarm, caseKeyForAlarm, caseKindForAlarm } from './alarm-keys.js';
export { type AlarmCaseAbout, alarmCaseTitle } from './alarm-title.js';
export {
  ATTACHMENT_TYPES,
  type AttachmentType,
  CASE_KINDS,
  CASE_STATUSES,
  type Case,
  type CaseActor,
  type CaseEvent,
  type CaseKind,
  type CaseStatus,
} from './cases.types.js';
export { DECISION_STATUSES, decisionBytes, isDecisionStatus } from './decision.js';
export {
  addCaseNote,
  answerOverdueKey,
  applyTransition,
  CASE_TRANSITIONS,
  isAnswerOverdue,
  openCase,
} from './lifecycle.js';
export { type CaseViewer, type JointArrangement, sharedWithFor, viewCaseFor } from './visibility.js';
