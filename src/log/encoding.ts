/**
 * Byte/text helpers that behave the same in Node and in the browser, and are strict: every
 * encoding we accept from outside must be the one canonical spelling of its bytes. Base64 goes
 * through Node's native Buffer when there is one (a 100 000-line ICR travels between nodes as
 * 30 MB of base64: half a second each way in the loops below); the browser has none and uses the
 * loops. Both give the same answers (encoding.test.ts).
 */
import { LogError } from './errors.js';

interface NativeBase64 {
  from(bytes: ArrayBufferLike, offset: number, length: number): { toString(enc: 'base64'): string };
  from(text: string, enc: 'base64'): Uint8Array & { toString(enc: 'base64'): string };
}
const native = (globalThis as { Buffer?: NativeBase64 }).Buffer;

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** Standard base64 (RFC 4648 §4) with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  if (native) return native.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return encodeBase64Portable(bytes);
}

/** encodeBase64 without Buffer (the browser's, and the reference the tests compare with). */
export function encodeBase64Portable(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[n >>> 18]! + B64[(n >>> 12) & 63]! + B64[(n >>> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += `${B64[n >>> 18]!}${B64[(n >>> 12) & 63]!}==`;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += `${B64[n >>> 18]!}${B64[(n >>> 12) & 63]!}${B64[(n >>> 6) & 63]!}=`;
  }
  return out;
}

/**
 * Strict standard base64: padded, no whitespace, no non-zero trailing bits (so each byte string
 * has exactly one accepted spelling, as Go's base64.StdEncoding.Strict). Returns undefined when
 * the text is not canonical base64.
 */
export function tryDecodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  if (native) {
    // Buffer skips what is not base64 and ignores trailing bits: the text is canonical exactly
    // when the bytes spell it again.
    const bytes = native.from(text, 'base64');
    if (bytes.toString('base64') !== text) return undefined;
    return new Uint8Array(bytes); // a plain copy: a small Buffer is a view into a shared pool
  }
  return tryDecodeBase64Portable(text);
}

/** tryDecodeBase64 without Buffer (the browser's, and the reference the tests compare with). */
export function tryDecodeBase64Portable(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  let pad = 0;
  if (text.endsWith('==')) pad = 2;
  else if (text.endsWith('=')) pad = 1;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = text.charCodeAt(i + j);
      let v: number;
      if (c === 61 /* = */ && last && j >= 4 - pad) v = 0;
      else {
        v = c < 128 ? B64_INDEX[c]! : -1;
        if (v < 0) return undefined;
      }
      n = (n << 6) | v;
    }
    if (last && pad > 0) {
      if (pad === 2 && (n & 0xffff) !== 0) return undefined;
      if (pad === 1 && (n & 0xff) !== 0) return undefined;
    }
    out[o++] = n >>> 16;
    if (o < out.length) out[o++] = (n >>> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

export function decodeBase64(text: string, what = 'base64'): Uint8Array {
  const bytes = tryDecodeBase64(text);
  if (bytes === undefined) throw new LogError('LOG_MALFORMED', `${what} is not canonical base64`);
  return bytes;
}

export function encodeHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

const encoder = new TextEncoder();
const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** UTF-8 bytes of a string; a string with lone surrogates has no UTF-8 form and is refused. */
export function encodeUtf8(text: string): Uint8Array {
  if (LONE_SURROGATE.test(text)) throw new LogError('LOG_MALFORMED', 'text is not valid Unicode');
  return encoder.encode(text);
}

/** Decodes UTF-8, refusing invalid sequences instead of replacing them. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return fatalDecoder.decode(bytes);
  } catch {
    throw new LogError('LOG_MALFORMED', 'bytes are not valid UTF-8');
  }
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Canonical unsigned decimal (no sign, no leading zeros) as a safe integer, else undefined. */
export function parseDecimal(text: string): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function uint32BE(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
}

export function readUint32BE(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>>
    0
  );
}
