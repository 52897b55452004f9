import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { DomainError } from '../errors.js';
import { problemOf } from '../particulars.js';

/** Header that carries the signature (`t=<unix seconds>,v1=<hex>`). */
export const SIGNATURE_HEADER = 'Custos-Signature';
/** Default replay window: a delivery older or newer than this many seconds is refused. */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;
const MAX_HEADER_LENGTH = 4096;

type Bytes = string | Uint8Array;
const toBytes = (v: Bytes): Uint8Array => (typeof v === 'string' ? utf8ToBytes(v) : v);

function mac(secret: Bytes, timestamp: number, body: Bytes): Uint8Array {
  const prefix = utf8ToBytes(`${timestamp}.`);
  const b = toBytes(body);
  const message = new Uint8Array(prefix.length + b.length);
  message.set(prefix);
  message.set(b, prefix.length);
  return hmac(sha256, toBytes(secret), message);
}

function assertTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new DomainError('VALIDATION_FAILED', 'timestamp must be whole unix seconds', [
      { field: 'timestamp', ...problemOf('OUT_OF_RANGE.wholeFrom', { min: 0 }), message: String(timestamp) },
    ]);
  }
}

/**
 * Signature header value for a webhook delivery: `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * The timestamp is inside the MAC so a captured delivery cannot be replayed with a new time.
 */
export function signWebhook(secret: Bytes, timestamp: number, body: Bytes): string {
  assertTimestamp(timestamp);
  return `t=${timestamp},v1=${bytesToHex(mac(secret, timestamp, body))}`;
}

function equalConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function refuse(reason: 'malformed' | 'too-old' | 'too-new' | 'mismatch', message: string): never {
  throw new DomainError('SIGNATURE_INVALID', message, { reason });
}

export interface VerifyWebhookInput {
  readonly secret: Bytes;
  readonly header: string;
  readonly body: Bytes;
  /** Receiver's clock, unix seconds. */
  readonly now: number;
  readonly toleranceSeconds?: number;
}

/**
 * Verifies a signature header; returns its timestamp or throws SIGNATURE_INVALID with
 * `{ reason: 'malformed' | 'too-old' | 'too-new' | 'mismatch' }`. Several `v1` entries are
 * accepted (any may match) so a sender can sign with an old and a new secret during rotation;
 * unknown schemes are ignored. Comparison is constant-time.
 */
export function verifyWebhookSignature(input: VerifyWebhookInput): { readonly timestamp: number } {
  const tolerance = input.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS;
  if (input.header.length > MAX_HEADER_LENGTH) refuse('malformed', 'signature header too long');
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of input.header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) refuse('malformed', 'signature header entry without a key');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined || !/^\d{1,15}$/.test(value))
        refuse('malformed', 'bad or repeated timestamp');
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(value)) refuse('malformed', 'v1 is not 64 lowercase hex digits');
      candidates.push(value);
    }
  }
  if (timestamp === undefined || candidates.length === 0)
    refuse('malformed', 'signature header needs t and v1');
  if (input.now - timestamp > tolerance) refuse('too-old', 'signature timestamp outside tolerance');
  if (timestamp - input.now > tolerance) refuse('too-new', 'signature timestamp in the future');
  const expected = bytesToHex(mac(input.secret, timestamp, input.body));
  // Check every candidate so timing does not reveal which entry matched.
  let ok = false;
  for (const c of candidates) ok = equalConstantTime(c, expected) || ok;
  if (!ok) refuse('mismatch', 'signature does not match');
  return { timestamp };
}
