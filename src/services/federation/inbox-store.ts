/**
 * How the inbox (inbox.ts) stores each kind it takes, in the caller's transaction: a report with
 * its signed body, lines and this node's own evaluation (issue 17 item 4), a key registration in
 * the registry. The content the source committed to is checked against what is stored, so the
 * audit rebuilds exactly it.
 */
import type { BundleRecord } from '../../domain/federation/index.js';
import type { SigningKey } from '../../domain/registry/index.js';
import { parseReportCsv, parseReportJson, type Report } from '../../domain/reports/index.js';
import { bytesEqual, canonicalizeRecord } from '../../log/index.js';
import { forgetPits } from '../../store/accounting.repo.js';
import { type PackedBody, packBody, packBodySync } from '../../store/body-codec.js';
import { insertRowSqlite } from '../../store/bulk.js';
import type { DbOrTx } from '../../store/db.js';
import { recordAcceptance } from '../../store/obligations.repo.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import { createReportAccountRepo } from '../../store/report-account.repo.js';
import { createReportsRepo } from '../../store/reports.repo.js';
import type { FedInboxRow, ReportRow } from '../../store/schema.types.js';
import { deriveReport } from '../evaluation/index.js';
import type { Ports } from '../ports.js';
import { reportContent } from '../reports/content.js';
import { noticeRow } from '../reports/submit.js';
import { Refusal } from './inbox-reading.js';

/**
 * Bodies below this size are packed on the request's thread when the bundle is checked: a small
 * report's body takes ~50 µs to compress there, where the thread pool's round trip cost several
 * times that in CPU and, on a busy machine, a wait per report inside the storing transaction
 * (decision 0057). Larger ones (a big ICR) go to the pool, started as soon as the bundle verifies.
 */
const PACK_ON_THREAD = 64 * 1024;

/**
 * A forwarded report checked and ready to store: parsed from its signed original, its row (short
 * of this node's `received` index) agreeing with the content the source committed to, its body
 * being packed. Made before the storing transaction, so a report that cannot be stored is refused
 * on its own (a dead letter) and never fails the transaction of the reports beside it.
 */
export interface PreparedReport {
  readonly row: Omit<ReportRow, 'log_index'>;
  readonly report: Report;
  readonly packed: Promise<PackedBody>;
}

function packSoon(bytes: Uint8Array): Promise<PackedBody> {
  if (bytes.byteLength < PACK_ON_THREAD) return Promise.resolve(packBodySync(bytes));
  const packed = packBody(bytes);
  packed.catch(() => undefined); // awaited when stored; a report never stored leaves it unread
  return packed;
}

/**
 * Parse and check a forwarded report's signed original against the content committed to.
 * `packed`: the original as it travelled packed, which unpacked to exactly `original.bytes`
 * (decision 0071): stored as it is instead of packing the bytes again.
 */
export function prepareReport(
  record: BundleRecord,
  original: { bytes: Uint8Array } | undefined,
  packed?: PackedBody,
): PreparedReport {
  const c = record.content as Record<string, unknown> & { period: { from: string; to: string } | null };
  if (!original) throw new Refusal('SIGNATURE_MISSING', 'a forwarded report needs its signed original');
  // Packed on the pool while it is parsed here (a big body's packing took as long as its parsing).
  const packing = packed ? Promise.resolve(packed) : packSoon(original.bytes);
  const parsed = c.bodyFormat === 'csv' ? parseReportCsv(original.bytes) : parseReportJson(original.bytes);
  if (!parsed.ok) throw new Refusal('REPORT_INVALID', 'the signed original does not parse as a report');
  const report = parsed.report;
  const row: Omit<ReportRow, 'log_index'> = {
    id: String(c.id),
    state: String(c.state),
    organisation_id: String(c.organisation),
    mba: String(c.mba),
    type: c.type as ReportRow['type'],
    report_number: Number(c.reportNumber),
    report_date: String(c.reportDate),
    period_from: c.period?.from ?? null,
    period_to: c.period?.to ?? null,
    pit: (c.pit as string | null) ?? null,
    reporting_person: report.reportingPerson,
    line_count: Number(c.lineCount),
    note: report.note ?? null,
    notice_json:
      report.type === 'EXPORT_NOTICE' || report.type === 'IMPORT_NOTICE'
        ? JSON.stringify(report.notice)
        : null,
    body_sha256: String(c.bodySha256),
    body_format: String(c.bodyFormat),
    key_id: String(c.keyId),
    signature: String(c.signature),
    warnings_json: '[]',
    submitted_at: String(c.submittedAt),
    submitted_by: String(c.submittedBy),
  };
  // Stored so that the audit rebuilds exactly the content the source committed to.
  if (!bytesEqual(canonicalizeRecord(reportContent(row)), canonicalizeRecord(record.content)))
    throw new Refusal('REPORT_INVALID', 'the report content is not what its signed original says');
  if (report.mba !== row.mba || report.type !== row.type || report.reportNumber !== row.report_number)
    throw new Refusal('REPORT_INVALID', 'the signed original is another report');
  // The MBA's book counts its lines by the headers' line counts (decision 0109).
  if (report.lines.length !== row.line_count)
    throw new Refusal(
      'REPORT_INVALID',
      `the signed original holds ${report.lines.length} lines, its record says ${row.line_count}`,
    );
  return { row, report, packed: packing };
}

/** What a run of bundles stores together after storing each one (decision 0057). */
export interface RunSink {
  readonly inbox: FedInboxRow[];
  readonly bodies: { id: string; body: PackedBody }[];
}

export function createInboxStore(ports: Ports) {
  const registry = createRegistryRepo(ports.db);
  const reports = createReportsRepo(ports.db);
  const account = createReportAccountRepo(ports.db);
  return {
    /** A prepared report with its body, lines and this node's own evaluation (issue 17 item 4). */
    async storeReport(
      tx: DbOrTx,
      p: PreparedReport,
      receivedIndex: number,
      /** A batch's bodies, inserted together after its reports (insertBodies); else now. */
      bodies?: { id: string; body: PackedBody }[],
    ): Promise<void> {
      const { report } = p;
      const row: ReportRow = { ...p.row, log_index: receivedIndex };
      // On SQLite its row goes in with a statement prepared once, not built by Kysely per report
      // (decision 0075). A PIT (INITIAL, PIL) drops the run's memo of its MBA's PITs.
      if (ports.db.sqlite) insertRowSqlite(ports.db.sqlite, 'reports', row);
      else await reports.insertReport(tx, row);
      await recordAcceptance(tx, row, ports.db.sqlite);
      if (row.type === 'INITIAL' || row.type === 'PIL') forgetPits(tx, row.mba);
      if (bodies) bodies.push({ id: row.id, body: await p.packed });
      else await reports.insertBody(tx, row.id, await p.packed);
      await reports.insertLines(tx, row.id, report);
      if (report.type === 'ICR')
        await account.recordRevisions(tx, report.mba, report.reportNumber, report.lines);
      if (report.type === 'EXPORT_NOTICE' || report.type === 'IMPORT_NOTICE')
        await reports.insertNotice(tx, noticeRow(row.state, row.id, report, row.submitted_at));
      // This node evaluates what it receives with its own engine (issue 17 item 4).
      await deriveReport(tx, report, ports.db.sqlite);
    },

    insertBodies: (tx: DbOrTx, bodies: readonly { id: string; body: PackedBody }[]) =>
      reports.insertBodies(tx, bodies),

    async storeKey(tx: DbOrTx, record: BundleRecord, at: string, by: string): Promise<void> {
      const c = record.content as SigningKey;
      const key: SigningKey = {
        id: c.id,
        organisation: c.organisation,
        publicKey: c.publicKey,
        validFrom: c.validFrom,
        validTo: c.validTo,
        revokedAt: null,
      };
      if (!bytesEqual(canonicalizeRecord(key), canonicalizeRecord(record.content)))
        throw new Refusal('KEY_INVALID', 'the key registration has members this node does not store');
      await registry.insertSigningKey(tx, key, { at, by });
    },
  };
}
