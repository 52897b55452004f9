/**
 * A device's event list costs what a page shows (decision 0105). Its total is kept as batches
 * are stored: the oracle is count(*) of the device's events, after batches go through the real
 * ingestion (alone, as a group of one device's batches, replayed, refused) and after migration
 * 0057 builds the figures from an older database; the audit names a figure that drifted. Read
 * newest first, by offset or by the `next` cursor, the pages are the oldest-first list reversed,
 * page for page, with and without a range. On SQLite the pages walk `device_events_order`, with
 * no sort, and the unfiltered page does not count the device's events.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_PREV, signBatch } from '../../src/domain/monitoring/index.js';
import { ed25519PublicKey } from '../../src/log/index.js';
import { auditDerivedState } from '../../src/services/audit-derived.js';
import { createIngestion } from '../../src/services/monitoring/ingest.js';
import { differingEventFigures } from '../../src/store/device-events.repo.js';
import { migrateTo, migrateToLatest } from '../../src/store/migrate.js';
import { bearer, createTestApp, type TestApp } from '../fixtures/app.js';
import { createTestDb, testDialects } from '../fixtures/db.js';
import { pgStatementsDuring, planOf, planOfCompiled, sqliteStatementsDuring } from '../fixtures/plans.js';
import { seededRandom } from '../fixtures/random.js';

interface Item {
  time: string;
  type: string;
  seq: number;
  index: number;
  data: Record<string, unknown>;
}
interface EventPage {
  items: Item[];
  total: number;
  next: string | null;
}

const cursorOf = (e: Item) => `${e.time},${e.seq},${e.index}`;

describe.each(testDialects())('device event list, newest first (%s)', (dialect) => {
  let t: TestApp;
  const rnd = seededRandom(105);
  const devices = [
    { id: 'XA-EVT-1', seed: new Uint8Array(32).fill(51) },
    { id: 'XA-EVT-2', seed: new Uint8Array(32).fill(52) },
    { id: 'XA-EVT-3', seed: new Uint8Array(32).fill(53) },
  ];
  const heads = new Map<string, { seq: number; prev: string }>();
  let t0 = 0;
  /** The next batch of a device: 1-12 heartbeats a few seconds apart, ties and small reorders included. */
  const nextBatch = (d: (typeof devices)[number], base: number) => {
    const head = heads.get(d.id) ?? { seq: 0, prev: GENESIS_PREV };
    const n = 1 + Math.floor(rnd() * 12);
    const events = Array.from({ length: n }, () => ({
      time: new Date(t0 + (base + Math.floor(rnd() * 4)) * 1000).toISOString(),
      type: 'heartbeat' as const,
      battery: Math.floor(rnd() * 100),
      tamper: false,
    }));
    const b = signBatch(d.seed, { device: d.id, seq: head.seq + 1, prev: head.prev, events });
    heads.set(d.id, { seq: head.seq + 1, prev: b.hash });
    return b;
  };
  const send = (id: string, b: { bytes: Uint8Array; header: string }) =>
    t.app.inject({
      method: 'POST',
      url: `/api/devices/${id}/batches`,
      headers: { 'content-type': 'application/json', 'custos-signature': b.header },
      payload: Buffer.from(b.bytes),
    });
  const get = async (url: string) => {
    const r = await t.app.inject({ method: 'GET', url, headers: bearer(t.token('agency.inspector')) });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as EventPage;
  };
  const eventsUrl = (id: string, q: Record<string, string | number | undefined>) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
    return `/api/devices/${id}/events?${params}`;
  };

  beforeAll(async () => {
    t = await createTestApp(dialect, { demo: true });
    t0 = t.clock.now().getTime() - 50 * 60_000;
    for (const d of devices) {
      const reg = await t.app.inject({
        method: 'POST',
        url: '/api/devices',
        headers: bearer(t.adminToken),
        payload: {
          id: d.id,
          kind: 'seal',
          facility: 'XA-STO',
          owners: ['agency'],
          publicKey: Buffer.from(ed25519PublicKey(d.seed)).toString('base64'),
          heartbeatSeconds: 3600,
        },
      });
      expect(reg.statusCode, reg.body).toBe(201);
    }
    const [d1, d2] = devices as [(typeof devices)[number], (typeof devices)[number]];
    // One at a time over HTTP, each batch a group of its own.
    let base = 0;
    /** The next batch's base time, 3 s on: batches overlap by a second, so times tie across them. */
    const later = () => {
      base += 3;
      return base;
    };
    const sent: { bytes: Uint8Array; header: string }[] = [];
    for (let i = 0; i < 10; i++) {
      const b = nextBatch(d1, later());
      sent.push(b);
      expect((await send(d1.id, b)).statusCode).toBe(201);
      if (i % 3 === 0) expect((await send(d2.id, nextBatch(d2, base))).statusCode).toBe(201);
    }
    // A replay adds nothing; nor does a refused batch (a gap in the chain).
    expect((await send(d1.id, sent[2] as (typeof sent)[number])).statusCode).toBe(200);
    const gap = signBatch(d1.seed, {
      device: d1.id,
      seq: 99,
      prev: GENESIS_PREV,
      events: [{ time: new Date(t0).toISOString(), type: 'heartbeat', battery: 1, tamper: false }],
    });
    expect((await send(d1.id, gap)).statusCode).toBe(409);
    // Several batches of one device and another's, handed over at once: one group commit.
    const ingestion = createIngestion(t.ports);
    const ingest = (id: string, b: { bytes: Uint8Array; header: string }) =>
      ingestion.ingest({ device: id, bytes: b.bytes, signature: b.header, transport: 'http' });
    // One batch each first: the ingestion then holds the devices' keys, so the group's batches
    // are admitted without a read and queued together, in the order handed over.
    await ingest(d1.id, nextBatch(d1, later()));
    await ingest(d2.id, nextBatch(d2, base));
    const group = [
      ...[1, 2, 3, 4].map(() => ({ id: d1.id, b: nextBatch(d1, later()) })),
      { id: d2.id, b: nextBatch(d2, base) },
    ];
    await Promise.all(group.map((g) => ingest(g.id, g.b)));
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  /** The plans of the statements over device_events that `f` runs, as the code ran them. */
  async function plansDuring(f: () => Promise<unknown>) {
    const db = t.tdb.db;
    const mine = (text: string) => /from "device_events"/.test(text);
    if (dialect === 'sqlite')
      return Promise.all(
        (await sqliteStatementsDuring(f))
          .filter(mine)
          .map(async (text) => ({ text, ...(await planOf(db, text)) })),
      );
    return Promise.all(
      (await pgStatementsDuring(f))
        .filter((st) => mine(st.sql))
        .map(async (st) => ({ text: st.sql, ...(await planOfCompiled(db, st)) })),
    );
  }

  it('walks device_events_order with no sort, and counts nothing without a range', async () => {
    const url = eventsUrl('XA-EVT-1', { order: 'desc', limit: 5 });
    const newest = await plansDuring(() => get(url));
    // The page's one statement: no count of the device's events.
    expect(newest).toHaveLength(1);
    expect(newest[0]?.text).not.toMatch(/count\(/i);
    expect(newest[0]?.plan).toContain(
      dialect === 'sqlite'
        ? 'USING INDEX device_events_order (device=?)'
        : 'Index Scan Backward using device_events_order',
    );
    expect(newest[0]?.sorts).toBe(false);

    // The next page resumes at the cursor by a row value; the oldest-first page walks forward.
    const first = await get(url);
    const [resumed] = await plansDuring(() =>
      get(eventsUrl('XA-EVT-1', { order: 'desc', limit: 5, after: first.next ?? undefined })),
    );
    expect(resumed?.plan).toMatch(
      dialect === 'sqlite'
        ? /device_events_order \(device=\? AND \(at,seq,idx\)<\(\?,\?,\?\)\)/
        : /Index Cond: .*ROW\(at, seq, idx\) < ROW/,
    );
    expect(resumed?.sorts).toBe(false);
    const [forward] = await plansDuring(() => get(eventsUrl('XA-EVT-1', { limit: 5 })));
    expect(forward?.plan).toMatch(
      dialect === 'sqlite' ? /device_events_order \(device=\?\)/ : /Index Scan using device_events_order/,
    );
    expect(forward?.sorts).toBe(false);

    // With a range, the page and the range's count are both ranges of the index.
    const ranged = await plansDuring(() =>
      get(eventsUrl('XA-EVT-1', { order: 'desc', limit: 5, from: new Date(t0).toISOString() })),
    );
    expect(ranged).toHaveLength(2);
    for (const p of ranged) {
      expect(p.plan, p.text).toMatch(
        dialect === 'sqlite' ? /device_events_order \(device=\? AND at>\?\)/ : /device_events_order/,
      );
      expect(p.sorts, p.text).toBe(false);
    }
  });

  it('keeps each device’s event count as batches are stored; the audit names one that drifted', async () => {
    const k = t.tdb.db.kysely;
    const { rows } = await sql<{ id: string; kept: number | string; counted: number | string }>`
      select d.id, d.event_count as kept,
        (select count(*) from device_events e where e.device = d.id) as counted
      from devices d order by d.id`.execute(k);
    // The three devices here (one without events).
    expect(rows.map((r) => r.id)).toEqual(devices.map((d) => d.id));
    for (const r of rows) expect(Number(r.kept), r.id).toBe(Number(r.counted));
    expect(Number(rows.find((r) => r.id === 'XA-EVT-3')?.kept)).toBe(0);
    expect(Number(rows.find((r) => r.id === 'XA-EVT-1')?.counted)).toBeGreaterThan(40);
    // The unfiltered total is the kept figure.
    for (const r of rows.filter((x) => x.id.startsWith('XA-EVT-')))
      expect((await get(eventsUrl(r.id, { limit: 1 }))).total).toBe(Number(r.counted));

    expect(await differingEventFigures(k)).toEqual([]);
    await k.updateTable('devices').set({ event_count: 999 }).where('id', '=', 'XA-EVT-2').execute();
    try {
      const findings = (await auditDerivedState(k)).filter((f) => f.where.startsWith('device '));
      expect(findings.map((f) => f.where)).toEqual(['device XA-EVT-2 events']);
      expect(findings[0]?.message).toContain('999');
    } finally {
      await sql`update devices set event_count = (select count(*) from device_events where device = 'XA-EVT-2')
        where id = 'XA-EVT-2'`.execute(k);
    }
    expect(await differingEventFigures(k)).toEqual([]);
  });

  it('pages newest first as the oldest-first list reversed, page for page, with and without a range', async () => {
    const id = 'XA-EVT-1';
    const all = await get(eventsUrl(id, { limit: 1000 }));
    expect(all.items).toHaveLength(all.total);
    expect(all.next).toBeNull();
    // Ties of time across batches, so the order's later keys matter.
    const times = all.items.map((e) => e.time);
    expect(new Set(times).size).toBeLessThan(times.length);
    const mid = times[Math.floor(times.length / 3)] as string;
    const end = times[Math.floor((2 * times.length) / 3)] as string;
    const ranges: { from?: string; to?: string }[] = [{}, { from: mid, to: end }, { from: mid }, { to: end }];
    for (const range of ranges) {
      const asc = all.items.filter(
        (e) =>
          (range.from === undefined || e.time >= range.from) && (range.to === undefined || e.time < range.to),
      );
      const desc = [...asc].reverse();
      expect(asc.length).toBeGreaterThan(0);
      for (const limit of [1, 7, 25]) {
        const what = `${JSON.stringify(range)} limit ${limit}`;
        const pages = Math.ceil(asc.length / limit);
        for (const [order, want] of [
          ['asc', asc],
          ['desc', desc],
        ] as const) {
          let after: string | undefined;
          for (let p = 0; p < pages; p++) {
            const slice = want.slice(p * limit, (p + 1) * limit);
            const byOffset = await get(eventsUrl(id, { ...range, order, limit, offset: p * limit }));
            expect(byOffset.items, `${what} ${order} offset page ${p}`).toEqual(slice);
            expect(byOffset.total).toBe(asc.length);
            const byCursor = await get(eventsUrl(id, { ...range, order, limit, after }));
            expect(byCursor.items, `${what} ${order} cursor page ${p}`).toEqual(slice);
            expect(byCursor.total).toBe(asc.length);
            expect(byCursor.next).toBe(p === pages - 1 ? null : cursorOf(slice[slice.length - 1] as Item));
            after = byCursor.next ?? undefined;
          }
          // Past the end: nothing.
          expect((await get(eventsUrl(id, { ...range, order, limit, offset: pages * limit }))).items).toEqual(
            [],
          );
        }
      }
      // A cursor beyond the range on the side the walk starts from: the range's own first page.
      const newest = all.items[all.items.length - 1] as Item;
      const oldest = all.items[0] as Item;
      expect(
        (await get(eventsUrl(id, { ...range, order: 'desc', limit: 5, after: cursorOf(newest) }))).items,
      ).toEqual(range.to === undefined ? desc.slice(1, 6) : desc.slice(0, 5));
      expect(
        (await get(eventsUrl(id, { ...range, order: 'asc', limit: 5, after: cursorOf(oldest) }))).items,
      ).toEqual(range.from === undefined ? asc.slice(1, 6) : asc.slice(0, 5));
      // A cursor and an offset: the rows after the cursor, less the offset.
      const at = desc[2] as Item;
      expect(
        (await get(eventsUrl(id, { ...range, order: 'desc', limit: 4, offset: 3, after: cursorOf(at) })))
          .items,
      ).toEqual(desc.slice(6, 10));
    }
    // A cursor that is not one, or an order that is neither: refused with the code, nothing read.
    for (const q of [{ order: 'desc', after: 'yesterday' }, { order: 'sideways' }]) {
      const bad = await t.app.inject({
        method: 'GET',
        url: eventsUrl(id, q),
        headers: bearer(t.token('agency.inspector')),
      });
      expect(bad.statusCode, JSON.stringify(q)).toBe(400);
      expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    }
  }, 120_000);
});

describe.each(testDialects())('device event counts built by migration 0057 (%s)', (dialect) => {
  it('builds each device’s figure from an older database’s events', async () => {
    const tdb = await createTestDb(dialect);
    try {
      const k = tdb.db.kysely;
      await migrateTo(tdb.db, '0056-inbox-unread');
      await k
        .insertInto('states')
        .values({ code: 'XA', name: 'Arcadia', created_at: 't', created_by: 'u' })
        .execute();
      await k
        .insertInto('facilities')
        .values({
          code: 'XA-F',
          name: 'F',
          type: 'storage',
          state: 'XA',
          latitude: 0,
          longitude: 0,
          created_at: 't',
          created_by: 'u',
        })
        .execute();
      const ids = ['DEV-A', 'DEV-B', 'DEV-C'];
      for (const id of ids)
        await k
          .insertInto('devices')
          .values({
            id,
            kind: 'seal',
            facility: 'XA-F',
            state: 'XA',
            kmp: null,
            containment: null,
            owners: '["agency"]',
            joint_use: '[]',
            public_key: 'k',
            key_id: 'k',
            heartbeat_seconds: 60,
            status: 'installed',
            changes: 1,
            head_seq: 0,
            head_hash: 'h',
            last_event_at: null,
            last_seen_at: null,
            cok: '{}',
            registered_at: 't',
            registered_by: 'u',
          })
          .execute();
      // DEV-A many events, DEV-B a few, DEV-C none; GONE's events belong to no registered device.
      const rows = [];
      for (const [device, n] of [
        ['DEV-A', 1234],
        ['DEV-B', 3],
        ['GONE', 2],
      ] as const)
        for (let i = 0; i < n; i++)
          rows.push({
            device,
            at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
            seq: 1 + Math.floor(i / 10),
            idx: i % 10,
            type: 'heartbeat',
            data: null,
          });
      for (let i = 0; i < rows.length; i += 500)
        await k
          .insertInto('device_events')
          .values(rows.slice(i, i + 500))
          .execute();
      await migrateToLatest(tdb.db);
      const kept = await k.selectFrom('devices').select(['id', 'event_count']).orderBy('id').execute();
      expect(kept.map((r) => [r.id, Number(r.event_count)])).toEqual([
        ['DEV-A', 1234],
        ['DEV-B', 3],
        ['DEV-C', 0],
      ]);
      // The audit compares the same figures, and names events held for no registered device.
      expect(await differingEventFigures(k)).toEqual([{ device: 'GONE', kept: null, counted: 2 }]);
    } finally {
      await tdb.dispose();
    }
  }, 60_000);
});
