export { SHIPMENT_CODES, type TransferOwner, transferLineOf } from './line.js';
export {
  collectTransferAlarms,
  type LocatedAlarm,
  type MatchOptions,
  type MatchResult,
  matchKeyOf,
  matchTransfers,
} from './match.js';
export { checkNotices, type NoticeOptions } from './notices.js';
export { type KeyPairing, noticeFlowOf, pairKey } from './pairing.js';
export type * from './transfer.types.js';
