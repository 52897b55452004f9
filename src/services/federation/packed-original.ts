/**
 * A signed original travels as its source stores it (decision 0071): the brotli stream of
 * store/body-codec.ts, base64, instead of the signed bytes themselves. A 100 000-line ICR is
 * ~27 MB of JSON and ~1.3 MB packed: the source no longer base64-encodes, serialises and signs
 * 36 MB for one request, the link carries a twentieth of it, and the receiver unpacks it (a
 * fraction of what packing costs) and stores the very stream it unpacked instead of packing the
 * body again. Small originals too (decision 0075): packing a 3 KB report was ~a tenth of the
 * receiver's CPU per report while catching up, unpacking it is a few microseconds. What is
 * verified is unchanged: the bytes unpacked here are the ones whose state signature, body hash
 * and parsing the receiver checks.
 *
 * Only the wire form changes; the bundle the domain verifies (decision 0028) and every chain
 * file keep the original's bytes.
 */
import { promisify } from 'node:util';
import { brotliDecompress, brotliDecompressSync } from 'node:zlib';
import type { Bundle, BundleOriginal } from '../../domain/federation/index.js';
import { encodeBase64, tryDecodeBase64 } from '../../log/index.js';
import type { PackedBody } from '../../store/body-codec.js';
import { isObject, Refusal } from './inbox-reading.js';

/** A signed original as stored: `packed` is base64 of its brotli stream. */
export interface PackedOriginal {
  readonly packed: string;
  readonly codec: 'br';
  readonly signature: string;
}

/** A bundle as it travels in an inbox request: the domain's, or with its original packed. */
export type WireBundle = Omit<Bundle, 'original'> & {
  readonly original?: BundleOriginal | PackedOriginal;
};

/**
 * The original as sent: packed when stored packed and the peer reads packed originals (`packed`),
 * else its bytes (decision 0028).
 */
export function wireOriginal(
  bytes: Uint8Array,
  stored: { codec: string; data: Uint8Array } | undefined,
  signature: string,
  packed: boolean,
): BundleOriginal | PackedOriginal {
  if (packed && stored?.codec === 'br') return { packed: encodeBase64(stored.data), codec: 'br', signature };
  return { bytes: encodeBase64(bytes), signature };
}

const unpack = promisify(brotliDecompress);

/**
 * Unpacked a mebibyte at a time: zlib's default 16 KiB chunks made a 20 MB body of ~1 300 pieces
 * joined afterwards, three times the CPU of the unpacking itself (decision 0071).
 */
const CHUNK = 1024 * 1024;

/**
 * A stream this small whose body is at most ON_THREAD bytes is unpacked on the request's thread:
 * a report of a few kilobytes takes microseconds, where the pool's round trip cost more (decision
 * 0057 found the same for packing). A bigger body, or a small stream that unpacks past it, goes
 * to the pool, bounded by the node's body limit.
 */
const ON_THREAD = 64 * 1024;

function unpackOnThread(data: Uint8Array, limit: number): Buffer | undefined {
  if (data.byteLength >= ON_THREAD) return undefined;
  try {
    return brotliDecompressSync(data, { maxOutputLength: Math.min(limit, ON_THREAD) });
  } catch {
    return undefined; // too big for the thread, or not brotli: the pool says which
  }
}

/**
 * The receiver's side: a bundle whose original travels packed becomes the bundle verifyBundle
 * reads, with the unpacked bytes in hand in `original.bytes`, and the packed stream to store as
 * the report's body. Unpacking stops at `limit` bytes (the largest body this node accepts): a
 * stream that would unpack past it, or does not unpack, is refused as malformed. Any other
 * bundle is answered as it is.
 */
export async function unpackOriginal(
  bundle: unknown,
  limit: number,
): Promise<{ bundle: unknown; packed?: PackedBody }> {
  if (!isObject(bundle) || !isObject(bundle.original) || !('packed' in bundle.original)) return { bundle };
  const o = bundle.original;
  const keys = Object.keys(o).sort().join(',');
  if (keys !== 'codec,packed,signature' || o.codec !== 'br' || typeof o.packed !== 'string')
    throw new Refusal('LOG_MALFORMED', 'a packed original is {packed, codec: "br", signature}');
  const data = tryDecodeBase64(o.packed);
  if (data === undefined) throw new Refusal('LOG_MALFORMED', 'original.packed is not base64');
  let bytes: Buffer;
  try {
    bytes =
      unpackOnThread(data, limit) ??
      (await unpack(data, { maxOutputLength: limit, chunkSize: Math.min(limit, CHUNK) }));
  } catch (err) {
    throw new Refusal(
      'LOG_MALFORMED',
      `original.packed does not unpack to a body of at most ${limit} bytes: ${(err as Error).message}`,
    );
  }
  return {
    // Views, not copies: tens of megabytes of fresh memory are slow here (decision 0067).
    bundle: {
      ...bundle,
      original: {
        bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        signature: o.signature,
      },
    },
    packed: { codec: 'br', data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) },
  };
}
