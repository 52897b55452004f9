import { parseBatch } from '../../domain/monitoring/index.js';
import { declaredActivityIds } from '../../store/declared-activities.repo.js';
import { countEventsOf } from '../../store/device-events.repo.js';
import { batchIdsAfter, deviceChangeIds, readBatch } from '../../store/monitoring.repo.js';
import {
  pagesOf,
  registerContentLoader,
  registerIntegrityCheck,
  registerRowLister,
} from '../record-content.js';
import { declaredActivityRecordId, loadDeclaredActivity } from './activities.js';
import { batchContent, batchRecordId, parseBatchRecordId } from './batch-record.js';
import { deviceChangeRecordId, loadDeviceChange } from './devices.js';

/**
 * How `custos audit` rebuilds the monitoring record kinds from their rows (record-content.ts):
 * a registry change from its stored snapshot, an accepted batch from its stored bytes (the
 * commitment covers their SHA-256, so a rewritten batch shows), a declared activity from its row.
 * Importing this module registers them; the audit imports it.
 */
registerContentLoader('device-change', (db, id) => loadDeviceChange(db.kysely, id));

registerContentLoader('device-batch', async (db, id) => {
  const ref = parseBatchRecordId(id);
  const row = ref && (await readBatch(db.kysely, ref.device, ref.seq));
  if (!row) return undefined;
  const { log_index: _l, ...rest } = row;
  return batchContent(rest);
});

registerContentLoader('declared-activity', (db, id) => loadDeclaredActivity(db.kysely, id));
registerRowLister('declared-activity', async (db) =>
  (await declaredActivityIds(db.kysely)).map(declaredActivityRecordId),
);

registerRowLister('device-change', async (db) =>
  (await deviceChangeIds(db.kysely)).map((r) => deviceChangeRecordId(r.device, r.n)),
);
// Batches grow with the years: their ids come a page at a time (the audit's bounded memory).
registerRowLister('device-batch', (db) =>
  pagesOf(
    { device: '', seq: 0 },
    (after, limit) => batchIdsAfter(db.kysely, after, limit),
    (r) => batchRecordId(r.device, r.seq),
  ),
);

/** The stored events must still be the signed batch's: as many as it carries (none added or deleted). */
registerIntegrityCheck('device-batch', async (db, id) => {
  const ref = parseBatchRecordId(id);
  const row = ref && (await readBatch(db.kysely, ref.device, ref.seq));
  if (!ref || !row) return ['the batch is missing'];
  const read = parseBatch(row.bytes, {
    maxBytes: Number.MAX_SAFE_INTEGER,
    maxEvents: Number.MAX_SAFE_INTEGER,
  });
  if (!read.ok) return ['the stored batch no longer parses'];
  const stored = await countEventsOf(db.kysely, ref.device, ref.seq);
  return stored === read.batch.events.length
    ? []
    : [`${stored} events are stored for it, the signed batch carries ${read.batch.events.length}`];
});
