/**
 * The one closed set of error codes Custos speaks. Every refusal, from any layer, is a
 * DomainError with one of these codes; the HTTP status (server/errors.ts) and the CLI exit
 * status (cli/exit.ts) are each decided in exactly one place from the code. Tests assert codes,
 * never messages.
 */
export const ERROR_CODES = [
  // request shape
  'BAD_REQUEST',
  'VALIDATION_FAILED',
  'BODY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  // authentication and authorization
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'INVALID_CREDENTIALS',
  // registry
  'ALREADY_EXISTS',
  'UNKNOWN_REFERENCE',
  'KEY_INVALID',
  // reports (issue: declarations)
  'REPORT_INVALID',
  'SIGNATURE_MISSING',
  'SIGNATURE_INVALID',
  'KEY_UNKNOWN',
  'KEY_NOT_VALID',
  'UNKNOWN_MBA',
  'MBA_NOT_OWNED',
  'UNKNOWN_KMP',
  'UNKNOWN_IC_CODE',
  'UNKNOWN_ELEMENT',
  'REPORT_NUMBER_GAP',
  'REPORT_DUPLICATE',
  'LINE_COUNT_MISMATCH',
  'DATE_OUTSIDE_PERIOD',
  'BATCH_REUSED',
  'NEGATIVE_WEIGHT',
  'FISSILE_EXCEEDS_ELEMENT',
  'WEIGHT_PRECISION',
  'BALANCE_ARITHMETIC',
  'PB_MISMATCH',
  'PE_MISMATCH',
  'ICR_MISMATCH',
  'CORRECTION_TARGET_UNKNOWN',
  'NOTICE_UNKNOWN',
  // log
  'LOG_MALFORMED',
  'LOG_RANGE',
  'LOG_PROOF_INVALID',
  'LOG_SIGNATURE_INVALID',
  'LOG_INCONSISTENT',
  'LOG_UNKNOWN_ORIGIN',
  'LOG_OLD_SIZE_MISMATCH',
  'LOG_TAMPERED',
  // workflow
  'INVALID_TRANSITION',
  'NOTICE_RULE_VIOLATED',
  'ASSIGNMENT_INVALID',
  // configuration and internal
  'CONFIG_INVALID',
  'UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorDetail {
  readonly line?: number;
  readonly field?: string;
  readonly code: string;
  readonly message: string;
}

export class DomainError<C extends ErrorCode = ErrorCode> extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: C,
    message: string,
    readonly details?: unknown,
    /** Extra fields for the error envelope, e.g. the logged rejection of a refused report. */
    readonly meta?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}

export function isErrorCode(value: string): value is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(value);
}
