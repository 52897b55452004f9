import { rmSync } from 'node:fs';
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
 * passes; an event published by one process reaches an SSE client of the other.
 */
const pgUrl = requirePgUrl();

describe.runIf(pgUrl !== undefined)('two servers on one PostgreSQL', () => {
  const dataDir = tempDir();
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await drop?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('share one log: no duplicate or missing index, one consistent chain, events cross processes', async () => {
    const db = await freshPgDatabase();
    drop = db.drop;
    const spec = { dataDir, databaseUrl: db.url, env: { CUSTOS_CHECKPOINT_MS: '30' } };
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
      const audit = await runCustos(['audit'], spec);
      expect(audit.stdout, audit.stderr).toContain('AUDIT OK');
      recordFigure('scale-out-postgres', {
        processes: 2,
        acknowledged: acked.length,
        checkpoints: checkpoints.length,
        checkpointsSeenByClients: seen.length,
        eventsCrossProcess: viaA.length,
      });
    } finally {
      await a.kill('SIGTERM');
      await b.kill('SIGTERM');
    }
  });
});

describe.runIf(pgUrl === undefined)('two servers on one PostgreSQL (not configured)', () => {
  it('needs CUSTOS_TEST_PG_URL (with CI=true its absence fails the suite instead)', () => {
    expect(process.env.CI).not.toBe('true');
  });
});
