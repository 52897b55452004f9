/**
 * The log's own error type. The codes are the same strings as the LOG_* codes of
 * src/domain/errors.ts, so the server and CLI can map them without src/log importing src/domain.
 */
export const LOG_ERROR_CODES = [
  'LOG_MALFORMED',
  'LOG_RANGE',
  'LOG_PROOF_INVALID',
  'LOG_SIGNATURE_INVALID',
  'LOG_INCONSISTENT',
  'LOG_UNKNOWN_ORIGIN',
  'LOG_OLD_SIZE_MISMATCH',
] as const;

export type LogErrorCode = (typeof LOG_ERROR_CODES)[number];

export class LogError extends Error {
  override readonly name = 'LogError';
  constructor(
    readonly code: LogErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isLogError(value: unknown): value is LogError {
  return value instanceof LogError;
}
