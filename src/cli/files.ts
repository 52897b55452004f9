import { readFileSync } from 'node:fs';
import { DomainError } from '../domain/errors.js';

/**
 * A file a command was told to read. A missing one is NOT_FOUND naming the file and what it was
 * for (not a stack trace from readFileSync); a directory or an unreadable file is BAD_REQUEST.
 */
export function readInput(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DomainError('NOT_FOUND', `no such file: ${path} (${what})`);
    if (code === 'EISDIR')
      throw new DomainError('BAD_REQUEST', `${path} is a directory, not a file (${what})`);
    if (code === 'EACCES' || code === 'EPERM')
      throw new DomainError('BAD_REQUEST', `${path} cannot be read: permission denied (${what})`);
    throw err;
  }
}

export function readInputText(path: string, what: string): string {
  return readInput(path, what).toString('utf8');
}

/** A JSON file: missing is NOT_FOUND, not JSON is BAD_REQUEST naming the file. */
export function readInputJson(path: string, what: string): unknown {
  const text = readInputText(path, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new DomainError('BAD_REQUEST', `${path} is not JSON (${what}): ${(err as Error).message}`);
  }
}
