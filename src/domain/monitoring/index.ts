export { foldBatch, foldIncident, foldReverification, foldTick, initialCokState } from './cok.js';
export type { CokBatch, CokContext, CokDevice, CokEvent, CokState, CokStep } from './cok.types.js';
export { gateMismatch } from './gate.js';
