import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Db } from './db.js';
import * as registry from './migrations/0001-registry.js';
import * as log from './migrations/0002-log.js';
import * as witness from './migrations/0003-witness.js';
import * as reports from './migrations/0004-reports.js';
import * as cases from './migrations/0005-cases.js';
import * as inspections from './migrations/0006-inspections.js';
import * as reportLinesIndex from './migrations/0007-report-lines-index.js';
import * as leanStorage from './migrations/0008-lean-storage.js';
import * as derivedState from './migrations/0009-derived-state.js';
import * as leanTransfers from './migrations/0010-lean-transfers.js';
import * as opaqueLeaves from './migrations/0011-opaque-leaves.js';
import * as rateLimits from './migrations/0012-rate-limits.js';
import * as userPreferences from './migrations/0013-user-preferences.js';
import * as federation from './migrations/0014-federation.js';
import * as monitoring from './migrations/0015-monitoring.js';
import * as legalRegister from './migrations/0016-legal-register.js';
import * as declarations from './migrations/0017-declarations.js';
import * as compatibility from './migrations/0018-compatibility.js';
import * as leafIdUnindexed from './migrations/0019-leaf-id-unindexed.js';
import * as deviceCok from './migrations/0020-device-cok.js';
import * as monitoringRules from './migrations/0021-monitoring-rules.js';
import * as declaredActivities from './migrations/0023-declared-activities.js';
import * as crossWitnessing from './migrations/0024-cross-witnessing.js';
import * as federationKindsAndEnds from './migrations/0025-federation-kinds-and-ends.js';
import * as declarationAttachments from './migrations/0027-declaration-attachments.js';
import * as transferKeySeries from './migrations/0028-transfer-key-series.js';
import * as pgLeanLines from './migrations/0029-pg-lean-lines.js';
import * as flowPages from './migrations/0030-flow-pages.js';
import * as deviceParticulars from './migrations/0031-device-particulars.js';
import * as thirdLogs from './migrations/0033-third-logs.js';
import * as pgLeanIndexes from './migrations/0036-pg-lean-indexes.js';
import * as pgKmpIndexByReport from './migrations/0037-pg-kmp-index-by-report.js';
import * as pgReportKeys from './migrations/0040-pg-report-keys.js';
import * as transferList from './migrations/0041-transfer-list.js';
import * as kmpDays from './migrations/0042-kmp-days.js';
import * as noticeDays from './migrations/0043-notice-days.js';
import * as revisionLines from './migrations/0044-revision-lines.js';
import * as inspectionListOrder from './migrations/0045-inspection-list-order.js';
import * as obligationFacts from './migrations/0046-obligation-facts.js';
import * as noticeRefs from './migrations/0047-notice-refs.js';
import * as inboxByUser from './migrations/0048-inbox-by-user.js';
import * as monitoringWindows from './migrations/0049-monitoring-windows.js';
import * as webhookPending from './migrations/0050-webhook-pending.js';
import * as arrangementBackfill from './migrations/0051-arrangement-backfill.js';
import * as caseStatusIndexes from './migrations/0052-case-status-indexes.js';
import * as peerDelivered from './migrations/0053-peer-delivered.js';
import * as inboxStatementIds from './migrations/0054-inbox-statement-ids.js';
import * as reportListsNewest from './migrations/0055-report-lists-newest.js';
import * as inboxUnread from './migrations/0056-inbox-unread.js';
import * as deviceEventCounts from './migrations/0057-device-event-counts.js';
import * as casesNewest from './migrations/0058-cases-newest.js';
import * as stateTransferTotals from './migrations/0059-state-transfer-totals.js';
import * as evalMarks from './migrations/0060-eval-marks.js';
import * as flaggedTransfers from './migrations/0061-flagged-transfers.js';

/** Forward-only migrations, applied at start; a failed migration leaves the database unchanged. */
function migrations(db: Pick<Db, 'dialect'>): Record<string, Migration> {
  return {
    '0001-registry': { up: registry.up },
    '0002-log': { up: log.up(db.dialect) },
    '0003-witness': { up: witness.up(db.dialect) },
    '0004-reports': { up: reports.up(db.dialect) },
    '0005-cases': { up: cases.up(db.dialect) },
    '0006-inspections': { up: inspections.up(db.dialect) },
    '0007-report-lines-index': { up: reportLinesIndex.up },
    '0008-lean-storage': { up: leanStorage.up(db.dialect) },
    '0009-derived-state': { up: derivedState.up },
    '0010-lean-transfers': { up: leanTransfers.up(db.dialect) },
    '0011-opaque-leaves': { up: opaqueLeaves.up },
    '0012-rate-limits': { up: rateLimits.up },
    '0013-user-preferences': { up: userPreferences.up },
    '0014-federation': { up: federation.up(db.dialect) },
    '0015-monitoring': { up: monitoring.up(db.dialect) },
    '0016-legal-register': { up: legalRegister.up },
    '0017-declarations': { up: declarations.up(db.dialect) },
    '0018-compatibility': { up: compatibility.up },
    '0019-leaf-id-unindexed': { up: leafIdUnindexed.up },
    '0020-device-cok': { up: deviceCok.up },
    '0021-monitoring-rules': { up: monitoringRules.up },
    '0023-declared-activities': { up: declaredActivities.up },
    '0024-cross-witnessing': { up: crossWitnessing.up },
    '0025-federation-kinds-and-ends': { up: federationKindsAndEnds.up },
    '0027-declaration-attachments': { up: declarationAttachments.up(db.dialect) },
    '0028-transfer-key-series': { up: transferKeySeries.up },
    '0029-pg-lean-lines': { up: pgLeanLines.up(db.dialect) },
    '0030-flow-pages': { up: flowPages.up },
    '0031-device-particulars': { up: deviceParticulars.up },
    '0033-third-logs': { up: thirdLogs.up },
    '0036-pg-lean-indexes': { up: pgLeanIndexes.up(db.dialect) },
    '0037-pg-kmp-index-by-report': { up: pgKmpIndexByReport.up(db.dialect) },
    '0040-pg-report-keys': { up: pgReportKeys.up(db.dialect) },
    '0041-transfer-list': { up: transferList.up(db.dialect) },
    '0042-kmp-days': { up: kmpDays.up(db.dialect) },
    '0043-notice-days': { up: noticeDays.up(db.dialect) },
    '0044-revision-lines': { up: revisionLines.up(db.dialect) },
    '0045-inspection-list-order': { up: inspectionListOrder.up },
    '0046-obligation-facts': { up: obligationFacts.up(db.dialect) },
    '0047-notice-refs': { up: noticeRefs.up(db.dialect) },
    '0048-inbox-by-user': { up: inboxByUser.up },
    '0049-monitoring-windows': { up: monitoringWindows.up },
    '0050-webhook-pending': { up: webhookPending.up },
    '0051-arrangement-backfill': { up: arrangementBackfill.up },
    '0052-case-status-indexes': { up: caseStatusIndexes.up },
    '0053-peer-delivered': { up: peerDelivered.up },
    '0054-inbox-statement-ids': { up: inboxStatementIds.up(db.dialect) },
    '0055-report-lists-newest': { up: reportListsNewest.up },
    '0056-inbox-unread': { up: inboxUnread.up },
    '0057-device-event-counts': { up: deviceEventCounts.up },
    '0058-cases-newest': { up: casesNewest.up },
    '0059-state-transfer-totals': { up: stateTransferTotals.up },
    '0060-eval-marks': { up: evalMarks.up },
    '0061-flagged-transfers': { up: flaggedTransfers.up },
  };
}

export async function migrateToLatest(db: Db): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(db) };
  // Numbers are handed out to work landing in parallel, so one can land after a higher one has
  // run on a database (0030 after 0033): it is applied then, not refused as out of order.
  const migrator = new Migrator({
    db: db.kysely as unknown as Kysely<unknown>,
    provider,
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${String(error)}`);
  }
}

/** The names of the migrations this version knows, in order. */
export function migrationNames(dialect: Db['dialect']): string[] {
  return Object.keys(migrations({ dialect })).sort();
}

/**
 * Apply exactly the named migrations (all known to this version): the schema a backup was taken
 * under, so its rows load as they were and the later migrations then upgrade them.
 */
export async function migrateToSet(db: Db, names: readonly string[]): Promise<void> {
  const wanted = new Set(names);
  const all = migrations(db);
  const provider: MigrationProvider = {
    getMigrations: async () => Object.fromEntries(Object.entries(all).filter(([n]) => wanted.has(n))),
  };
  const migrator = new Migrator({
    db: db.kysely as unknown as Kysely<unknown>,
    provider,
    allowUnorderedMigrations: true,
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw new Error(`migration to the backup's schema failed: ${String(error)}`);
}

/**
 * Apply the migrations up to and including `name` only: how a test builds the database of a node
 * that ran an older version (e.g. one whose log holds leaves of the first form, decision 0021).
 */
export async function migrateTo(db: Db, name: string): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(db) };
  const migrator = new Migrator({ db: db.kysely as unknown as Kysely<unknown>, provider });
  const { error } = await migrator.migrateTo(name);
  if (error) throw new Error(`migration to ${name} failed: ${String(error)}`);
}
