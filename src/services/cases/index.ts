export { MAX_ATTACHMENT_BYTES } from './attachments.js';
export type { StoredCase } from './cases.types.js';
export { type OpenForAlarmOptions, openCaseForAlarm } from './open-for-alarm.js';
export { type CaseService, createCaseService } from './service.js';
export { loadCase } from './stored-case.js';
