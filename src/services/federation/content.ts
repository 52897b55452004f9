import { createFederationRepo } from '../../store/federation.repo.js';
import { pagesOf, registerContentLoader, registerRowLister } from '../record-content.js';
import { arrangementContent, arrangementEndContent } from './arrangements.js';
import { peerContent, peerRevocationContent } from './peers.js';
import { splitViewDecisionContent } from './split-views.js';

/**
 * How the audit rebuilds each federation record from its rows (decision 0027): a peer row changed
 * behind the log's back (another node key slipped in) no longer matches its commitment.
 */
function after(id: string, prefix: string): string | undefined {
  return id.startsWith(prefix) ? id.slice(prefix.length) : undefined;
}

registerContentLoader('peer', async (db, id) => {
  const peerId = after(id, 'peer:');
  const row = peerId === undefined ? undefined : await createFederationRepo(db).getPeer(peerId);
  return row && peerContent(row);
});
registerContentLoader('peer-revocation', async (db, id) => {
  const peerId = after(id, 'peer-revocation:');
  const row = peerId === undefined ? undefined : await createFederationRepo(db).getPeer(peerId);
  return row?.revoked_at ? peerRevocationContent(row) : undefined;
});
registerRowLister('peer', async (db) =>
  (await createFederationRepo(db).listPeers()).map((p) => `peer:${p.id}`),
);
registerRowLister('peer-revocation', async (db) =>
  (await createFederationRepo(db).listPeers())
    .filter((p) => p.revoked_at !== null)
    .map((p) => `peer-revocation:${p.id}`),
);

registerContentLoader('arrangement', async (db, id) => {
  const arrangementId = after(id, 'arrangement:');
  const row =
    arrangementId === undefined ? undefined : await createFederationRepo(db).getArrangement(arrangementId);
  return row && arrangementContent(row);
});
registerRowLister('arrangement', async (db) =>
  (await createFederationRepo(db).listArrangements()).map((a) => `arrangement:${a.id}`),
);
registerContentLoader('arrangement-end', async (db, id) => {
  const arrangementId = after(id, 'arrangement-end:');
  const row =
    arrangementId === undefined ? undefined : await createFederationRepo(db).getArrangement(arrangementId);
  return row?.ended_at ? arrangementEndContent(row) : undefined;
});
registerRowLister('arrangement-end', async (db) =>
  (await createFederationRepo(db).listArrangements())
    .filter((a) => a.ended_at !== null)
    .map((a) => `arrangement-end:${a.id}`),
);

// What this node received: where the record came from (decision 0028's ReceivedContent).
registerContentLoader('received', async (db, id) => {
  const row = await createFederationRepo(db).inboxByRecord(id);
  return row && { source: row.source, index: row.idx, leafHash: row.leaf_hash };
});
// Received records grow like reports: their ids come a page at a time.
registerRowLister('received', (db) => {
  const repo = createFederationRepo(db);
  return pagesOf<string>(
    '',
    (after, limit) => repo.inboxRecordIdsAfter(after, limit),
    (id) => id,
  );
});

// An administrator's decision on a split view (decision 0043).
registerContentLoader('split-view-decision', async (db, id) => {
  const svId = after(id, 'split-view-decision:');
  const row = svId === undefined ? undefined : await createFederationRepo(db).getSplitView(svId);
  return row?.decided_at ? splitViewDecisionContent(row) : undefined;
});
registerRowLister('split-view-decision', async (db) =>
  (await createFederationRepo(db).decidedSplitViewIds()).map((id) => `split-view-decision:${id}`),
);
