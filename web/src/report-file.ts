/**
 * A report file as the submit page reads it (issue 16 items 4, 6, 8; docs/decisions/0024): the
 * bytes signed are the bytes shown. The file must be UTF-8 (the API refuses anything else), so it
 * is decoded strictly — a Windows-1252 file is refused, never shown with replacement characters —
 * and converted only when the user asks, with the result shown before signing. A UTF-8 byte order
 * mark is kept: it is not shown in the editor, but the signed bytes start with it again, so the
 * SHA-256 the user computes over the untouched file is the one the server stores.
 */
import { omittedBy } from '../../src/domain/reports/problems.js';
import { encodeHex, sha256 } from '../../src/log/index.js';

const BOM = '\uFEFF';

export type ReadFile =
  | { readonly ok: true; readonly text: string; readonly bom: boolean }
  | { readonly ok: false; readonly problem: 'empty' | 'not-utf8' };

/** Decodes a chosen file's bytes strictly as UTF-8 (fatal: an invalid sequence refuses the file). */
export function readReportBytes(bytes: Uint8Array): ReadFile {
  if (bytes.length === 0) return { ok: false, problem: 'empty' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { ok: false, problem: 'not-utf8' };
  }
  const bom = text.startsWith(BOM);
  return { ok: true, text: bom ? text.slice(1) : text, bom };
}

/**
 * The user's explicit choice for a file that is not UTF-8: read it as Windows-1252 (what
 * spreadsheets on Windows write). The page shows the text and signs its UTF-8 bytes, which differ
 * from the file's: the page says so.
 */
export function convertFromWindows1252(bytes: Uint8Array): string {
  return new TextDecoder('windows-1252').decode(bytes);
}

/** The exact bytes signed and sent for the text shown (with the file's BOM, when it had one). */
export function bytesToSign(text: string, bom: boolean): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(bom ? BOM + text : text);
}

/** SHA-256 of the bytes signed, as `sha256sum` prints it, to compare with the stored one. */
export function sha256Hex(bytes: Uint8Array): string {
  return encodeHex(sha256(bytes));
}

/** At most this many problems are listed; the rest are counted. */
export const PROBLEMS_SHOWN = 200;
/** A file row shown beside a problem is cut to this many characters. */
export const ROW_CHARS = 160;

/** Cuts a long row (a 400 kB row of 200 000 cells must not be repeated per problem). */
export function truncateRow(text: string, max = ROW_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/**
 * The first PROBLEMS_SHOWN problems, how many there are in all and how many are not listed: the
 * server's own TOO_MANY_ERRORS detail (problems it only counted) is folded into the count.
 */
export function capProblems<T extends { readonly code?: unknown; readonly message?: unknown }>(
  problems: readonly T[],
  max = PROBLEMS_SHOWN,
): { shown: T[]; total: number; hidden: number } {
  let counted = 0;
  const listed = problems.filter((d) => {
    if (d.code !== 'TOO_MANY_ERRORS') return true;
    counted += omittedBy({ code: 'TOO_MANY_ERRORS', message: String(d.message ?? '') });
    return false;
  });
  const shown = listed.slice(0, max);
  const hidden = listed.length - shown.length + counted;
  return { shown, total: shown.length + hidden, hidden };
}
