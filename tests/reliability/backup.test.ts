import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../src/log/index.js';
import { recordFigure } from './figures.js';
import {
  demoSeedOf,
  freshPgDatabase,
  icrBody,
  nextIcrNumber,
  openNodeDb,
  postReport,
  reliabilityDialects,
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
 * Backup and restore (reliability issue 7): `custos backup` while submissions keep arriving,
 * `custos restore` into an empty node, the restored node passes `custos audit`, keeps the log key,
 * and its next checkpoint extends every checkpoint in the backup.
 */
describe.each(reliabilityDialects())('backup and restore (%s)', (dialect) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('an online backup restores into a node that passes audit and continues the same log', async () => {
    const a = {
      dataDir: tempDir(),
      databaseUrl: undefined as string | undefined,
      env: { CUSTOS_CHECKPOINT_MS: '50' },
    };
    const b = {
      dataDir: tempDir(),
      databaseUrl: undefined as string | undefined,
      env: { CUSTOS_CHECKPOINT_MS: '50' },
    };
    const backupDir = join(tempDir(), 'backup');
    cleanups.push(() => {
      for (const d of [a.dataDir, b.dataDir, join(backupDir, '..')])
        rmSync(d, { recursive: true, force: true });
    });
    if (dialect === 'postgres') {
      const da = await freshPgDatabase();
      const db = await freshPgDatabase();
      a.databaseUrl = da.url;
      b.databaseUrl = db.url;
      cleanups.push(da.drop, db.drop);
    }
    const nodeA = startNode(a);
    const urlA = await nodeA.ready;
    const v = await logVerifier(urlA);
    const inspector = tokenOf(a.dataDir, 'agency.inspector');
    const token = tokenOf(a.dataDir, 'xa-ssac.submitter');
    const seed = demoSeedOf(a.dataDir, 'xa-ssac');
    let n = await nextIcrNumber(urlA, inspector, 'XA-S1');
    const acked: string[] = [];
    let stop = false;
    let loadError = '';
    const load = (async () => {
      while (!stop) {
        const res = await postReport(urlA, token, seed, icrBody('XA-S1', n, 20));
        if (res.status !== 201) {
          loadError = `XA-S1 #${n}: HTTP ${res.status} ${JSON.stringify(res.json).slice(0, 400)}`;
          return;
        }
        acked.push(res.json.id as string);
        n++;
      }
    })();
    await sleep(500);
    const before = (await currentCheckpoint(urlA, v)) as SeenCheckpoint;
    const ackedBefore = [...acked];
    const started = Date.now();
    const backup = await runCustos(['backup', backupDir], a);
    const backupMs = Date.now() - started;
    expect(backup.stdout, backup.stderr).toContain('BACKUP OK');
    await sleep(200);
    stop = true;
    await load;
    await nodeA.kill('SIGTERM');
    expect(loadError).toBe('');

    const restore = await runCustos(['restore', backupDir], b);
    expect(restore.stdout, restore.stderr).toContain('RESTORE OK');
    const again = await runCustos(['restore', backupDir], b);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toMatch(/CONFLICT/);

    const audit = await runCustos(['audit'], b);
    expect(audit.stdout, audit.stderr).toContain('AUDIT OK');
    expect(audit.status).toBe(0);
    const db = openNodeDb(b.dataDir, b.databaseUrl);
    let restoredCheckpoints: SeenCheckpoint[];
    try {
      expect(await checkStoredReports(db, ackedBefore)).toEqual([]);
      const rows = await db.kysely.selectFrom('log_checkpoints').select(['note']).orderBy('size').execute();
      restoredCheckpoints = rows.map((r) => {
        const cp = openCheckpoint(r.note, v).checkpoint;
        return { size: cp.size, root: cp.rootHash, note: r.note };
      });
    } finally {
      await db.close();
    }

    const nodeB = startNode(b);
    try {
      const urlB = await nodeB.ready;
      expect((await logVerifier(urlB)).keyId).toEqual(v.keyId);
      const next = await nextIcrNumber(urlB, tokenOf(b.dataDir, 'agency.inspector'), 'XA-S1');
      const res = await postReport(
        urlB,
        tokenOf(b.dataDir, 'xa-ssac.submitter'),
        demoSeedOf(b.dataDir, 'xa-ssac'),
        icrBody('XA-S1', next, 3),
      );
      expect(res.status).toBe(201);
      const last = restoredCheckpoints.at(-1)?.size ?? 0;
      let cur: SeenCheckpoint | undefined;
      for (let i = 0; i < 100; i++) {
        cur = await currentCheckpoint(urlB, v);
        if (cur && cur.size > last) break;
        await sleep(50);
      }
      expect(cur?.size).toBeGreaterThan(last);
      const sample = restoredCheckpoints.filter(
        (_, i) => i % Math.ceil(restoredCheckpoints.length / 15) === 0,
      );
      expect(
        await checkConsistentWith(
          urlB,
          v,
          [before, ...sample, ...restoredCheckpoints.slice(-1)],
          cur as SeenCheckpoint,
        ),
      ).toEqual([]);
      recordFigure(`backup-${dialect}`, {
        backupMs,
        acknowledgedDuringRun: acked.length,
        restoredCheckpoints: restoredCheckpoints.length,
        restoredLogSize: last,
      });
    } finally {
      await nodeB.kill('SIGTERM');
    }
  });
});
