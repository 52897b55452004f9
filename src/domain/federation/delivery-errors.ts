/**
 * Why a delivery to a peer is still pending, as the outbox keeps it: `CODE: English wording`
 * (the wording for the API's and the CLI's readers, the code for the browser, which words it in
 * the user's language). A refusal or retry from the peer carries the peer's own code (an API
 * error code or a bundle refusal code); the sender adds these three for what happened on its side.
 */
export const DELIVERY_FAILURES = ['PEER_UNREACHABLE', 'ACK_MISSING', 'ACK_INVALID'] as const;

export function formatDeliveryError(code: string, wording: string): string {
  return `${code}: ${wording}`;
}

/** The code at the head of a stored delivery error; null for none (rows written before codes). */
export function deliveryErrorCode(text: string | null): string | null {
  const m = /^([A-Z][A-Z0-9_]*): /.exec(text ?? '');
  return m?.[1] ?? null;
}
