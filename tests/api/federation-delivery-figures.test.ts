/**
 * A peer's delivery figures (GET /api/peers, decision 0096): its delivered rows — every record ever
 * forwarded to it — are counted as they are settled, not on each request. The oracle is the
 * grouped count over the outbox, as deliveryOf answered before: after the migration builds the
 * figures from an existing outbox, and after every settlement of a random run, both must agree.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditDerivedState } from '../../src/services/audit-derived.js';
import { createFederationRepo, differingDeliveredFigures } from '../../src/store/federation.repo.js';
import { migrateTo, migrateToLatest } from '../../src/store/migrate.js';
import type { FedOutboxRow } from '../../src/store/schema.types.js';
import { createTestDb, type TestDb, testDialects } from '../fixtures/db.js';
import { planOf, sqliteStatementsDuring } from '../fixtures/plans.js';
import { seededRandom } from '../fixtures/random.js';

const PEERS = ['peer-a', 'peer-b', 'peer-c'];

function outboxRow(peer: string, logIndex: number, status: FedOutboxRow['status'], at: string): FedOutboxRow {
  return {
    peer_id: peer,
    log_index: logIndex,
    record_id: `r-${logIndex}`,
    kind: 'report',
    state: 'XA',
    status,
    attempts: 0,
    next_attempt_at: at,
    last_error: status === 'dead' ? 'NOT_ARRANGED: no' : null,
    created_at: at,
    delivered_at: status === 'delivered' ? at : null,
    ack: status === 'delivered' ? '{}' : null,
  };
}

describe.each(testDialects())('peer delivery figures (%s)', (dialect) => {
  let tdb: TestDb;
  beforeAll(async () => {
    tdb = await createTestDb(dialect);
  }, 60_000);
  afterAll(async () => {
    await tdb?.dispose();
  });

  /** What deliveryOf answered before decision 0096: a grouped count of the peer's whole outbox. */
  async function oracle(peer: string) {
    const k = tdb.db.kysely;
    const rows = await k
      .selectFrom('fed_outbox')
      .select(['status', sql<number>`count(*)`.as('n'), sql<string | null>`max(delivered_at)`.as('last')])
      .where('peer_id', '=', peer)
      .groupBy('status')
      .execute();
    const of = (s: string) => rows.find((r) => r.status === s);
    return {
      pending: Number(of('pending')?.n ?? 0),
      delivered: Number(of('delivered')?.n ?? 0),
      dead: Number(of('dead')?.n ?? 0),
      lastDeliveredAt: of('delivered')?.last ?? null,
    };
  }

  async function figures(peer: string) {
    const d = await createFederationRepo(tdb.db).deliveryOf(peer);
    return { pending: d.pending, delivered: d.delivered, dead: d.dead, lastDeliveredAt: d.lastDeliveredAt };
  }

  it('builds the figures from an existing outbox, then keeps them as rows are settled', async () => {
    const k = tdb.db.kysely;
    await migrateTo(tdb.db, '0052-case-status-indexes');
    const rnd = seededRandom(96);
    // A node that ran an older version: outboxes of every status, delivered at various times.
    const rows: FedOutboxRow[] = [];
    for (let i = 0; i < 600; i++) {
      const peer = PEERS[i % 2] as string; // peer-c has nothing yet
      const r = rnd();
      const at = `2026-0${1 + Math.floor(rnd() * 9)}-1${Math.floor(rnd() * 10)}T00:00:00.000Z`;
      rows.push(outboxRow(peer, i, r < 0.6 ? 'delivered' : r < 0.9 ? 'pending' : 'dead', at));
    }
    for (let i = 0; i < rows.length; i += 100)
      await k
        .insertInto('fed_outbox')
        .values(rows.slice(i, i + 100))
        .execute();
    await migrateToLatest(tdb.db);
    for (const peer of PEERS) expect(await figures(peer), peer).toEqual(await oracle(peer));

    // Settlements as the delivery loop makes them: batches of a peer's pending rows, some asked
    // twice (a row settled again moves nothing and counts nothing), at times not always later.
    const repo = createFederationRepo(tdb.db);
    for (let i = 600; i < 700; i++) rows.push(outboxRow('peer-c', i, 'pending', '2026-10-01T00:00:00.000Z'));
    await k.insertInto('fed_outbox').values(rows.slice(600)).execute();
    for (let round = 0; round < 12; round++) {
      const peer = PEERS[round % 3] as string;
      const pending = await repo.pendingPage(peer, 1000);
      const chosen = pending.filter(() => rnd() < 0.3).map((r) => r.log_index);
      const again = rows.filter((r) => r.peer_id === peer && r.status === 'delivered').slice(0, 2);
      const at = `2026-1${Math.floor(rnd() * 3)}-0${1 + Math.floor(rnd() * 9)}T00:00:00.000Z`;
      await k.transaction().execute((tx) =>
        repo.markDelivered(
          tx,
          peer,
          [...chosen, ...again.map((r) => r.log_index)].map((logIndex) => ({ logIndex, ack: '{}' })),
          at,
        ),
      );
      for (const r of rows) if (r.peer_id === peer && chosen.includes(r.log_index)) r.status = 'delivered';
      for (const p of PEERS) expect(await figures(p), `${p} after round ${round}`).toEqual(await oracle(p));
    }
    expect((await figures('peer-c')).delivered).toBeGreaterThan(0);
    // The audit compares what is kept with the outbox, and names a peer whose figures drifted.
    expect(await differingDeliveredFigures(k)).toEqual([]);
    await k.updateTable('fed_delivered').set({ delivered: 1 }).where('peer_id', '=', 'peer-b').execute();
    await k.deleteFrom('fed_delivered').where('peer_id', '=', 'peer-c').execute();
    const findings = (await auditDerivedState(k)).filter((f) => f.where.startsWith('peer '));
    expect(findings.map((f) => f.where)).toEqual(['peer peer-b delivered', 'peer peer-c delivered']);
    expect(findings[1]?.message).toMatch(/figures kept say 0 \(last never\)/);
  }, 60_000);
});

// Statements are prepared once per connection: planned on a database of their own.
describe('peer delivery figures (sqlite plans)', () => {
  it('reads no delivered outbox row to answer them', async () => {
    const tdb = await createTestDb('sqlite');
    await migrateToLatest(tdb.db);
    const repo = createFederationRepo(tdb.db);
    const texts = await sqliteStatementsDuring(() => repo.deliveryOf('peer-a'));
    const outbox = texts.filter((s) => s.includes('fed_outbox'));
    expect(outbox.length).toBe(2);
    for (const s of outbox) {
      const { plan } = await planOf(tdb.db, s);
      // Each reads a range of the (peer, status) index for a status it names, never a scan.
      expect(plan, s).toMatch(
        /SEARCH fed_outbox USING (COVERING )?INDEX fed_outbox_pending \(peer_id=\? AND status=\?/,
      );
      expect(plan, s).not.toMatch(/SCAN/);
      expect(s).not.toMatch(/delivered/);
    }
    await tdb.dispose();
  });
});
