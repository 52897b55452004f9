export { MAX_ATTACHMENT_BYTES } from './attachments.js';
export { ensureCaseForAlarm, openCaseForAlarm, withCaseKeys } from './open-for-alarm.js';
export { type CaseService, createCaseService } from './service.js';
export { loadCase } from './stored-case.js';
