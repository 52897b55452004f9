import type { ErrorCode } from '../domain/errors.js';
import { isDomainError } from '../domain/errors.js';
import { isLogError } from '../log/index.js';

/**
 * The one place where error codes become exit statuses (architecture.md habit 1):
 * 0 ok · 1 internal · 2 usage/config (bad arguments, a file that is not a usable key)
 * · 3 verification failed (proof, signature, audit) · 4 refused by the server (validation, policy)
 * · 5 not found (an entry on the server, a file given on the command line) · 6 unavailable.
 */
export function exitStatusFor(code: ErrorCode): number {
  if (
    code === 'CONFIG_INVALID' ||
    code === 'BAD_REQUEST' ||
    code === 'VALIDATION_FAILED' ||
    code === 'KEY_INVALID'
  )
    return 2;
  if (code.startsWith('LOG_') || code === 'SIGNATURE_INVALID') return 3;
  if (code === 'NOT_FOUND') return 5;
  if (code === 'UNAVAILABLE') return 6;
  if (code === 'INTERNAL') return 1;
  return 4;
}

/** "custos: CODE: message", the code said once even when the message already starts with it. */
function errorLine(code: ErrorCode, message: string): string {
  const prefix = `${code}: `;
  return `custos: ${code}: ${message.startsWith(prefix) ? message.slice(prefix.length) : message}`;
}

export function reportAndExit(err: unknown): never {
  // A LogError's codes are a subset of the domain's (log/errors.ts), e.g. a malformed receipt.
  if (isDomainError(err) || isLogError(err)) {
    process.stderr.write(`${errorLine(err.code, err.message)}\n`);
    process.exit(exitStatusFor(err.code));
  }
  process.stderr.write(`custos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}
