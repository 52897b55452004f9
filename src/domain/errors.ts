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
  /** A cookie-authenticated write from another origin (CSRF, issue 15 item 5). */
  'CROSS_ORIGIN',
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
  // Additional Protocol declarations (issue 19 item 4, decision 0032)
  'DECLARATION_INVALID',
  /** A submitted declaration is locked: it changes only by a supplement that amends it. */
  'DECLARATION_LOCKED',
  // log
  'LOG_MALFORMED',
  'LOG_RANGE',
  'LOG_PROOF_INVALID',
  'LOG_SIGNATURE_INVALID',
  'LOG_INCONSISTENT',
  'LOG_UNKNOWN_ORIGIN',
  'LOG_OLD_SIZE_MISMATCH',
  'LOG_TAMPERED',
  // remote monitoring (issue 18, decision 0029)
  'DEVICE_UNKNOWN',
  /** A device registered but not installed (planned) or removed: its batches are refused. */
  'DEVICE_NOT_IN_SERVICE',
  /** A batch whose signature is missing, malformed, names another key or does not verify. */
  'DEVICE_AUTH_FAILED',
  /** A batch that does not extend the device's chain: a gap, a fork (two batches with one seq), a wrong prev. */
  'DEVICE_CHAIN_BROKEN',
  /** A batch that cannot be read, or whose events are dated in the future or long before the last ones. */
  'DEVICE_BATCH_INVALID',
  'DEVICE_BATCH_TOO_LARGE',
  // legal framework (issue 19)
  /** A provision ref the legal register does not know. */
  'UNKNOWN_PROVISION',
  /** A provision of an instrument the state is not party to. */
  'PROVISION_NOT_BINDING',
  // workflow
  'INVALID_TRANSITION',
  'NOTICE_RULE_VIOLATED',
  'ASSIGNMENT_INVALID',
  // federation between nodes (issue 17): node-to-node requests (RFC 9421) and arrangements
  'PEER_UNKNOWN',
  'PEER_REVOKED',
  'REQUEST_SIGNATURE_INVALID',
  /** `created` more than 300 s away from the receiver's clock. */
  'REQUEST_EXPIRED',
  /** A nonce already seen from that peer within the window. */
  'REQUEST_REPLAYED',
  /** RFC 9530 Content-Digest missing, malformed or not the body's SHA-256. */
  'CONTENT_DIGEST_INVALID',
  /** No sharing arrangement covers this record (peer, direction, state, kind, date). */
  'NOT_ARRANGED',
  // configuration and internal
  'CONFIG_INVALID',
  'UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * The codes a report's problems carry (issue "declarations": every problem at once, with line and
 * field): the reader's (format, type, range), the signature check's, and the validator's (registry,
 * numbering, dates, batches, balance arithmetic). Errors and warnings alike; golden report fixtures
 * cover each one (domain/reports/golden.test.ts).
 */
export const REPORT_DETAIL_CODES = [
  // reading the bytes and the fields (JSON and CSV)
  'MALFORMED',
  'FIELD_MISSING',
  'FIELD_UNKNOWN',
  'FIELD_DUPLICATE',
  'FIELD_TYPE',
  'FIELD_FORMAT',
  'FIELD_CONFLICT',
  'OUT_OF_RANGE',
  'WEIGHT_PRECISION',
  'TOO_MANY_ERRORS',
  /** A CSV line row with more cells than its header row (a decimal comma splits a number in two). */
  'ROW_TOO_LONG',
  // the signature over the submitted bytes
  'SIGNATURE_INVALID',
  'KEY_UNKNOWN',
  'KEY_NOT_VALID',
  // the header against the registry and the account
  'UNKNOWN_MBA',
  'REPORT_DUPLICATE',
  'REPORT_NUMBER_GAP',
  'LINE_COUNT_MISMATCH',
  'LINE_NUMBERING',
  'DATE_OUTSIDE_PERIOD',
  'PERIOD_INVALID',
  'REPORT_DATE_EARLY',
  // the lines
  'UNKNOWN_KMP',
  'UNKNOWN_ELEMENT',
  'UNKNOWN_BASIS',
  'UNKNOWN_ISOTOPE',
  'UNKNOWN_IC_CODE',
  'NEGATIVE_WEIGHT',
  'FISSILE_EXCEEDS_ELEMENT',
  'FISSILE_MISSING',
  'COUNTERPART_INVALID',
  'NOTICE_UNKNOWN',
  'CORRECTION_TARGET_UNKNOWN',
  'BATCH_REUSED',
  // the material balance (MBR)
  'ENTRY_DUPLICATE',
  'BALANCE_ARITHMETIC',
  'ITEM_MUF_NONZERO',
  'PB_MISMATCH',
  'PE_MISMATCH',
  'ICR_MISMATCH',
  // export and import notices
  'DATE_ORDER',
  'NOTICE_RULE_VIOLATED',
] as const;

/**
 * The one closed set of detail codes: the `code` of each problem listed under a refusal, as error
 * codes are for the refusal itself. They are API (clients and the web app match on them), so a
 * code is added here, never renamed; tests import these lists instead of spelling them again.
 */
export const DETAIL_CODES = [
  ...REPORT_DETAIL_CODES,
  // request fields (schemas, list queries, CSV uploads)
  'FIELD_INVALID',
  'REQUIRED',
  'DUPLICATE',
  'UNKNOWN',
  'NOT_A_NUMBER',
  'DATE_INVALID',
  'NOT_AFTER_TODAY',
  'BEFORE_LAST_EVENT',
  'TOO_MANY',
  'EMPTY',
  'NOT_BASE64',
  // inspections: notice, joint split, sampling, verification, statements
  'NOT_TWO_PARTICIPANTS',
  'NOT_ONE_OR_TWO_PARTICIPANTS',
  'NOT_PARTICIPANT',
  'NOT_AN_INSPECTORATE_OF_STATE',
  'UNKNOWN_ACTIVITY',
  'DUPLICATE_ACTIVITY',
  'NOT_PLANNED',
  'UNASSIGNED',
  'ASSIGNED_TO_PARTNER',
  'GOAL_EXCEEDS_POPULATION',
  'NOT_AS_PLANNED',
  'NOT_IN_SAMPLE',
  'COUNT_MISMATCH',
  'NOT_AS_RECORDED',
  // cases
  'NOT_ALLOWED',
  'UNKNOWN_REPORT',
  'SIGNATURE_REQUIRED',
  // notifications: webhook targets and events
  'TOO_LONG',
  'UNSAFE_CHARACTER',
  'NOT_A_URL',
  'SCHEME',
  'CREDENTIALS',
  'RESERVED',
  // (a webhook header outside the allow-list says NOT_ALLOWED too, issue 15 item 3)
  /** A webhook target on a loopback, private or link-local address (issue 15 item 3). */
  'PRIVATE_ADDRESS',
  'UNSAFE_NAME',
  'UNSAFE_VALUE',
  'UNKNOWN_EVENT',
  'NOT_VERIFIED',
  // remote monitoring: a batch's problems (issue 18, decision 0029)
  /** The batch names another device than the one it was sent for. */
  'DEVICE_MISMATCH',
  'EVENT_IN_FUTURE',
  'EVENT_TOO_OLD',
  'SEQ_GAP',
  'SEQ_FORK',
  'PREV_MISMATCH',
  /** Joint use of a device's data, granted or withdrawn (decision 0063); its rule says which check. */
  'JOINT_USE',
  // refusals counted past the hourly quota, logged as one summary (decision 0023)
  'REFUSALS_COUNTED',
  // Additional Protocol declarations (decision 0032)
  /** Not a section of Annex I or Annex II of INFCIRC/540. */
  'ANNEX_REF_UNKNOWN',
  /** A supplement names a declaration that is not the same State's, of the same article. */
  'SUPPLEMENT_TARGET_INVALID',
  /** An item names a file (a site map) its State has not uploaded (issue 19). */
  'ATTACHMENT_UNKNOWN',
] as const;

export type DetailCode = (typeof DETAIL_CODES)[number];

export interface ErrorDetail {
  readonly line?: number;
  /** The index (from 0) of the item of a declaration the problem is in. */
  readonly item?: number;
  readonly field?: string;
  readonly code: DetailCode;
  /** Which of the code's checks found it, when the code has more than one (decision 0052). */
  readonly rule?: string;
  /** The English wording, for API and CLI readers; pages word `code`, `rule` and `values` instead. */
  readonly message: string;
  /** The particulars `message` is written from, named as domain/particulars.ts declares. */
  readonly values?: Readonly<Record<string, string | number | readonly string[]>>;
}

/** Facts of a single refusal that is not a list of problems, e.g. the transition refused and the allowed ones. */
export interface ErrorFacts {
  readonly [key: string]: unknown;
}

/** What a DomainError carries besides its code and message: the problems found, or the facts of the refusal. */
export type ErrorDetails = readonly ErrorDetail[] | ErrorFacts;

export class DomainError<C extends ErrorCode = ErrorCode> extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: C,
    message: string,
    readonly details?: ErrorDetails,
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
