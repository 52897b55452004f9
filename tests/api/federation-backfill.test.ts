/**
 * A new arrangement to send queues the records logged before it a chunk at a time, outside its
 * creating transaction (services/federation/backfill.ts, docs/decisions/0094). The oracle is the
 * one statement that queued the whole backlog before: chunked, resumed or raced, the outbox must
 * end with exactly its rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackfills } from '../../src/services/federation/backfill.js';
import type { DbOrTx } from '../../src/store/db.js';
import { advanceBackfill, pendingBackfills } from '../../src/store/fed-backfill.repo.js';
import { enqueueForwarding, forwardingInsert } from '../../src/store/forwarding.repo.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { testDialects } from '../fixtures/db.js';
import { insertUnreachablePeer } from '../fixtures/federation.js';
import { planOfCompiled } from '../fixtures/plans.js';
import { initialReport, submit } from '../fixtures/reports.js';

class Rollback extends Error {}

describe.each(testDialects())('a send arrangement’s backlog (%s)', (dialect) => {
  let t: TestApp;
  const q = () => t.ports.db.kysely;
  let peers = 0;

  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    for (const mba of ['XA-F1', 'XA-S1', 'XA-R1']) {
      const r = await submit(t, 'xa-ssac.submitter', initialReport(mba));
      expect(r.statusCode, r.body).toBe(201);
    }
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  /** A peer of its own for each arrangement, so each test's outbox rows are its own. */
  async function newPeer(): Promise<string> {
    const id = `peer-${++peers}`;
    await insertUnreachablePeer(q(), id);
    return id;
  }

  async function arrange(peer: string, body: object = {}) {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/arrangements',
      headers: bearer(t.adminToken),
      payload: {
        peer,
        direction: 'send',
        states: ['XA', 'XB'],
        kinds: ['key-registration', 'report'],
        from: '2000-01-01',
        ...body,
      },
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { id: string; logIndex: number };
  }

  const queued = async (peer: string, db: DbOrTx = q()) =>
    (
      await db
        .selectFrom('fed_outbox')
        .select(['log_index', 'record_id', 'kind', 'state'])
        .where('peer_id', '=', peer)
        .orderBy('log_index')
        .execute()
    ).map((r) => ({ ...r, log_index: Number(r.log_index) }));

  /** What the one statement queued before: the whole backlog at once, rolled back after reading. */
  async function oneStatement(peer: string, arrangementId: string, until: number) {
    let rows: Awaited<ReturnType<typeof queued>> = [];
    await q()
      .transaction()
      .execute(async (tx) => {
        await enqueueForwarding(tx, { first: 0, last: until - 1, arrangementId }, '2026-01-01T00:00:00.000Z');
        rows = await queued(peer, tx);
        throw new Rollback();
      })
      .catch((err: unknown) => {
        if (!(err instanceof Rollback)) throw err;
      });
    return rows;
  }

  const listed = async (id: string) =>
    (
      (
        await t.app.inject({ method: 'GET', url: '/api/arrangements', headers: bearer(t.adminToken) })
      ).json() as { id: string; backlog: { next: number; until: number } | null }[]
    ).find((a) => a.id === id);

  it('queues nothing from before in its own transaction, then chunk by chunk exactly what one statement did', async () => {
    const peer = await newPeer();
    const { id, logIndex } = await arrange(peer);
    expect(await queued(peer)).toEqual([]);
    expect((await listed(id))?.backlog).toEqual({ next: 0, until: logIndex });
    const expected = await oneStatement(peer, id, logIndex);
    expect(expected.length).toBeGreaterThanOrEqual(5);
    expect(new Set(expected.map((r) => r.kind))).toEqual(new Set(['key-registration', 'report']));

    // A record logged after the arrangement is queued as it is logged, not by the backlog.
    const later = await submit(t, 'xb-ssac.submitter', initialReport('XB-F1'));
    expect(later.statusCode, later.body).toBe(201);
    const live = await queued(peer);
    expect(live).toHaveLength(1);
    expect(live[0]?.log_index).toBeGreaterThan(logIndex);

    // Chunks of 3 indexes, one pass at a time: the backlog moves on and is listed with it.
    let passes = 0;
    for (;;) {
      const r = await runBackfills(t.ports, { budgetMs: 0, chunk: 3 });
      passes++;
      if (!r.pending) break;
      const b = (await listed(id))?.backlog;
      expect(b?.until).toBe(logIndex);
      expect(b?.next).toBe(Math.min(3 * passes, logIndex));
    }
    expect(passes).toBe(Math.ceil(logIndex / 3));
    expect((await listed(id))?.backlog).toBeNull();
    expect(await queued(peer)).toEqual([...expected, ...live]);
  }, 60_000);

  it('resumes where it stopped, and a runner that lost the race queues nothing twice', async () => {
    const peer = await newPeer();
    const { id, logIndex } = await arrange(peer, { states: ['XA'], kinds: ['report'] });
    const expected = await oneStatement(peer, id, logIndex);
    expect(expected.length).toBeGreaterThanOrEqual(3);
    const mine = async () => (await pendingBackfills(q())).find((b) => b.arrangement_id === id);
    await runBackfills(t.ports, { budgetMs: 0, chunk: 4 });
    const stale = await mine();
    expect(stale?.next_index).toBe(4);
    // Another server (it took the delivery lease over) queues the next chunk meanwhile…
    await runBackfills(t.ports, { budgetMs: 0, chunk: 4 });
    // …so the stale runner's move is refused, and its transaction would roll back.
    expect(await advanceBackfill(q(), stale as NonNullable<typeof stale>, 8)).toBe(false);
    expect((await mine())?.next_index).toBe(8);
    // A restart: a new runner with no memory goes on from the row.
    while ((await runBackfills(t.ports, { budgetMs: 50, chunk: 4 })).pending);
    expect(await mine()).toBeUndefined();
    expect(await queued(peer)).toEqual(expected);
  }, 60_000);

  it('gives an arrangement ended meanwhile its whole backlog (all logged before its end), a revoked peer none', async () => {
    const ended = await newPeer();
    const a = await arrange(ended);
    const expected = await oneStatement(ended, a.id, a.logIndex);
    const revoked = await newPeer();
    await arrange(revoked);
    t.clock.advance(1_000);
    const end = await t.app.inject({
      method: 'POST',
      url: `/api/arrangements/${a.id}/end`,
      headers: bearer(t.adminToken),
      payload: {},
    });
    expect(end.statusCode, end.body).toBe(200);
    expect(end.json().backlog).toEqual({ next: 0, until: a.logIndex });
    await q().updateTable('fed_peers').set({ status: 'revoked' }).where('id', '=', revoked).execute();
    while ((await runBackfills(t.ports)).pending);
    expect(expected.length).toBeGreaterThan(0);
    expect(await queued(ended)).toEqual(expected);
    expect(await queued(revoked)).toEqual([]);
  }, 60_000);

  it('reads only the range’s records, by their index, whatever the arrangements’ kinds and days', async () => {
    await arrange(await newPeer());
    const compiled = forwardingInsert(q(), { first: 5, last: 9 }, '2026-01-01T00:00:00.000Z').compile();
    const { plan } = await planOfCompiled(t.ports.db, compiled);
    // Driven from the arrangements, the join read every record of their kinds since their day.
    expect(plan).not.toContain('records_kind');
    expect(plan).toMatch(
      dialect === 'sqlite' ? /SEARCH records USING .*log_index/ : /Index Scan .* on records/,
    );
  }, 60_000);
});
