/** Federation between Custos nodes, pure (decision 0028): bundles and provenance chains. */
export {
  type Ack,
  type AckBatch,
  type LedgerAck,
  openAckBatch,
  type SignedAck,
  signAckBatch,
  verifyAcknowledgement,
} from './ack.js';
export { formatBundle, signerOrganisation, type VerifyBundleOptions, verifyBundle } from './bundle.js';
export {
  BUNDLE_REFUSAL_CODES,
  BUNDLE_REFUSAL_ERROR,
  type Bundle,
  type BundleOriginal,
  type BundleRecord,
  type BundleRefusalCode,
  type BundleVerification,
  type ReceivedContent,
  type StateKeyLookup,
} from './bundle.types.js';
export {
  type ChainStep,
  type ChainVerification,
  formatProvenanceChain,
  PROVENANCE_CHAIN_TYPE,
  type ProvenanceChain,
  type VerifyChainOptions,
  verifyProvenanceChain,
} from './chain.js';
export { DELIVERY_FAILURES, deliveryErrorCode, formatDeliveryError } from './delivery-errors.js';
