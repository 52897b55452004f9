import { createHash } from 'node:crypto';
import { ATTACHMENT_TYPES, type AttachmentType } from '../../domain/cases/index.js';
import { DomainError } from '../../domain/errors.js';
import { problemOf } from '../../domain/particulars.js';
import type { Principal } from '../../domain/policy/index.js';
import { getAttachment } from '../../store/cases.repo.js';
import type { Ports } from '../ports.js';
import type { AttachmentRef, MessageInput } from './cases.types.js';
import type { CaseReader } from './visibility.js';

/** Largest attachment accepted (a scanned letter or a measurement export fits). */
export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
const MAX_ATTACHMENTS_PER_MESSAGE = 5;

function isAttachmentType(t: string): t is AttachmentType {
  return (ATTACHMENT_TYPES as readonly string[]).includes(t);
}

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const startsWith = (b: Uint8Array, sig: readonly number[]) => sig.every((x, i) => b[i] === x);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text is valid UTF-8 without control characters other than tab, CR, LF and form feed. */
function isText(b: Uint8Array): boolean {
  try {
    utf8.decode(b);
  } catch {
    return false;
  }
  for (const c of b)
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || c === 0x7f) return false;
  return true;
}

/** The type the bytes themselves say they are (magic numbers), never the client's word. */
function detectAttachmentType(
  b: Uint8Array,
): 'application/pdf' | 'image/png' | 'image/jpeg' | 'text' | undefined {
  if (startsWith(b, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf';
  if (startsWith(b, PNG)) return 'image/png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  return isText(b) ? 'text' : undefined;
}

/** Display name only (it is never a path): no separators, no control characters, at most 200. */
function sanitiseAttachmentName(name: string): string {
  let out = '';
  for (const ch of name) {
    const c = ch.codePointAt(0) ?? 0;
    out += c < 0x20 || c === 0x7f || ch === '"' || ch === '\\' || ch === '/' ? '_' : ch;
  }
  const cleaned = out.trim().slice(0, 200);
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'attachment' : cleaned;
}

/**
 * Checks one attachment: size limit (BODY_TOO_LARGE), declared type in the allow-list and
 * matching the magic bytes (UNSUPPORTED_MEDIA_TYPE). Answers its reference, keyed by SHA-256.
 */
function checkAttachment(input: { name: string; contentType: string; bytes: Uint8Array }): AttachmentRef {
  if (input.bytes.length > MAX_ATTACHMENT_BYTES) {
    throw new DomainError(
      'BODY_TOO_LARGE',
      `attachment ${input.name} is larger than ${MAX_ATTACHMENT_BYTES} bytes`,
      {
        name: input.name,
        size: input.bytes.length,
        limit: MAX_ATTACHMENT_BYTES,
      },
    );
  }
  if (input.bytes.length === 0) {
    throw new DomainError('VALIDATION_FAILED', 'attachment is empty', [
      {
        field: 'attachments',
        ...problemOf('EMPTY.file', { name: input.name }),
        message: `${input.name} is empty`,
      },
    ]);
  }
  const declared = input.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!isAttachmentType(declared)) {
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', `attachment type ${declared} is not accepted`, {
      name: input.name,
      accepted: ATTACHMENT_TYPES,
    });
  }
  const detected = detectAttachmentType(input.bytes);
  const matches =
    detected === 'text' ? declared === 'text/plain' || declared === 'text/csv' : detected === declared;
  if (!matches) {
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', `attachment ${input.name} is not a ${declared} file`, {
      name: input.name,
      declared,
      detected: detected ?? 'unknown',
    });
  }
  return {
    hash: createHash('sha256').update(input.bytes).digest('hex'),
    name: sanitiseAttachmentName(input.name),
    contentType: declared,
    size: input.bytes.length,
  };
}

/** A message's files, checked, with their bytes: what the message stores. */
export interface CheckedAttachment {
  readonly ref: AttachmentRef;
  readonly bytes: Uint8Array;
}

/** Decodes and checks a message's attachments (count, base64, size, type), all before storing any. */
export function checkAttachments(attachments: MessageInput['attachments'] = []): CheckedAttachment[] {
  if (attachments.length > MAX_ATTACHMENTS_PER_MESSAGE) {
    throw new DomainError('VALIDATION_FAILED', `at most ${MAX_ATTACHMENTS_PER_MESSAGE} attachments`, [
      {
        field: 'attachments',
        ...problemOf('TOO_MANY.atMost', { max: MAX_ATTACHMENTS_PER_MESSAGE }),
        message: String(attachments.length),
      },
    ]);
  }
  return attachments.map((a, i) => {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(a.data) || a.data.length % 4 !== 0) {
      throw new DomainError('VALIDATION_FAILED', 'attachment data is not base64', [
        {
          field: `attachments.${i}.data`,
          ...problemOf('NOT_BASE64', {}),
          message: 'standard base64 expected',
        },
      ]);
    }
    const bytes = new Uint8Array(Buffer.from(a.data, 'base64'));
    return { ref: checkAttachment({ name: a.name, contentType: a.contentType, bytes }), bytes };
  });
}

/** An attachment of a message the caller may read (an internal note's files stay internal). */
export function createAttachmentReader(ports: Pick<Ports, 'db'>, reader: CaseReader) {
  return async function getAttachmentOf(
    p: Principal,
    id: string,
    hash: string,
  ): Promise<{ bytes: Uint8Array; contentType: string; name: string }> {
    const { seen } = await reader.visibleCase(p, id);
    const ref = seen.history.flatMap((e) => e.attachments ?? []).find((a) => a.hash === hash);
    if (!ref) throw new DomainError('NOT_FOUND', 'no such attachment on this case');
    const row = await getAttachment(ports.db.kysely, hash);
    if (!row) throw new DomainError('NOT_FOUND', 'attachment content missing');
    return { bytes: row.bytes, contentType: row.content_type, name: ref.name };
  };
}
