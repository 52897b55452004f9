import type { Ports } from '../ports.js';
import { createAttachmentReader } from './attachments.js';
import { createCaseTransitions } from './lifecycle.js';
import { createCaseMessages } from './notes.js';
import { createCaseOpener } from './opening.js';
import { createCaseReader } from './visibility.js';

/**
 * Case use cases, one module per sub-concept of domain/cases: reading and visibility
 * (visibility.ts), opening (opening.ts, open-for-alarm.ts), the lifecycle and its signed
 * decisions (lifecycle.ts, decisions.ts), notes with attachments (notes.ts, attachments.ts).
 * Each asks the policy, then works in one transaction committed to the log.
 */
export function createCaseService(ports: Ports) {
  const reader = createCaseReader(ports);
  return {
    list: reader.list,
    get: reader.get,
    open: createCaseOpener(ports, reader),
    transition: createCaseTransitions(ports, reader),
    postMessage: createCaseMessages(ports, reader),
    getAttachment: createAttachmentReader(ports, reader),
  };
}

export type CaseService = ReturnType<typeof createCaseService>;
