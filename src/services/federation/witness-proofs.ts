import { decodeBase64 } from '../../log/index.js';

/*
 * What cross-witnessing reads from a peer's log over HTTP (decision 0043): consistency proofs,
 * and the larger tree's hash of its first leaves the evidence needs at a power-of-two size.
 */

/** A consistency proof between two sizes, as the log served it; `refused` when it answered 4xx. */
export type ProofAnswer = { proof: Uint8Array[]; firstHash?: Uint8Array } | 'refused' | undefined;

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n));
}

/**
 * Where the larger tree's hash of its first `m` leaves (m a power of two) sits in the inclusion
 * proof of leaf `m` in a tree of `n` > m leaves (RFC 9162 §2.1.3.1): PATH(m, D[0:n]) reaches the
 * range [0, min(n, 2m)) whose split is m, and appends MTH(D[0:m]) after the path of leaf 0 in
 * the right part. The evidence needs it (decision 0028); a wrong one never passes the check.
 */
export function firstHashIndex(m: number, n: number): number {
  const right = Math.min(n, 2 * m) - m;
  return right <= 1 ? 0 : Math.ceil(Math.log2(right));
}

/** How proofs are fetched: the global fetch for a peer, a checked one for a third log (decision 0054). */
export type GetFetch = (url: string, init: RequestInit) => Promise<Response>;

async function getJson(url: string, get: GetFetch): Promise<{ status: number; body: unknown }> {
  const res = await get(url, { method: 'GET', signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body };
}

function hashesOf(body: unknown): Uint8Array[] | undefined {
  const hashes = (body as { hashes?: unknown } | undefined)?.hashes;
  if (!Array.isArray(hashes) || hashes.length > 64) return undefined;
  try {
    return hashes.map((h) => decodeBase64(String(h)));
  } catch {
    return undefined;
  }
}

/**
 * A log's consistency proof (and the first hash when `from` is a power of two), over HTTP from its
 * base URL: a peer's as registered, or a third log's as a peer named it.
 */
export async function peerConsistency(
  peer: { readonly url: string },
  from: number,
  to: number,
  get: GetFetch = fetch,
): Promise<ProofAnswer> {
  try {
    const c = await getJson(`${peer.url}/log/proof/consistency?from=${from}&to=${to}`, get);
    if (c.status >= 400 && c.status < 500) return 'refused';
    const proof = c.status === 200 ? hashesOf(c.body) : undefined;
    if (!proof) return undefined;
    if (!isPowerOfTwo(from)) return { proof };
    const i = await getJson(`${peer.url}/log/proof/inclusion?index=${from}&size=${to}`, get);
    const first = i.status === 200 ? hashesOf(i.body)?.[firstHashIndex(from, to)] : undefined;
    return first ? { proof, firstHash: first } : { proof };
  } catch {
    return undefined;
  }
}
