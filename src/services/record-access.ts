import { DomainError } from '../domain/errors.js';
import type { Principal } from '../domain/policy/index.js';
import { createAuditRepo } from '../store/audit.repo.js';
import { createFederationRepo } from '../store/federation.repo.js';
import { createRecordsRepo } from '../store/records.repo.js';
import { createRegistryRepo } from '../store/registry.repo.js';
import { createReportsRepo } from '../store/reports.repo.js';
import type { RecordKind, RecordRow } from '../store/schema.types.js';
import { parseRecordId } from './cases/content.js';
import { createCaseReader } from './cases/visibility.js';
import { assertDeclarationsReadable } from './declarations/queries.js';
import { createInspectionAccess } from './inspections/access.js';
import { createDrawView } from './inspections/sampling.js';
import { createActivityDeclarations } from './monitoring/activities.js';
import { parseBatchRecordId } from './monitoring/batch-record.js';
import { createDeviceRegistry, parseDeviceChangeRecordId } from './monitoring/devices.js';
import './monitoring/records.js';
import { parseCompatibilityRecordId } from './legal/compatibility-records.js';
import type { Ports } from './ports.js';
import { contentLoaderFor } from './record-content.js';
import { assertAgreementsReadable, assertKeysReadable } from './registry.js';
import { assertReportReadable } from './reports/queries.js';
import { enforce, scopeOf } from './scope.js';

/**
 * Whether `p` may read a record: answers nothing, or throws what the resource's own endpoint
 * would (NOT_FOUND, FORBIDDEN). Every way of reading a record (its content, its receipt) goes
 * through the view of the resource the record belongs to (issue 15 item 1, decision 0019), so
 * the log never shows more than the case, report or sampling-plan endpoint would.
 */
export type RecordView = (p: Principal, rec: RecordRow) => Promise<void>;

function after(id: string, prefix: string): string | undefined {
  return id.startsWith(prefix) ? id.slice(prefix.length) : undefined;
}

function noSuchRecord(): never {
  throw new DomainError('NOT_FOUND', 'no such record');
}

/** One view per record kind; the table is exhaustive, so a new kind cannot go without one. */
export function createRecordViews(ports: Ports): Readonly<Record<RecordKind, RecordView>> {
  const cases = createCaseReader(ports);
  const inspection = createInspectionAccess(ports);
  const draw = createDrawView(ports);
  const devices = createDeviceRegistry(ports);
  const activities = createActivityDeclarations(ports);
  const registry = createRegistryRepo(ports.db);
  const reportsRepo = createReportsRepo(ports.db);
  const fed = createFederationRepo(ports.db);
  // A compatibility entry or step is read as its state's matrix is (data.read in scope).
  const compatibility: RecordView = async (p, rec) => {
    const key = parseCompatibilityRecordId(rec.id);
    if (!key) return noSuchRecord();
    enforce(p, 'data.read', await scopeOf(ports, p), { state: key.state });
  };
  const caseEvent =
    (prefix: string): RecordView =>
    async (p, rec) => {
      const ref = parseRecordId(rec.id, prefix);
      if (!ref) return noSuchRecord();
      await cases.visibleEvent(p, ref.caseId, ref.seq);
    };
  const keyRecord =
    (prefix: string): RecordView =>
    async (p, rec) => {
      const keyId = after(rec.id, prefix);
      const key = keyId === undefined ? undefined : await registry.getSigningKey(keyId);
      await assertKeysReadable(ports, p, key?.organisation ?? rec.subject_org);
    };
  return {
    // A report row that is gone (or a record written without one) keeps its record's state.
    report: async (p, rec) =>
      assertReportReadable(ports, p, (await reportsRepo.getReport(rec.id))?.state ?? rec.subject_state),
    'report-rejection': async (p, rec) =>
      assertReportReadable(
        ports,
        p,
        (await createAuditRepo(ports.db).rejection(rec.id))?.state ?? rec.subject_state,
      ),
    agreement: async (p) => assertAgreementsReadable(ports, p),
    // A declaration is read as its own endpoint allows: the State, and inspectorates party to its Protocol.
    declaration: async (p, rec) => assertDeclarationsReadable(ports, p, rec.subject_state),
    // The legal register is read as the directory is (GET /api/instruments/:id?version=N).
    'legal-instrument': async (p) => assertAgreementsReadable(ports, p),
    // A state's roles are its data (GET /api/states/:code/institutions?version=N).
    'institution-roles': async (p, rec) =>
      enforce(p, 'data.read', await scopeOf(ports, p), { state: rec.subject_state ?? '\0' }),
    'key-registration': keyRecord('key:'),
    'key-revocation': keyRecord('key-revocation:'),
    'case-transition': caseEvent('case-transition:'),
    'case-message': caseEvent('case-message:'),
    'sampling-draw': async (p, rec) => {
      const id = after(rec.id, 'sampling-draw:');
      if (id === undefined) return noSuchRecord();
      await draw(p, id);
    },
    // The node's own federation records: its operator's business (decision 0027).
    peer: async (p) => enforce(p, 'federation.admin', 'all'),
    'peer-revocation': async (p) => enforce(p, 'federation.admin', 'all'),
    arrangement: async (p) => enforce(p, 'federation.admin', 'all'),
    'arrangement-end': async (p) => enforce(p, 'federation.admin', 'all'),
    'split-view-decision': async (p) => enforce(p, 'federation.admin', 'all'),
    // What this node received from a peer is read like the forwarded record (its state's data).
    // A forwarded case transition is inspectorates' business, as a case's internal notes are on
    // its own node: never shown to the state's users (decision 0044).
    received: async (p, rec) => {
      const kind = p.state === null ? undefined : (await fed.inboxByRecord(rec.id))?.kind;
      if (kind === 'case-transition' || kind === 'case-message') return noSuchRecord();
      await assertReportReadable(ports, p, rec.subject_state);
    },
    // A registry change is the device's state of health (who may see the device sees it); a
    // batch is surveillance data, behind the information barrier (decision 0029).
    'device-change': async (p, rec) => {
      const ref = parseDeviceChangeRecordId(rec.id);
      if (!ref) return noSuchRecord();
      await devices.visible(p, ref.device);
    },
    'device-batch': async (p, rec) => {
      const ref = parseBatchRecordId(rec.id);
      if (!ref) return noSuchRecord();
      if (!(await devices.visible(p, ref.device)).access.includes('data')) return noSuchRecord();
    },
    // A declared activity is the state's data (GET /api/facilities/:code/activities).
    'declared-activity': async (p, rec) => activities.visible(p, rec.id),
    'compatibility-entry': compatibility,
    'compatibility-step': compatibility,
    'inspection-statement': async (p, rec) => {
      const rest = after(rec.id, 'inspection-statement:');
      const cut = rest?.indexOf(':') ?? -1;
      if (rest === undefined || cut < 0) return noSuchRecord();
      await inspection(p, rest.slice(0, cut), 'read');
    },
  };
}

/**
 * A logged record the caller may read through its resource's view. A record that does not
 * exist and one the caller may not see are both 404: a 403 for a role that may never read the
 * resource would tell that the record exists, where an unknown id answers 404.
 */
export async function findVisibleRecord(ports: Ports, p: Principal, id: string): Promise<RecordRow> {
  const rec = await createRecordsRepo(ports.db).find(id);
  if (!rec) return noSuchRecord();
  try {
    await createRecordViews(ports)[rec.kind](p, rec);
  } catch (err) {
    if (err instanceof DomainError && (err.code === 'NOT_FOUND' || err.code === 'FORBIDDEN'))
      return noSuchRecord();
    throw err;
  }
  return rec;
}

/** The record's committed content and salt: with them anyone can recompute the leaf's commitment. */
export async function recordWithContent(ports: Ports, p: Principal, id: string) {
  const rec = await findVisibleRecord(ports, p, id);
  const loader = contentLoaderFor(rec.kind);
  const content = loader ? await loader(ports.db, rec.id) : undefined;
  if (content === undefined) throw new DomainError('NOT_FOUND', 'the record content is not available');
  return {
    id: rec.id,
    kind: rec.kind,
    logIndex: rec.log_index,
    createdAt: rec.created_at,
    salt: Buffer.from(rec.salt).toString('base64'),
    /** The id the record's leaf carries (decision 0021): opaque for leaves of form v2. */
    leafId: rec.leaf_id,
    content,
    receiptUrl: `/api/records/${encodeURIComponent(rec.id)}/receipt`,
    ...(rec.kind === 'received' ? { forwarded: await forwardedRecord(ports, rec.id) } : {}),
  };
}

/**
 * The record a peer forwarded under this id, as its origin committed it (decision 0044): shown as
 * the origin's, beside this node's own `received` record, never merged with this node's records.
 */
async function forwardedRecord(ports: Ports, id: string) {
  const row = await createFederationRepo(ports.db).inboxByRecord(id);
  if (!row) return null;
  const content =
    row.content !== null
      ? (JSON.parse(row.content) as unknown)
      : await contentLoaderFor(row.kind as RecordKind)?.(ports.db, id);
  return {
    origin: row.source,
    logIndex: row.idx,
    kind: row.kind,
    leafHash: row.leaf_hash,
    content: content ?? null,
    provenanceUrl: `/api/records/${encodeURIComponent(id)}/provenance`,
  };
}
