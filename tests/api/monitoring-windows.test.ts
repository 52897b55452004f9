/**
 * Decision 0092: the monitoring rules that look beyond one device read within their window on
 * indexes of their own (migration 0049), no longer walking a containment's or facility's history.
 * Random openings and declared activities must give what the former whole-history statements
 * gave, and each statement's plan must use its index without a sort of the history.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredWindowsOf } from '../../src/store/declared-activities.repo.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { sealOpeningsOf } from '../../src/store/monitoring-rules.repo.js';
import { createTestDb, type TestDb, testDialects } from '../fixtures/db.js';
import { planOf } from '../fixtures/plans.js';
import { seededRandom } from '../fixtures/random.js';

const DAY = 86_400_000;
const T0 = Date.parse('2020-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe.each(testDialects())('monitoring windows (%s)', (dialect) => {
  let tdb: TestDb;
  beforeAll(async () => {
    tdb = await createTestDb(dialect);
    await migrateToLatest(tdb.db);
    const q = tdb.db.kysely;
    const rnd = seededRandom(7);
    const openings = [];
    const activities = [];
    for (let i = 0; i < 400; i++) {
      const from = T0 + Math.floor(rnd() * 2000) * DAY + Math.floor(rnd() * DAY);
      const closed = rnd() < 0.9;
      openings.push({
        device: `SEAL-${i % 7}`,
        facility: 'F',
        containment: rnd() < 0.8 ? 'C1' : 'C2',
        from_at: iso(from),
        to_at: closed ? iso(from + Math.floor(rnd() * 60 * DAY)) : null,
      });
      const start = T0 + Math.floor(rnd() * 2000) * DAY;
      activities.push({
        id: `act-${i}`,
        state: 'XA',
        facility: 'F',
        containment: rnd() < 0.8 ? 'C1' : 'C2',
        from_at: iso(start),
        // up to 31 days, the longest a declaration may cover, now and then exactly that
        to_at: iso(start + (rnd() < 0.1 ? 31 * DAY : 1 + Math.floor(rnd() * 31 * DAY))),
        description: 'work',
        declared_at: iso(start),
        declared_by: 'u',
        log_index: i,
      });
    }
    await q.insertInto('device_seal_openings').values(openings).execute();
    await q.insertInto('device_declared_activities').values(activities).execute();
  }, 120_000);
  afterAll(async () => {
    await tdb.dispose();
  });

  it('finds the openings and declared windows the whole-history statements found', async () => {
    const q = tdb.db.kysely;
    const rnd = seededRandom(11);
    let seen = 0;
    for (let i = 0; i < 60; i++) {
      const from = T0 + Math.floor(rnd() * 2100) * DAY + Math.floor(rnd() * DAY);
      const to = from + Math.floor(rnd() * 3 * DAY);
      const containment = rnd() < 0.8 ? 'C1' : 'C2';
      const { rows: openings } = await sql<{ from_at: string; to_at: string | null }>`
        select from_at, to_at from device_seal_openings
        where facility = 'F' and containment = ${containment} and from_at <= ${iso(to)}
          and (to_at is null or to_at > ${iso(from)})
        order by from_at limit 100`.execute(q);
      const got = await sealOpeningsOf(q, 'F', containment, iso(from), iso(to));
      expect(got).toEqual(openings.map((r) => ({ from: r.from_at, to: r.to_at })));
      const { rows: windows } = await sql<{ from_at: string; to_at: string }>`
        select from_at, to_at from device_declared_activities
        where facility = 'F' and containment = ${containment} and from_at <= ${iso(to)} and to_at > ${iso(from)}
        order by from_at limit 100`.execute(q);
      expect(await declaredWindowsOf(q, 'F', containment, iso(from), iso(to))).toEqual(
        windows.map((r) => ({ from: r.from_at, to: r.to_at })),
      );
      seen += openings.length + windows.length;
    }
    expect(seen).toBeGreaterThan(60);
  });

  it('reads each rule on its own index', async () => {
    const statements: [string, string][] = [
      [
        "select arrived_at from inspections where facility = 'F' and arrived_at is not null and arrived_at >= '2026-01-01' and arrived_at <= '2026-02-01'",
        'inspections_facility_arrived',
      ],
      [
        "update device_seal_openings set to_at = '2026-01-02' where device = 'SEAL-1' and to_at is null and from_at <= '2026-01-02'",
        'device_seal_openings_device_open',
      ],
      [
        "select from_at from device_seal_openings where facility = 'F' and containment = 'C1' and from_at <= '2026-01-02' and to_at is null order by from_at limit 100",
        'device_seal_openings_open',
      ],
      [
        "select from_at from device_seal_openings where facility = 'F' and containment = 'C1' and from_at <= '2026-01-02' and to_at is not null and to_at > '2026-01-01'",
        'device_seal_openings_closed',
      ],
    ];
    for (const [text, index] of statements) {
      const { plan } = await planOf(tdb.db, text);
      expect(plan, text).toContain(index);
    }
  });
});
