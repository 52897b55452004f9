import type { Kysely } from 'kysely';
import type { Db } from '../store/db.js';
import { createRegistryRepo, toSigningKey } from '../store/registry.repo.js';
import type { Schema } from '../store/schema.types.js';
import type { RecordKind } from './records.js';
import { agreementContent } from './registry.js';

/**
 * How each record kind's committed content is rebuilt from the rows that hold it. The audit
 * recomputes every commitment this way, so a row changed behind the log's back shows up; the
 * same content (with its salt) is what a party downloads to check its receipt.
 */
export type ContentLoader = (db: Db, id: string) => Promise<unknown | undefined>;

const loaders = new Map<RecordKind, ContentLoader>();

export function registerContentLoader(kind: RecordKind, loader: ContentLoader): void {
  loaders.set(kind, loader);
}

export function contentLoaderFor(kind: string): ContentLoader | undefined {
  return loaders.get(kind as RecordKind);
}

function stripPrefix(id: string, prefix: string): string | undefined {
  return id.startsWith(prefix) ? id.slice(prefix.length) : undefined;
}

registerContentLoader('agreement', async (db, id) => {
  const agreementId = stripPrefix(id, 'agreement:');
  if (!agreementId) return undefined;
  const a = (await createRegistryRepo(db).listAgreements()).find((x) => x.id === agreementId);
  return a && agreementContent(a);
});

async function keyRow(k: Kysely<Schema>, id: string) {
  return k.selectFrom('signing_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

registerContentLoader('key-registration', async (db, id) => {
  const keyId = stripPrefix(id, 'key:');
  const row = keyId ? await keyRow(db.kysely, keyId) : undefined;
  // The registration committed the key as registered, before any revocation.
  return row && { ...toSigningKey(row), revokedAt: null };
});

registerContentLoader('key-revocation', async (db, id) => {
  const keyId = stripPrefix(id, 'key-revocation:');
  const row = keyId ? await keyRow(db.kysely, keyId) : undefined;
  return row?.revoked_at
    ? { id: row.id, organisation: row.organisation_id, revokedAt: row.revoked_at }
    : undefined;
});

/**
 * For each kind, the ids of the rows that must have a record: a row without one was inserted
 * behind the log's back (e.g. a backdated report).
 */
export type RowLister = (db: Db) => Promise<string[]>;
const listers = new Map<RecordKind, RowLister>();

export function registerRowLister(kind: RecordKind, lister: RowLister): void {
  listers.set(kind, lister);
}

export function rowListers(): [RecordKind, RowLister][] {
  return [...listers.entries()];
}

registerRowLister('agreement', async (db) =>
  (await db.kysely.selectFrom('agreements').select('id').execute()).map((r) => `agreement:${r.id}`),
);
registerRowLister('key-registration', async (db) =>
  (await db.kysely.selectFrom('signing_keys').select('id').execute()).map((r) => `key:${r.id}`),
);
registerRowLister('key-revocation', async (db) =>
  (await db.kysely.selectFrom('signing_keys').select('id').where('revoked_at', 'is not', null).execute()).map(
    (r) => `key-revocation:${r.id}`,
  ),
);
