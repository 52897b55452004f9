/**
 * A receiver's signed acknowledgement of one forwarded record (decision 0027): the sender keeps it
 * in the state's sharing ledger. Pure, so the sender's delivery and the state's browser check it
 * the same way (decision 0044): Ed25519 by the receiver's node key over RFC 8785 of every other
 * member.
 */
import { canonicalizeRecord, ed25519Verify, tryDecodeBase64 } from '../../log/index.js';

/**
 * True when `ack.signature` is the node key's signature over the acknowledgement without it.
 * False for anything malformed (a hostile or damaged ledger row never throws here).
 */
export function verifyAcknowledgement(ack: unknown, nodeKeyBase64: string): boolean {
  if (typeof ack !== 'object' || ack === null || Array.isArray(ack)) return false;
  const { signature, ...rest } = ack as Record<string, unknown>;
  if (typeof signature !== 'string') return false;
  const key = tryDecodeBase64(nodeKeyBase64);
  const sig = tryDecodeBase64(signature);
  if (key?.length !== 32 || sig?.length !== 64) return false;
  try {
    return ed25519Verify(key, canonicalizeRecord(rest), sig);
  } catch {
    return false;
  }
}
