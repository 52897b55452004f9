import { createHash } from 'node:crypto';
import { DomainError } from '../../domain/errors.js';
import { problemOf } from '../../domain/particulars.js';
import type { Principal } from '../../domain/policy/index.js';
import {
  createDeclarationsRepo,
  getDeclarationAttachment,
  insertDeclarationAttachmentOnce,
} from '../../store/declarations.repo.js';
import type { Ports } from '../ports.js';
import { enforce, scopeOf } from '../scope.js';
import { assertDeclarationsReadable } from './queries.js';

/** Largest site map accepted: a scanned plan or an exported drawing fits. */
export const MAX_SITE_MAP_BYTES = 5 * 1024 * 1024;
/** What a site map may be: a drawing (PDF) or a picture; told by the bytes, never the client's word. */
const SITE_MAP_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const;
type SiteMapType = (typeof SITE_MAP_TYPES)[number];

const MAGIC: Record<SiteMapType, readonly number[]> = {
  'application/pdf': [0x25, 0x50, 0x44, 0x46, 0x2d],
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  'image/jpeg': [0xff, 0xd8, 0xff],
};

function detect(b: Uint8Array): SiteMapType | undefined {
  return SITE_MAP_TYPES.find((t) => MAGIC[t].every((x, i) => b[i] === x));
}

export interface AttachmentUpload {
  readonly state: string;
  readonly contentType: string;
  /** Standard base64 of the file. */
  readonly data: string;
}

/**
 * Upload a file a declaration will commit to by hash (issue 19: the site map of Art. 2.a.(iii)).
 * The State's submitters upload for their State only; the file is checked whole (base64, not
 * empty, at most MAX_SITE_MAP_BYTES, a PDF, PNG or JPEG whose bytes say so) before anything is
 * stored, and stored once per State. The answer's `ref` is what the item's `siteMap` field holds.
 */
export async function uploadDeclarationAttachment(ports: Ports, p: Principal, input: AttachmentUpload) {
  enforce(p, 'report.submit', await scopeOf(ports, p), { state: input.state });
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(input.data) || input.data.length % 4 !== 0)
    throw new DomainError('VALIDATION_FAILED', 'the file is not base64', [
      { field: 'data', ...problemOf('NOT_BASE64', {}), message: 'standard base64 expected' },
    ]);
  // Checked on the encoded length first, so an oversized upload is not decoded at all.
  if (Math.floor((input.data.length * 3) / 4) > MAX_SITE_MAP_BYTES + 2)
    throw new DomainError('BODY_TOO_LARGE', `a site map is at most ${MAX_SITE_MAP_BYTES} bytes`, {
      limit: MAX_SITE_MAP_BYTES,
    });
  const bytes = new Uint8Array(Buffer.from(input.data, 'base64'));
  if (bytes.length > MAX_SITE_MAP_BYTES)
    throw new DomainError('BODY_TOO_LARGE', `a site map is at most ${MAX_SITE_MAP_BYTES} bytes`, {
      size: bytes.length,
      limit: MAX_SITE_MAP_BYTES,
    });
  if (bytes.length === 0)
    throw new DomainError('VALIDATION_FAILED', 'the file is empty', [
      { field: 'data', ...problemOf('EMPTY', {}), message: 'the file is empty' },
    ]);
  const declared = input.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const detected = detect(bytes);
  if (!(SITE_MAP_TYPES as readonly string[]).includes(declared) || detected !== declared)
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'a site map is a PDF, PNG or JPEG file', {
      declared,
      detected: detected ?? 'unknown',
      accepted: SITE_MAP_TYPES,
    });
  const hash = createHash('sha256').update(bytes).digest('hex');
  await insertDeclarationAttachmentOnce(ports.db.kysely, {
    state: input.state,
    hash,
    content_type: detected,
    size: bytes.length,
    bytes,
    created_at: ports.clock.now().toISOString(),
    created_by: p.userId,
  });
  return { ref: `sha256:${hash}`, contentType: detected, size: bytes.length };
}

/**
 * A file a declaration commits to, for whoever may read the declaration (its State, the
 * inspectorates its Protocol opens it to): only a hash one of its items names, else 404.
 */
export async function readDeclarationAttachment(ports: Ports, p: Principal, id: string, hash: string) {
  const repo = createDeclarationsRepo(ports.db);
  const row = await repo.get(id);
  if (!row) throw new DomainError('NOT_FOUND', 'no such declaration');
  await assertDeclarationsReadable(ports, p, row.state);
  const ref = `sha256:${hash}`;
  const named = (await repo.items(id)).some((it) =>
    Object.values(JSON.parse(it.fields_json) as Record<string, unknown>).includes(ref),
  );
  if (!named) throw new DomainError('NOT_FOUND', 'this declaration names no such file');
  const file = await getDeclarationAttachment(ports.db.kysely, row.state, hash);
  if (!file) throw new DomainError('NOT_FOUND', 'the file is not stored');
  // The bytes are what the declaration committed to, or nothing is served.
  if (createHash('sha256').update(file.bytes).digest('hex') !== hash)
    throw new DomainError('INTERNAL', `the stored file does not hash to ${ref}`);
  return { bytes: file.bytes, contentType: file.content_type };
}
