import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoNode, type FederationDemo, startFederationDemo } from '../../src/cli/demo-federation.js';
import { generateSignerKey, parseCheckpoint, parseNote } from '../../src/log/index.js';
import { readDemoCredentials } from '../../src/services/demo/seed.js';
import { ensureNodeKey, INBOX_PATH, signRequest } from '../../src/services/federation/index.js';
import { systemRandom } from '../../src/services/ports.js';
import { custos } from '../cli/harness.js';
import { type ServingProcess, startServing } from '../fixtures/processes.js';
import { freshPgDatabase, openNodeDb, patience, ROOT, reliabilityDialects, tempDir } from './harness.js';

/**
 * Issue 17 item 5 with real processes (decision 0043): the regional node's log history is rewritten
 * and re-signed with the same log key — its data directory restored from an older copy, then
 * different records appended — and the agency, which had witnessed the original history, detects
 * it at its next exchange: the split view is stored with its evidence, LOG_SPLIT_VIEW is listed in
 * /api/alarms, a case is opened, the inbox refuses the forked log, and the evidence verifies
 * offline with `custos proof verify-split-view`. An administrator's decision resumes forwarding.
 * On SQLite and (with CUSTOS_TEST_PG_URL) PostgreSQL: there each node has its own database, and
 * the older copy of the regional one is a `CREATE DATABASE … TEMPLATE` made while it is stopped.
 */
const ENV = {
  CUSTOS_SCRYPT_LOG2N: '10',
  CUSTOS_DATABASE_URL: '',
  CUSTOS_FEDERATION_WITNESS_MS: '500',
  CUSTOS_CHECKPOINT_MS: '200',
};

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = patience(60_000),
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One statement on the server of CUSTOS_TEST_PG_URL (CREATE / DROP DATABASE). */
async function pgAdmin(statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: process.env.CUSTOS_TEST_PG_URL });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}

const dbName = (url: string) => new URL(url).pathname.slice(1);

describe.each(reliabilityDialects())(
  'a forked log is caught by its peer at the next exchange (%s)',
  (dialect) => {
    const root = tempDir('custos-fed-fork-');
    /** PostgreSQL: each node's database, and the regional one's older copy. */
    const dbs: Partial<Record<'regional' | 'agency', { url: string; drop(): Promise<void> }>> = {};
    let snapshotDb: string | undefined;
    let demo: FederationDemo | undefined;
    let regional: DemoNode;
    let agency: DemoNode;
    let restarted: ServingProcess | undefined;

    const call = async (
      node: { url: string },
      token: string,
      method: string,
      path: string,
      body?: unknown,
    ) => {
      const res = await fetch(`${node.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, json: (text ? JSON.parse(text) : undefined) as unknown };
    };
    const atAgency = (method: string, path: string, body?: unknown) =>
      call(agency, agency.adminToken, method, path, body);
    const atRegional = (method: string, path: string, body?: unknown) =>
      call(regional, regional.adminToken, method, path, body);

    /** The regional node's log size and root as it publishes them. */
    const regionalCheckpoint = async () => {
      const note = await (await fetch(`${regional.url}/log/checkpoint`)).text();
      return parseCheckpoint(parseNote(note).text);
    };
    /** What the agency has witnessed of the regional log (size), once it is at least `size`. */
    const witnessedAtLeast = (size: number) =>
      until(`the agency to witness the regional log at size ${size}`, async () => {
        const peers = (await atAgency('GET', '/api/peers')).json as {
          origin: string;
          witnessed: { size: number } | null;
        }[];
        const w = peers.find((p) => p.origin === regional.origin)?.witnessed;
        return w && w.size >= size ? w.size : undefined;
      });
    /** Append one logged record on the regional node: a (never reachable) peer named `name`. */
    const appendPeerRecord = async (name: string, seedByte: number) => {
      const seed = new Uint8Array(32).fill(seedByte);
      const { vkey } = generateSignerKey(`${name.toLowerCase().replace(/\W+/g, '-')}.test/log`, seed);
      const nodeKey = Buffer.from(new Uint8Array(32).fill(seedByte + 1)).toString('base64');
      const r = await atRegional('POST', '/api/peers', {
        name,
        url: 'http://127.0.0.1:9',
        logKey: vkey,
        nodeKey,
      });
      expect(r.status, JSON.stringify(r.json)).toBe(201);
      return (r.json as { logIndex: number }).logIndex;
    };
    /** The regional node's first checkpoint whose log holds the entry at `index`. */
    const regionalCheckpointHolding = (index: number) =>
      until(`the regional checkpoint to hold entry ${index}`, async () => {
        const c = await regionalCheckpoint();
        return c.size > index ? c : undefined;
      });
    /** The stopped regional node's logged records, in log order (read from its database). */
    const regionalRecords = async () => {
      const db = openNodeDb(regional.dataDir, dbs.regional?.url);
      try {
        const rows = await db.kysely
          .selectFrom('records')
          .select(['id', 'kind', 'log_index'])
          .orderBy('log_index')
          .execute();
        return rows.map((r) => ({ id: r.id, kind: r.kind, index: Number(r.log_index) }));
      } finally {
        await db.close();
      }
    };
    /** Stop the regional process (the demo's child first, then ours), cleanly. */
    const stopRegional = async () => {
      if (restarted) {
        await restarted.kill('SIGTERM');
        restarted = undefined;
        return;
      }
      const child = regional.child;
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    };
    /** Start the regional node again on its port, over whatever its data directory now holds. */
    const startRegional = async () => {
      const port = new URL(regional.url).port;
      restarted = startServing(['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'serve'], {
        cwd: ROOT,
        env: {
          ...(process.env as Record<string, string>),
          ...ENV,
          ...(dbs.regional ? { CUSTOS_DATABASE_URL: dbs.regional.url } : {}),
          CUSTOS_DATA_DIR: regional.dataDir,
          CUSTOS_LOG_ORIGIN: regional.origin,
          CUSTOS_PORT: port,
          CUSTOS_HOST: '127.0.0.1',
          CUSTOS_DEMO: 'true',
          CUSTOS_LOG_LEVEL: 'warn',
        },
      });
      await restarted.ready;
    };

    /** An older copy of the stopped regional node: its data directory and (PostgreSQL) database. */
    const takeSnapshot = async (dir: string) => {
      cpSync(regional.dataDir, dir, { recursive: true });
      if (!dbs.regional) return;
      snapshotDb = `${dbName(dbs.regional.url)}_snapshot`;
      await pgAdmin(`CREATE DATABASE ${snapshotDb} TEMPLATE ${dbName(dbs.regional.url)}`);
    };
    /** The stopped regional node's data directory and database replaced by the older copy. */
    const restoreSnapshot = async (dir: string) => {
      rmSync(regional.dataDir, { recursive: true, force: true });
      cpSync(dir, regional.dataDir, { recursive: true });
      if (!dbs.regional || !snapshotDb) return;
      const name = dbName(dbs.regional.url);
      await pgAdmin(`DROP DATABASE ${name} WITH (FORCE)`);
      await pgAdmin(`CREATE DATABASE ${name} TEMPLATE ${snapshotDb}`);
    };

    beforeAll(async () => {
      if (dialect === 'postgres') {
        dbs.regional = await freshPgDatabase();
        dbs.agency = await freshPgDatabase();
      }
      const nodeEnv = Object.fromEntries(
        Object.entries(dbs).map(([name, db]) => [name, { CUSTOS_DATABASE_URL: db.url }]),
      );
      demo = await startFederationDemo({ root, regionalPort: 0, agencyPort: 0, env: ENV, nodeEnv });
      regional = demo.regional;
      agency = demo.agency;
    }, 300_000);
    afterAll(async () => {
      await restarted?.kill('SIGTERM');
      await demo?.stop();
      if (snapshotDb) await pgAdmin(`DROP DATABASE IF EXISTS ${snapshotDb} WITH (FORCE)`);
      for (const db of Object.values(dbs)) await db.drop();
      rmSync(root, { recursive: true, force: true });
    });

    it('detects the rewritten history, stops forwarding, and the evidence verifies offline', async () => {
      // The agency witnesses the regional log as it is after the demo. The log may still grow: the
      // node's first deadline pass opens a case per missing report of the demo world (it has no
      // reports), in the background after start; on PostgreSQL under load that takes a while.
      const before = await regionalCheckpoint();
      await witnessedAtLeast(before.size);

      // An older copy of the regional node's data directory (and database), taken while it is
      // stopped. A clean stop lets that first pass finish, so the copy holds all of its cases.
      const snapshot = join(root, 'regional-snapshot');
      await stopRegional();
      const copied = await regionalRecords();
      const copiedSize = (copied.at(-1)?.index ?? -1) + 1;
      await takeSnapshot(snapshot);
      await startRegional();

      // The honest history grows by one record, and the agency witnesses a checkpoint holding it.
      const honestIndex = await appendPeerRecord('Honest Witness', 11);
      expect(honestIndex).toBeGreaterThanOrEqual(copiedSize);
      const honest = await regionalCheckpointHolding(honestIndex);
      await witnessedAtLeast(honest.size);

      // A restart appends nothing and duplicates nothing: the log the node stopped with, then the
      // one record appended since, under its index.
      await stopRegional();
      const later = await regionalRecords();
      expect(later.slice(0, copied.length)).toEqual(copied);
      expect(later.slice(copied.length).map((r) => [r.kind, r.index])).toEqual([['peer', honestIndex]]);
      expect(new Set(later.map((r) => r.id)).size).toBe(later.length);

      // The fork: the old copy restored, different records appended (at least one, until the forked
      // log is at least as large as the honest one was), signed with the same log key.
      await restoreSnapshot(snapshot);
      await startRegional();
      let forked = await regionalCheckpoint();
      for (let i = 0; i === 0 || forked.size < honest.size; i++) {
        const index = await appendPeerRecord(`Forked Witness ${i}`, 21 + 2 * i);
        expect(index).toBeGreaterThanOrEqual(copiedSize);
        forked = await regionalCheckpointHolding(index);
      }
      if (forked.size === honest.size)
        expect(Buffer.from(forked.rootHash).equals(Buffer.from(honest.rootHash))).toBe(false);

      // The agency's next exchange finds it: the split view, with evidence. While the forked log is
      // still smaller than the honest one was, an exchange may see a smaller tree signed after the
      // larger one that the log cannot prove consistent: recorded at once, not provable offline
      // (cause no-proof). The forked log's next checkpoint of the honest size, or larger, proves it,
      // and the open split view is upgraded in place (witnessing.ts recordSplitView).
      type SplitView = { id: string; origin: string; peer: string | null; proven: boolean; status: string };
      let seen: SplitView | undefined;
      const split = await until('the agency to record the split view, proven', async () => {
        const list = (await atAgency('GET', '/api/federation/split-views')).json as SplitView[];
        const found = list.filter((s) => s.origin === regional.origin);
        expect(found.length).toBeLessThanOrEqual(1);
        if (seen && found[0]) expect(found[0].id).toBe(seen.id);
        seen = found[0] ?? seen;
        return found[0]?.proven ? found[0] : undefined;
      });
      expect(split).toMatchObject({ status: 'open', proven: true });

      // The alarm, for the state whose records flow from that log, and its case (as the agency's
      // inspector sees them).
      const inspector = readDemoCredentials(agency.dataDir).find((c) => c.login === 'agency.inspector');
      if (!inspector) return expect.fail('the demo has no agency.inspector');
      const asInspector = (path: string) => call(agency, inspector.token, 'GET', path);
      const alarms = (await asInspector('/api/alarms?code=LOG_SPLIT_VIEW')).json as {
        items: { code: string; state: string; ref: string | null }[];
      };
      expect(alarms.items).toContainEqual(
        expect.objectContaining({ code: 'LOG_SPLIT_VIEW', state: 'XA', ref: regional.origin }),
      );
      const cases = await until('the split view case', async () => {
        const list = (await asInspector('/api/cases?limit=100')).json as {
          items: { key: string | null; state: string }[];
        };
        const mine = list.items.filter((c) => c.key?.startsWith('split-view:'));
        return mine.length > 0 ? mine : undefined;
      });
      expect(cases).toHaveLength(1);
      expect(cases[0]?.state).toBe('XA');

      // Forwarding from the forked log stops: the inbox refuses the regional node's signed request.
      const peers = (await atAgency('GET', '/api/peers')).json as {
        origin: string;
        splitView: string | null;
      }[];
      expect(peers.find((p) => p.origin === regional.origin)?.splitView).toBe(split.id);
      const regionalKey = ensureNodeKey({
        config: { dataDir: regional.dataDir },
        random: systemRandom,
      } as never);
      const inbox = async () => {
        const url = `${agency.url}${INBOX_PATH}`;
        const body = new TextEncoder().encode(JSON.stringify({ bundles: [] }));
        const nonce = Buffer.from(systemRandom.bytes(18)).toString('base64');
        const headers = await signRequest(regionalKey, { method: 'POST', url, body }, new Date(), nonce);
        const res = await fetch(url, { method: 'POST', headers, body });
        return { status: res.status, body: (await res.json()) as { error?: { code?: string } } };
      };
      const refused = await inbox();
      expect(refused.status).toBe(409);
      expect(refused.body.error?.code).toBe('LOG_INCONSISTENT');

      // The forked node sees it too, once the agency shows it the checkpoint it had witnessed.
      const own = await until('the forked node to see its own split view', async () => {
        const list = (await atRegional('GET', '/api/federation/split-views')).json as SplitView[];
        return list.find((s) => s.origin === regional.origin);
      });
      expect(own).toMatchObject({ peer: null, proven: true });

      // The evidence, downloaded and checked offline with the CLI (the key in the file, then given).
      const evidence = await atAgency('GET', `/api/federation/split-views/${split.id}/evidence`);
      expect(evidence.status).toBe(200);
      const file = join(root, 'split-view.json');
      writeFileSync(file, JSON.stringify(evidence.json));
      const ok = await custos(['proof', 'verify-split-view', file]);
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stdout).toContain('SPLIT VIEW PROVEN');
      const withKey = await custos(['proof', 'verify-split-view', file, '--key', regional.identity.logKey]);
      expect(withKey.status, withKey.stderr).toBe(0);
      const wrongKey = await custos(['proof', 'verify-split-view', file, '--key', agency.identity.logKey]);
      expect(wrongKey.status).not.toBe(0);

      // The administrator decides: resume with the log as it is now (a logged record); the inbox
      // takes the regional node's requests again.
      const decided = await atAgency('POST', `/api/federation/split-views/${split.id}/decision`, {
        action: 'resume',
        note: 'the regional operator restored a backup; its current log is accepted from here',
      });
      expect(decided.status, JSON.stringify(decided.json)).toBe(200);
      expect(decided.json).toMatchObject({ status: 'resumed' });
      const again = await atAgency('POST', `/api/federation/split-views/${split.id}/decision`, {
        action: 'revoke',
      });
      expect(again.status).toBe(409);
      expect((await inbox()).status).toBe(200);
    });
  },
);
