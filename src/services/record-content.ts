import { createHash } from 'node:crypto';
import { parseReportCsv, parseReportJson } from '../domain/reports/index.js';
import { createAuditRepo } from '../store/audit.repo.js';
import { unpackBody } from '../store/body-codec.js';
import type { Db } from '../store/db.js';
import { createRegistryRepo } from '../store/registry.repo.js';
import { createReportsRepo, toLineRows } from '../store/reports.repo.js';
import type { RecordKind } from './records.js';
import { agreementContent } from './registry.js';
import { rejectionContent, reportContent } from './reports/content.js';

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

export function contentLoaderFor(kind: RecordKind): ContentLoader | undefined {
  return loaders.get(kind);
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

registerContentLoader('key-registration', async (db, id) => {
  const keyId = stripPrefix(id, 'key:');
  const key = keyId ? await createRegistryRepo(db).getSigningKey(keyId) : undefined;
  // The registration committed the key as registered, before any revocation.
  return key && { ...key, revokedAt: null };
});

registerContentLoader('key-revocation', async (db, id) => {
  const keyId = stripPrefix(id, 'key-revocation:');
  const key = keyId ? await createRegistryRepo(db).getSigningKey(keyId) : undefined;
  return key?.revokedAt
    ? { id: key.id, organisation: key.organisation, revokedAt: key.revokedAt }
    : undefined;
});

/**
 * For each kind, the ids of the rows that must have a record: a row without one was inserted
 * behind the log's back (e.g. a backdated report). A kind whose rows grow with the years (reports)
 * answers its ids a page at a time, so the audit never holds them all.
 */
export type RowLister = (db: Db) => Promise<readonly string[]> | AsyncIterable<readonly string[]>;
const listers = new Map<RecordKind, RowLister>();

export function registerRowLister(kind: RecordKind, lister: RowLister): void {
  listers.set(kind, lister);
}

export function rowListers(): [RecordKind, RowLister][] {
  return [...listers.entries()];
}

registerRowLister('agreement', async (db) =>
  (await createRegistryRepo(db).agreementIds()).map((id) => `agreement:${id}`),
);
registerRowLister('key-registration', async (db) =>
  (await createRegistryRepo(db).signingKeyIds('all')).map((id) => `key:${id}`),
);
registerRowLister('key-revocation', async (db) =>
  (await createRegistryRepo(db).signingKeyIds('revoked')).map((id) => `key-revocation:${id}`),
);

/** One reports repository per database: a delivery batch reads a hundred reports' content. */
const reportRepos = new WeakMap<Db, ReturnType<typeof createReportsRepo>>();

/**
 * A report's committed content and its signed body, from one read of each: the forwarding bundle
 * carries both (decision 0068; it read and unpacked the body twice), the body unpacked and as
 * stored (`packed`: a big one travels so, decision 0071).
 */
export async function reportContentAndBody(
  db: Db,
  id: string,
): Promise<
  | {
      content: ReturnType<typeof reportContent>;
      body: Uint8Array | undefined;
      packed: { codec: string; data: Uint8Array } | undefined;
    }
  | undefined
> {
  let reports = reportRepos.get(db);
  if (!reports) {
    reports = createReportsRepo(db);
    reportRepos.set(db, reports);
  }
  const row = await reports.getReport(id);
  if (!row) return undefined;
  // The commitment covers the hash of the body as it is stored now: a rewritten body shows up.
  const packed = await reports.packedBody(id);
  const body = packed && unpackBody(packed.codec, packed.data);
  const { log_index: _l, ...rest } = row;
  const content = reportContent({
    ...rest,
    body_sha256: body ? createHash('sha256').update(body).digest('hex') : 'missing',
  });
  return { content, body, packed };
}

registerContentLoader('report', async (db, id) => (await reportContentAndBody(db, id))?.content);
registerContentLoader('report-rejection', async (db, id) => {
  const row = await createAuditRepo(db).rejection(id);
  if (!row) return undefined;
  const { log_index: _l, ...rest } = row;
  return rejectionContent(rest);
});
/**
 * The record ids of a table that grows with the years, a page at a time in key order: `next`
 * reads the keys after the last one seen, so the audit never holds them all.
 */
export async function* pagesOf<K>(
  start: K,
  next: (after: K, limit: number) => Promise<readonly K[]>,
  toRecordId: (key: K) => string,
  limit = 10_000,
): AsyncIterable<readonly string[]> {
  for (let after = start; ; ) {
    const page = await next(after, limit);
    const last = page[page.length - 1];
    if (last === undefined) return;
    yield page.map(toRecordId);
    after = last;
  }
}

/** A table's ids a page at a time, in id order, each mapped to its record id. */
export function pagedIds(
  db: Db,
  table: 'reports' | 'report_rejections' | 'declarations',
  toRecordId: (id: string) => string = (id) => id,
) {
  const repo = createAuditRepo(db);
  return pagesOf<string>('', (after, limit) => repo.idsAfter(table, after, limit), toRecordId);
}
registerRowLister('report', (db) => pagedIds(db, 'reports'));
registerRowLister('report-rejection', (db) => pagedIds(db, 'report_rejections'));

/**
 * Checks beyond the commitment: rows derived from a committed record must still be what the
 * record says (for reports: the stored lines must be exactly the lines of the signed body).
 */
export type IntegrityCheck = (db: Db, id: string) => Promise<string[]>;
const checks = new Map<RecordKind, IntegrityCheck>();

export function registerIntegrityCheck(kind: RecordKind, check: IntegrityCheck): void {
  checks.set(kind, check);
}

export function integrityCheckFor(kind: RecordKind): IntegrityCheck | undefined {
  return checks.get(kind);
}

registerIntegrityCheck('report', async (db, id) => {
  const repo = createReportsRepo(db);
  const row = await repo.getReport(id);
  const body = await repo.body(id);
  if (!row || !body) return ['the report or its signed body is missing'];
  const parsed = row.body_format === 'csv' ? parseReportCsv(body) : parseReportJson(body);
  if (!parsed.ok) return ['the stored body no longer parses'];
  const expected = toLineRows(id, parsed.report);
  const stored = await repo.linesOf(id);
  const problems: string[] = [];
  const byLine = new Map(stored.map((l) => [l.line, l]));
  for (const e of expected) {
    const s = byLine.get(e.line);
    if (!s) {
      problems.push(`line ${e.line} was deleted`);
      continue;
    }
    byLine.delete(e.line);
    for (const [col, value] of Object.entries(e)) {
      const got = (s as unknown as Record<string, unknown>)[col];
      const norm = (v: unknown) => (typeof v === 'bigint' ? Number(v) : v);
      if (norm(got) !== norm(value))
        problems.push(`line ${e.line} ${col} is ${String(got)}, the signed body says ${String(value)}`);
    }
  }
  for (const extra of byLine.keys()) problems.push(`line ${extra} is not in the signed body (inserted)`);
  return problems;
});
