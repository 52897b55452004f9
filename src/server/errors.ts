import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError, type ErrorCode, type ErrorDetail, isDomainError } from '../domain/errors.js';
import { problemOf } from '../domain/particulars.js';
import { isLogError } from '../log/index.js';

/**
 * The one place where error codes become HTTP statuses (architecture.md habit 1). The envelope is
 * always `{ "error": { "code", "message", "details" } }`; a client can never cause a 500.
 */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  CROSS_ORIGIN: 403,
  INVALID_CREDENTIALS: 401,
  ALREADY_EXISTS: 409,
  UNKNOWN_REFERENCE: 422,
  KEY_INVALID: 400,
  REPORT_INVALID: 422,
  SIGNATURE_MISSING: 401,
  SIGNATURE_INVALID: 422,
  KEY_UNKNOWN: 422,
  KEY_NOT_VALID: 422,
  UNKNOWN_MBA: 422,
  MBA_NOT_OWNED: 422,
  UNKNOWN_KMP: 422,
  UNKNOWN_IC_CODE: 422,
  UNKNOWN_ELEMENT: 422,
  REPORT_NUMBER_GAP: 422,
  REPORT_DUPLICATE: 422,
  LINE_COUNT_MISMATCH: 422,
  DATE_OUTSIDE_PERIOD: 422,
  BATCH_REUSED: 422,
  NEGATIVE_WEIGHT: 422,
  FISSILE_EXCEEDS_ELEMENT: 422,
  WEIGHT_PRECISION: 422,
  BALANCE_ARITHMETIC: 422,
  PB_MISMATCH: 422,
  PE_MISMATCH: 422,
  ICR_MISMATCH: 422,
  CORRECTION_TARGET_UNKNOWN: 422,
  NOTICE_UNKNOWN: 422,
  DECLARATION_INVALID: 422,
  DECLARATION_LOCKED: 409,
  LOG_MALFORMED: 400,
  LOG_RANGE: 400,
  LOG_PROOF_INVALID: 422,
  LOG_SIGNATURE_INVALID: 403,
  LOG_INCONSISTENT: 409,
  LOG_UNKNOWN_ORIGIN: 404,
  LOG_OLD_SIZE_MISMATCH: 409,
  LOG_TAMPERED: 500,
  DEVICE_UNKNOWN: 404,
  DEVICE_NOT_IN_SERVICE: 409,
  DEVICE_AUTH_FAILED: 401,
  DEVICE_CHAIN_BROKEN: 409,
  DEVICE_BATCH_INVALID: 422,
  DEVICE_BATCH_TOO_LARGE: 413,
  UNKNOWN_PROVISION: 422,
  PROVISION_NOT_BINDING: 422,
  INVALID_TRANSITION: 409,
  NOTICE_RULE_VIOLATED: 422,
  ASSIGNMENT_INVALID: 422,
  PEER_UNKNOWN: 401,
  PEER_REVOKED: 403,
  REQUEST_SIGNATURE_INVALID: 401,
  REQUEST_EXPIRED: 401,
  REQUEST_REPLAYED: 409,
  CONTENT_DIGEST_INVALID: 400,
  NOT_ARRANGED: 403,
  CONFIG_INVALID: 500,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export interface ErrorEnvelope {
  error: { code: string; message: string; details?: unknown };
}

function envelope(
  code: ErrorCode,
  message: string,
  details?: unknown,
  meta?: Record<string, unknown>,
): ErrorEnvelope {
  return { error: { ...(meta ?? {}), code, message, ...(details === undefined ? {} : { details }) } };
}

/** Fastify's own errors for things a client sent (bad JSON, too large, wrong media type…). */
function fromFastify(err: FastifyError): DomainError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DomainError('BODY_TOO_LARGE', 'request body is larger than the configured limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new DomainError('UNSUPPORTED_MEDIA_TYPE', `unsupported Content-Type: ${err.message}`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new DomainError('BAD_REQUEST', 'request body is not valid JSON');
    case 'FST_ERR_VALIDATION':
      return new DomainError('VALIDATION_FAILED', err.message);
    default:
      break;
  }
  if (err instanceof SyntaxError) return new DomainError('BAD_REQUEST', 'request body is not valid JSON');
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return new DomainError(err.statusCode === 413 ? 'BODY_TOO_LARGE' : 'BAD_REQUEST', err.message);
  }
  return undefined;
}

export function sendError(reply: FastifyReply, err: DomainError): FastifyReply {
  // RFC 6585 §4: a 429 says how long to wait.
  const retry = err.meta?.retryAfterSeconds;
  if (err.code === 'RATE_LIMITED' && typeof retry === 'number') reply.header('retry-after', String(retry));
  return reply
    .status(HTTP_STATUS[err.code])
    .type('application/json')
    .send(envelope(err.code, err.message, err.details, err.meta));
}

export function errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = err.validationContext ?? 'body';
    const details = err.validation.flatMap((v): ErrorDetail[] => {
      const path = v.instancePath === '/' ? '' : v.instancePath.replaceAll('/', '.');
      if (v.keyword === 'unrecognized_keys') {
        const keys = (v.params as { keys?: string[] }).keys ?? [];
        return keys.map((key) => ({
          field: `${where}${path}.${key}`,
          ...problemOf('FIELD_UNKNOWN', {}),
          message: 'unknown field',
        }));
      }
      return [
        {
          field: `${where}${path}`,
          ...problemOf('FIELD_INVALID', {}),
          message: v.message ?? 'invalid value',
        },
      ];
    });
    return sendError(
      reply,
      new DomainError('VALIDATION_FAILED', 'request does not match the schema', details),
    );
  }
  if (isLogError(err)) {
    // The log library's codes are a subset of ours (src/log/errors.ts mirrors them).
    return sendError(reply, new DomainError(err.code, err.message));
  }
  if (isDomainError(err)) {
    if (HTTP_STATUS[err.code] >= 500) request.log.error({ err }, 'server-side failure');
    return sendError(reply, err);
  }
  const mapped = fromFastify(err);
  if (mapped) return sendError(reply, mapped);
  request.log.error({ err }, 'unexpected error');
  return sendError(reply, new DomainError('INTERNAL', 'internal error; it has been logged'));
}
