export { foldBatch, foldIncident, foldReverification, foldTick, initialCokState } from './cok.js';
export type {
  CokAlarm,
  CokAlarmCode,
  CokBatch,
  CokContext,
  CokDevice,
  CokEvent,
  CokIncident,
  CokInterval,
  CokReason,
  CokState,
  CokStatus,
  CokStep,
  GateCount,
  TimeInterval,
} from './cok.types.js';
export { type GateDay, type GateItems, gateMismatch } from './gate.js';
