import type { ErrorCode } from '../domain/errors.js';
import { isDomainError } from '../domain/errors.js';

/**
 * The one place where error codes become exit statuses (architecture.md habit 1):
 * 0 ok · 1 internal · 2 usage/config · 3 verification failed (proof, signature, audit)
 * · 4 refused by the server (validation, policy) · 5 not found · 6 unavailable.
 */
export function exitStatusFor(code: ErrorCode): number {
  if (code === 'CONFIG_INVALID' || code === 'BAD_REQUEST' || code === 'VALIDATION_FAILED') return 2;
  if (code.startsWith('LOG_') || code === 'SIGNATURE_INVALID') return 3;
  if (code === 'NOT_FOUND') return 5;
  if (code === 'UNAVAILABLE') return 6;
  if (code === 'INTERNAL') return 1;
  return 4;
}

export function reportAndExit(err: unknown): never {
  if (isDomainError(err)) {
    process.stderr.write(`custos: ${err.code}: ${err.message}\n`);
    process.exit(exitStatusFor(err.code));
  }
  process.stderr.write(`custos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}
