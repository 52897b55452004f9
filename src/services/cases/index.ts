export {
  ATTACHMENT_TYPES,
  type AttachmentRef,
  checkAttachment,
  detectAttachmentType,
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS_PER_MESSAGE,
  sanitiseAttachmentName,
} from './attachments.js';
export { decisionBytes, messageContent, transitionContent } from './content.js';
export { defaultInspectorate, type OpenForAlarmOptions, openCaseForAlarm } from './open-for-alarm.js';
export {
  type CaseFilter,
  type CaseService,
  type CaseSummary,
  type CaseView,
  createCaseService,
  type MessageInput,
  type OpenCaseRequest,
  type TransitionInput,
} from './service.js';
export {
  type CaseAbout,
  listJointArrangements,
  loadCase,
  type ResolutionSignature,
  type StoredCase,
  type StoredCaseEvent,
} from './store.js';
