/** Transfers matching and notices: what other folders use, by name. */
export { SHIPMENT_CODES, transferLineOf } from './line.js';
export { collectTransferAlarms, matchKeyOf, matchTransfers } from './match.js';
export { checkNotices } from './notices.js';
export { noticeFlowOf, pairKey } from './pairing.js';
export type { AdvanceNotice, TransferLine, TransferMatch } from './transfer.types.js';
