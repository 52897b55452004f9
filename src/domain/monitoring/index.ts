/** Remote monitoring (issue 18, decisions 0029 and 0030): what other folders use, by name. */

export { ACTIVITY_MAX_DAYS, checkActivityWindow } from './activity.js';
export { DEVICE_ALARM_CODES, type DeviceAlarmCode } from './alarm-codes.js';
export type { BatchReading } from './batch.js';
export { BATCH_LIMITS, DEVICE_ID, formatBatch, GENESIS_PREV, parseBatch, parseInstant } from './batch.js';
export type {
  Batch,
  BatchContent,
  BatchLimits,
  ChainHead,
  DeviceEvent,
  EventType,
  ReadEvent,
  TimeTolerance,
} from './batch.types.js';
export { EVENT_TYPES, GATE_DIRECTIONS } from './batch.types.js';
export type { ChainVerdict } from './chain.js';
export { advanceHead, checkChain, checkEventTimes, EMPTY_HEAD, TIME_TOLERANCE } from './chain.js';
export {
  foldBatch,
  foldIncident,
  foldReverification,
  foldTick,
  initialCokState,
  silenceCheckAfter,
} from './cok.js';
export type {
  CokBatch,
  CokCause,
  CokContext,
  CokDevice,
  CokEvent,
  CokState,
  CokStatus,
  CokStep,
  TimeInterval,
} from './cok.types.js';
export type { Device, DeviceAction, DeviceKind, DeviceStatus } from './device.js';
export { acceptsBatches, DEVICE_KINDS, DEVICE_STATUSES, nextDeviceStatus } from './device.js';
export { gateMismatch } from './gate.js';
export type { JointUseAction, JointUseGrant } from './joint-use.js';
export { checkJointUseGrant, checkJointUseWithdrawal } from './joint-use.js';
export { parseReverification } from './reverification.js';
export type { BatchSignature, SignedBatch } from './signature.js';
export {
  formatBatchSignature,
  hashBatch,
  parseBatchSignature,
  signBatch,
  signBatchBytes,
  verifyBatchSignature,
} from './signature.js';
export type { BatchAnswer } from './topics.js';
export { answerTopic, batchTopic, DEFAULT_TOPIC_PREFIX } from './topics.js';
