import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../src/log/index.js';
import { recordFigure } from './figures.js';
import {
  DEMO_MBAS,
  demoSeedOf,
  freshPgDatabase,
  icrBody,
  nextIcrNumber,
  openNodeDb,
  patience,
  postReport,
  requirePgUrl,
  runCustos,
  sleep,
  startNode,
  tempDir,
  tokenOf,
} from './harness.js';
import {
  checkConsistentWith,
  checkStoredReports,
  currentCheckpoint,
  logVerifier,
  type SeenCheckpoint,
} from './invariants.js';

/**
 * Scale-out on PostgreSQL (reliability issue 6): two server processes on one database (sharing the
 * data directory's keys), submissions to both at once. One integrator at a time (advisory lock):
 * log indices gap-free and unique, one chain of checkpoints each consistent with the last, audit
 * passes; an event published by one process reaches an SSE client of the other; with both
 * deadline schedulers passing every 100 ms, each reminder is sent exactly once.
 */
const pgUrl = requirePgUrl();

describe.runIf(pgUrl !== undefined)('two servers on one PostgreSQL', () => {
  const dataDir = tempDir();
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await drop?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('share one log: no duplicate or missing index, one consistent chain, events cross processes, reminders sent once', async () => {
    const db = await freshPgDatabase();
    drop = db.drop;
    const spec = {
      dataDir,
      databaseUrl: db.url,
      env: { CUSTOS_CHECKPOINT_MS: '30', CUSTOS_SCHEDULER_MS: '100' },
    };
    const a = startNode(spec);
    const urlA = await a.ready;
    const b = startNode(spec); // starts after A has seeded: same keys, same demo world
    const urlB = await b.ready;
    try {
      const v = await logVerifier(urlA);
      expect((await logVerifier(urlB)).keyId).toBe(v.keyId);
      const inspector = tokenOf(dataDir, 'agency.inspector');

      // An SSE client on B; the submissions below go to A as well.
      const ctl = new AbortController();
      const received: string[] = [];
      const sse = (async () => {
        try {
          const res = await fetch(`${urlB}/api/events`, {
            headers: { authorization: `Bearer ${inspector}` },
            signal: ctl.signal,
          });
          const dec = new TextDecoder();
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
            for (const m of dec.decode(chunk).matchAll(/"id":"([^"]+:ICR:\d+)"/g))
              received.push(m[1] as string);
          }
        } catch {}
      })();
      await sleep(300);

      // A new MBA with no report: its obligations since the agreement entered into force are
      // missed, so both schedulers (each passing every 100 ms) race to send the same reminders.
      const facility = await fetch(`${urlA}/api/facilities?state=XC`, {
        headers: { authorization: `Bearer ${inspector}` },
      }).then((r) => r.json() as Promise<{ items: { code: string }[] }>);
      const admin = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
      const created = await fetch(`${urlB}/api/mbas`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ code: NEW_MBA, facility: facility.items[0]?.code }),
      });
      expect(created.status, await created.text()).toBe(201);

      const acked: { id: string; via: string }[] = [];
      const seen: SeenCheckpoint[] = [];
      let stop = false;
      const poll = (async () => {
        while (!stop) {
          for (const u of [urlA, urlB]) {
            const cp = await currentCheckpoint(u, v);
            if (cp && !seen.some((s) => s.size === cp.size)) seen.push(cp);
          }
          await sleep(25);
        }
      })();
      await Promise.all(
        DEMO_MBAS.map(async (m, i) => {
          const token = tokenOf(dataDir, `${m.org}.submitter`);
          const seed = demoSeedOf(dataDir, m.org);
          let n = await nextIcrNumber(urlA, inspector, m.mba);
          for (let k = 0; k < 8; k++, n++) {
            const via = (i + k) % 2 === 0 ? urlA : urlB;
            const res = await postReport(via, token, seed, icrBody(m.mba, n, 5));
            expect(res.status, JSON.stringify(res.json)).toBe(201);
            acked.push({ id: res.json.id as string, via: via === urlA ? 'A' : 'B' });
          }
        }),
      );
      await sleep(500);
      stop = true;
      await poll;

      // Events of reports submitted to A reached the stream held open on B.
      const viaA = acked.filter((x) => x.via === 'A').map((x) => x.id);
      for (let i = 0; i < 40 && !viaA.every((id) => received.includes(id)); i++) await sleep(100);
      ctl.abort();
      await sse;
      expect(viaA.filter((id) => !received.includes(id))).toEqual([]);

      const store = openNodeDb(dataDir, db.url);
      let checkpoints: SeenCheckpoint[];
      try {
        expect(
          await checkStoredReports(
            store,
            acked.map((x) => x.id),
          ),
        ).toEqual([]);
        const rows = await store.kysely
          .selectFrom('log_checkpoints')
          .select(['note', 'size'])
          .orderBy('size')
          .execute();
        checkpoints = rows.map((r) => {
          const cp = openCheckpoint(r.note, v).checkpoint;
          return { size: cp.size, root: cp.rootHash, note: r.note };
        });
      } finally {
        await store.close();
      }
      const final = (await currentCheckpoint(urlB, v)) as SeenCheckpoint;
      // One chain: every checkpoint either process ever published extends into the final one.
      expect(await checkConsistentWith(urlA, v, [...checkpoints, ...seen], final)).toEqual([]);
      expect(await checkConsistentWith(urlB, v, seen, final)).toEqual([]);
      const sent = await settledReminderCount(db.url, NEW_MBA);
      expect(sent, `reminders for ${NEW_MBA}`).toBeGreaterThan(0);
      const reminders = await checkRemindersOnce(db.url);
      expect(reminders.problems).toEqual([]);
      const audit = await runCustos(['audit'], spec);
      expect(audit.stdout, audit.stderr).toContain('AUDIT OK');
      recordFigure('scale-out-postgres', {
        processes: 2,
        acknowledged: acked.length,
        checkpoints: checkpoints.length,
        checkpointsSeenByClients: seen.length,
        eventsCrossProcess: viaA.length,
        remindersRacedForByTwoSchedulers: sent,
        remindersInTotal: reminders.keys,
      });
    } finally {
      await a.kill('SIGTERM');
      await b.kill('SIGTERM');
    }
  });
});

const NEW_MBA = 'XC-Z9';

/** Reminder keys of an MBA, once their count has not moved for 2 s (both schedulers' passes done). */
async function settledReminderCount(url: string, mba: string): Promise<number> {
  const db = openNodeDb('', url);
  try {
    let last = -1;
    let stableSince = Date.now();
    for (const deadline = Date.now() + patience(60_000); Date.now() < deadline; ) {
      const row = await db.kysely
        .selectFrom('notification_keys')
        .select((e) => e.fn.countAll<number>().as('n'))
        .where('key', 'like', `reminder:%${mba}%`)
        .executeTakeFirstOrThrow();
      const n = Number(row.n);
      if (n !== last) {
        last = n;
        stableSince = Date.now();
      } else if (n > 0 && Date.now() - stableSince >= 2000) return n;
      await sleep(100);
    }
    return last;
  } finally {
    await db.close();
  }
}

/**
 * Deadline reminders sent exactly once: every reminder key points at its own event, and each
 * (state, reminder type, obligation) occurs in one event only, claimed by a key.
 */
async function checkRemindersOnce(url: string): Promise<{ keys: number; problems: string[] }> {
  const db = openNodeDb('', url);
  try {
    const keys = await db.kysely
      .selectFrom('notification_keys')
      .select(['key', 'event_id'])
      .where('key', 'like', 'reminder:%')
      .execute();
    const events = await db.kysely
      .selectFrom('events')
      .select(['id', 'type', 'state', 'data'])
      .where('type', 'like', 'deadline.%')
      .execute();
    const problems: string[] = [];
    const byEvent = new Map<number, string>();
    for (const k of keys) {
      if (k.event_id === null) problems.push(`${k.key}: no event`);
      else if (byEvent.has(Number(k.event_id)))
        problems.push(`${k.key}: event shared with ${byEvent.get(Number(k.event_id))}`);
      else byEvent.set(Number(k.event_id), k.key);
    }
    const seen = new Map<string, number>();
    for (const e of events) {
      const d = JSON.parse(e.data) as { obligation?: string };
      const what = `${e.state}:${e.type}:${d.obligation}`;
      seen.set(what, (seen.get(what) ?? 0) + 1);
      if (!byEvent.has(Number(e.id))) problems.push(`event ${e.id} (${what}) has no key`);
    }
    for (const [what, n] of seen) if (n !== 1) problems.push(`${what} sent ${n} times`);
    if (events.length !== keys.length)
      problems.push(`${events.length} reminder events for ${keys.length} keys`);
    return { keys: keys.length, problems };
  } finally {
    await db.close();
  }
}

// Declared only when PostgreSQL is not configured, so a configured run reports no skipped test.
if (pgUrl === undefined)
  describe('two servers on one PostgreSQL (not configured)', () => {
    it('needs CUSTOS_TEST_PG_URL (with CI=true its absence fails the suite instead)', () => {
      expect(process.env.CI).not.toBe('true');
    });
  });
