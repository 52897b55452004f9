import type { IncomingMessage } from 'node:http';
import { errorCodes, type FastifyRequest } from 'fastify';

const { FST_ERR_CTP_BODY_TOO_LARGE, FST_ERR_CTP_INVALID_CONTENT_LENGTH } = errorCodes;

type Done = (err: Error | null, body?: Buffer) => void;

/**
 * A content-type parser that reads the raw body into ONE buffer, for the routes whose signature
 * covers the exact bytes (reports, declarations, device batches, federation, compatibility steps,
 * the witness). Fastify's `parseAs: 'buffer'` keeps every chunk until the end and then copies them
 * into a new buffer: the body twice at once, and a 60 MB report's chunks left the allocator's heap
 * fragmented well after they were freed (issue 15 item 9, decision 0058). With a Content-Length the
 * buffer is allocated once at that size (pages are only resident once written) and each chunk is
 * copied in as it arrives; without one (chunked encoding) the chunks are kept and joined, as
 * Fastify does. The limits and errors are Fastify's: 413 FST_ERR_CTP_BODY_TOO_LARGE past `limit`,
 * 400 FST_ERR_CTP_INVALID_CONTENT_LENGTH when the bytes received differ from the header.
 */
export function rawBodyParser(limit: number) {
  return (_req: FastifyRequest, payload: IncomingMessage, done: Done): void => {
    const declared = Number(payload.headers['content-length']);
    if (declared > limit) {
      done(new FST_ERR_CTP_BODY_TOO_LARGE());
      return;
    }
    const sized = Number.isSafeInteger(declared) && declared >= 0;
    // Its own memory, not a slice of Node's shared pool: callers may hand out views of it.
    const into = sized ? Buffer.allocUnsafeSlow(declared) : undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    let finished = false;
    const finish = (err: Error | null, body?: Buffer): void => {
      if (finished) return;
      finished = true;
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onError);
      done(err, body);
    };
    function onData(chunk: Buffer | string): void {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (received + bytes.length > limit) {
        finish(new FST_ERR_CTP_BODY_TOO_LARGE());
        return;
      }
      if (into !== undefined) {
        if (received + bytes.length > into.length) {
          finish(new FST_ERR_CTP_INVALID_CONTENT_LENGTH());
          return;
        }
        bytes.copy(into, received);
      } else {
        chunks.push(bytes);
      }
      received += bytes.length;
    }
    function onEnd(): void {
      if (into !== undefined) {
        if (received !== into.length) finish(new FST_ERR_CTP_INVALID_CONTENT_LENGTH());
        else finish(null, into);
        return;
      }
      // Copied into memory of its own: a chunk may be a view of the socket's read buffer.
      const body = Buffer.allocUnsafeSlow(received);
      let at = 0;
      for (const c of chunks) at += c.copy(body, at);
      finish(null, body);
    }
    function onError(err: Error & { statusCode?: number }): void {
      if (!(typeof err.statusCode === 'number' && err.statusCode >= 400)) err.statusCode = 400;
      finish(err);
    }
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.resume();
  };
}

/** The bytes of a body read by rawBodyParser, as a view (no copy); empty when there was none. */
export function bodyBytes(body: unknown): Uint8Array {
  return body instanceof Buffer
    ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
    : new Uint8Array();
}
