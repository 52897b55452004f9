/** Transfers matching and notices: what other folders use, by name. */
export { SHIPMENT_CODES, TRANSFER_CODES, transferLineAt, transferLineOf } from './line.js';
export { collectTransferAlarms, compatible, matchKeyOf, matchTransfers, pairOf, sameKey } from './match.js';
export { matchHash, matchHashOf } from './match-key.js';
export {
  checkNotices,
  compareNoticeOrder,
  NoticeFlowCheck,
  noticeRecheckSpan,
  type SettledNoticeLine,
} from './notices.js';
export { isNoticeFlow, pairKey, shipmentFlows, transferFlowOf } from './pairing.js';
export type { AdvanceNotice, TransferLine, TransferMatch } from './transfer.types.js';
