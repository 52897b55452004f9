import { DomainError, type ErrorDetail } from '../errors.js';
import { problemOf } from '../particulars.js';

/**
 * The signed body of a re-verification (issue 18 §5, decision 0038): an inspector states that the
 * device was re-verified on site, signing these exact bytes with a key of the inspectorate
 * (Custos-Signature, as for reports). `n` is the device's next change number, so a signed body
 * applies once and cannot be replayed.
 */
const REVERIFICATION_TYPE = 'custos/device-reverification';

export interface ReverificationBody {
  readonly device: string;
  readonly n: number;
  readonly note: string | null;
}

/**
 * The exact bytes an inspector signs (the browser builds them here): the device, its
 * next change number, and an optional note.
 */
export function reverificationBytes(device: string, n: number, note?: string): Uint8Array {
  const body = { v: 1, type: REVERIFICATION_TYPE, device, n, ...(note ? { note } : {}) };
  return new TextEncoder().encode(JSON.stringify(body));
}

const FIELDS = new Set(['v', 'type', 'device', 'n', 'note']);
const NOTE_MAX = 2000;

/** Reads and checks the body; VALIDATION_FAILED with every problem at once. */
export function parseReverification(bytes: Uint8Array, device: string): ReverificationBody {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new DomainError('VALIDATION_FAILED', 'the re-verification is not UTF-8 JSON', [
      { ...problemOf('MALFORMED.body', {}), message: 'the body is not UTF-8 JSON' },
    ]);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new DomainError('VALIDATION_FAILED', 'the re-verification is not a JSON object', [
      { ...problemOf('MALFORMED.bodyNotObject', {}), message: 'the body is not a JSON object' },
    ]);
  const o = json as Record<string, unknown>;
  const problems: ErrorDetail[] = [];
  for (const k of Object.keys(o))
    if (!FIELDS.has(k))
      problems.push({
        field: k,
        ...problemOf('FIELD_UNKNOWN', {}),
        message: 'not a field of a re-verification',
      });
  if (o.v !== 1)
    problems.push({ field: 'v', ...problemOf('FIELD_INVALID.mustBe', { value: '1' }), message: 'must be 1' });
  if (o.type !== REVERIFICATION_TYPE)
    problems.push({
      field: 'type',
      ...problemOf('FIELD_INVALID.mustBe', { value: REVERIFICATION_TYPE }),
      message: `must be "${REVERIFICATION_TYPE}"`,
    });
  if (o.device !== device)
    problems.push({
      field: 'device',
      ...problemOf('FIELD_CONFLICT.address', { value: device }),
      message: `must be ${device}, the device of the URL`,
    });
  const n = o.n;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 2)
    problems.push({
      field: 'n',
      ...problemOf('FIELD_INVALID.wholeFrom', { min: 2 }),
      message: "the device's next change number, an integer from 2",
    });
  const note = o.note;
  if (note !== undefined && (typeof note !== 'string' || note.length > NOTE_MAX))
    problems.push({
      field: 'note',
      ...problemOf('FIELD_INVALID.textAtMost', { max: NOTE_MAX }),
      message: `text of at most ${NOTE_MAX} characters`,
    });
  if (problems.length > 0)
    throw new DomainError('VALIDATION_FAILED', 'the re-verification is not valid', problems);
  return { device, n: n as number, note: typeof note === 'string' ? note : null };
}
