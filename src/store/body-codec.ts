import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

/**
 * How a signed report body is kept (docs/decisions/0011): compressed with brotli, byte-exact on
 * the way out. Quality 5 with the size hint: on a 100 000-line ICR (22 MB of JSON) it keeps about
 * 8 bytes a line in ~0.2 s on the thread pool, while deflate kept 13 and brotli's top qualities
 * took seconds for 10 % less. Bodies stored before migration 0008 were compressed by it; `identity`
 * remains readable.
 */
export type BodyCodec = 'br' | 'identity';

export interface PackedBody {
  readonly codec: BodyCodec;
  readonly data: Buffer;
}

/**
 * The window is no larger than the body (2^10 … the default 2^22): a report of a few kilobytes
 * then costs brotli half the CPU (its window and hash tables are sized by it: megabytes allocated
 * and cleared per body, which a peer catching up on thousands of small reports paid each time,
 * decision 0057), with the same output size, since no reference reaches further back than the
 * body's start. Decoding reads the window from the stream: every stored body decodes as before.
 */
const options = (size: number) => ({
  params: {
    [constants.BROTLI_PARAM_QUALITY]: 5,
    [constants.BROTLI_PARAM_SIZE_HINT]: size,
    [constants.BROTLI_PARAM_LGWIN]: Math.min(22, Math.max(10, Math.ceil(Math.log2(size + 1)))),
  },
});

const compressAsync = promisify(brotliCompress);

/** Compress on libuv's thread pool: the request's own thread goes on validating meanwhile. */
export async function packBody(body: Uint8Array): Promise<PackedBody> {
  return { codec: 'br', data: await compressAsync(body, options(body.byteLength)) };
}

export function packBodySync(body: Uint8Array): PackedBody {
  return { codec: 'br', data: brotliCompressSync(body, options(body.byteLength)) };
}

/**
 * The signed bytes back. A stored body that no longer decodes was damaged or rewritten: it is
 * returned as stored, so its hash no longer matches the logged one and the audit names the
 * report (as for any rewritten body), and a verifier's signature check fails.
 */
export function unpackBody(codec: string, data: Uint8Array): Uint8Array {
  if (codec === 'br') {
    try {
      return new Uint8Array(brotliDecompressSync(data));
    } catch {
      return new Uint8Array(data);
    }
  }
  return new Uint8Array(data);
}
