import { existsSync } from 'node:fs';
import { DomainError } from '../domain/errors.js';
import { type NoteVerifier, parseNoteVerifier } from '../log/index.js';
import { readInputText } from './files.js';

/** A verifier key given inline (`name+id+base64`) or as a file holding one. */
export function readKey(arg: string, option = '--key', parse = parseNoteVerifier): NoteVerifier {
  const text = verifierText(arg, option);
  try {
    return parse(text);
  } catch (err) {
    throw new DomainError('BAD_REQUEST', `${option} is not a log verifier key: ${(err as Error).message}`);
  }
}

/**
 * The text of a verifier key argument: the file it names, else the argument itself. A verifier
 * key always holds a "+"; an argument without one that names no file is a missing file.
 */
function verifierText(arg: string, option: string): string {
  if (existsSync(arg)) return readInputText(arg, `${option}, a log verifier key`).trim();
  if (!arg.includes('+')) readInputText(arg, `${option}, a log verifier key`);
  return arg.trim();
}
