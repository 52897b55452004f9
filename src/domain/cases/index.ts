export { type CaseAlarm, caseKeyForAlarm, caseKindForAlarm } from './alarm-keys.js';
export {
  ATTACHMENT_TYPES,
  type AttachmentType,
  CASE_KINDS,
  CASE_STATUSES,
  type Case,
  type CaseActor,
  type CaseEvent,
  type CaseKind,
  type CaseNote,
  type CaseStatus,
  type TransitionRequest,
} from './cases.types.js';
export {
  DECISION_STATUSES,
  type DecisionInput,
  type DecisionStatus,
  decisionBytes,
  isDecisionStatus,
} from './decision.js';
export {
  addCaseNote,
  answerOverdueKey,
  applyTransition,
  CASE_TRANSITIONS,
  findOverdueCases,
  isAnswerOverdue,
  type OpenCaseInput,
  openCase,
} from './lifecycle.js';
export {
  type CaseViewer,
  canReadInternalNotes,
  canViewCase,
  type JointArrangement,
  sharedWithFor,
  viewCaseFor,
} from './visibility.js';
