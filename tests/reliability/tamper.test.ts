import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeBase64,
  generateSignerKey,
  parseNoteSigner,
  parseSignerKey,
  signCheckpoint,
} from '../../src/log/index.js';
import { detectSplitView } from '../../src/log/split-view.js';
import type { Db } from '../../src/store/db.js';
import {
  DEMO_MBAS,
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
import { currentCheckpoint, fetchText, logVerifier } from './invariants.js';

/**
 * Tamper detection through the CLI black box (reliability issue 2): a baseline node is filled
 * with reports and stopped; each case edits a copy of its store behind the log's back, and
 * `custos audit` (and `custos log verify` against a node serving the copy) must fail and name it.
 */
interface Copy {
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  dispose(): Promise<void>;
}

describe.each(reliabilityDialects())('tamper detection via the CLI (%s)', (dialect) => {
  const base = tempDir();
  let baseUrl: string | undefined;
  let dropBase: (() => Promise<void>) | undefined;
  let vkey = '';
  /** The first ICR number this suite submitted per MBA; `id('XA-F1', 1)` is its second report. */
  const ids = new Map<string, number>();
  const id = (mba: string, k: number) => `${mba}:ICR:${(ids.get(mba) ?? 1) + k}`;

  beforeAll(async () => {
    if (dialect === 'postgres') {
      const db = await freshPgDatabase();
      baseUrl = db.url;
      dropBase = db.drop;
    }
    const node = startNode({ dataDir: base, databaseUrl: baseUrl, env: { CUSTOS_CHECKPOINT_MS: '20' } });
    const url = await node.ready;
    const inspector = tokenOf(base, 'agency.inspector');
    for (const m of DEMO_MBAS) {
      const first = await nextIcrNumber(url, inspector, m.mba);
      ids.set(m.mba, first);
      for (let n = first; n < first + 3; n++) {
        const res = await postReport(
          url,
          tokenOf(base, `${m.org}.submitter`),
          demoSeedOf(base, m.org),
          icrBody(m.mba, n, 3),
        );
        expect(res.status, JSON.stringify(res.json)).toBe(201);
      }
    }
    const v = await logVerifier(url);
    vkey = (await fetchText(url, '/log/key')).text.trim();
    for (let i = 0; i < 100; i++) {
      const cp = await currentCheckpoint(url, v);
      const db = openNodeDb(base, baseUrl);
      const entries = Number(
        (
          await db.kysely
            .selectFrom('log_entries')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
      await db.close();
      if (cp && cp.size === entries) break;
      await sleep(50);
    }
    expect(await node.kill('SIGTERM')).toBe(0);
  });
  afterAll(async () => {
    await dropBase?.();
    rmSync(base, { recursive: true, force: true });
  });

  let copies = 0;
  async function copy(): Promise<Copy> {
    const dataDir = tempDir();
    cpSync(base, dataDir, { recursive: true });
    if (dialect === 'sqlite') {
      return {
        dataDir,
        databaseUrl: undefined,
        dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
      };
    }
    const name = `${new URL(baseUrl as string).pathname.slice(1)}_c${copies++}`;
    const admin = new pg.Client({ connectionString: process.env.CUSTOS_TEST_PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${new URL(baseUrl as string).pathname.slice(1)}`);
    await admin.end();
    const url = new URL(baseUrl as string);
    url.pathname = `/${name}`;
    return {
      dataDir,
      databaseUrl: url.toString(),
      async dispose() {
        const c = new pg.Client({ connectionString: process.env.CUSTOS_TEST_PG_URL });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }

  async function tamper(edit: (db: Db, dataDir: string) => Promise<void>) {
    const c = await copy();
    const db = openNodeDb(c.dataDir, c.databaseUrl);
    try {
      await edit(db, c.dataDir);
    } finally {
      await db.close();
    }
    return c;
  }

  const audit = (c: Copy, args: string[] = []) => runCustos(['audit', ...args], c);

  it('the untouched copy passes audit', async () => {
    const c = await copy();
    try {
      const r = await audit(c);
      expect(r.stdout, r.stderr).toContain('AUDIT OK');
      expect(r.status).toBe(0);
    } finally {
      await c.dispose();
    }
  });

  const cases: {
    name: string;
    edit: (db: Db, dataDir: string) => Promise<void>;
    expect: (() => RegExp)[];
  }[] = [
    {
      name: 'a changed weight',
      edit: async (db) => {
        await db.kysely
          .updateTable('report_lines')
          .set({ weight_mg: 999_999_999 })
          .where('report_id', '=', id('XA-F1', 1))
          .where('line', '=', 2)
          .execute();
      },
      expect: [
        () => new RegExp(`TAMPERED record-changed at ${id('XA-F1', 1)}: line 2 weight_mg is 999999999`),
      ],
    },
    {
      name: 'a deleted line',
      edit: async (db) => {
        await db.kysely
          .deleteFrom('report_lines')
          .where('report_id', '=', id('XB-E1', 0))
          .where('line', '=', 1)
          .execute();
      },
      expect: [() => new RegExp(`TAMPERED record-changed at ${id('XB-E1', 0)}: line 1 was deleted`)],
    },
    {
      name: 'a backdated report inserted behind the log',
      edit: async (db) => {
        const row = await db.kysely
          .selectFrom('reports')
          .selectAll()
          .where('id', '=', id('XC-R1', 0))
          .executeTakeFirstOrThrow();
        await db.kysely
          .insertInto('reports')
          .values({
            ...row,
            id: 'XC-R1:ICR:9999',
            report_number: 9999,
            submitted_at: '2020-01-31T09:00:00.000Z',
          })
          .execute();
      },
      expect: [() => /TAMPERED row-not-logged at XC-R1:ICR:9999/],
    },
    {
      name: 'a rewritten signed body',
      edit: async (db) => {
        await db.kysely
          .updateTable('report_bodies')
          .set({ body: new Uint8Array(Buffer.from('{"rewritten":true}')) })
          .where('report_id', '=', id('XB-F1', 2))
          .execute();
      },
      expect: [() => new RegExp(`TAMPERED record-changed at ${id('XB-F1', 2)}`)],
    },
    {
      name: 'a rewritten stored hash',
      edit: async (db) => {
        await db.kysely
          .updateTable('log_hashes')
          .set({ hash: new Uint8Array(32) })
          .where('id', '=', 7)
          .execute();
      },
      expect: [() => /TAMPERED hash-rewritten at stored hash 7/],
    },
    {
      name: 'a swapped log key file',
      edit: async (_db, dataDir) => {
        const origin = parseSignerKey(readFileSync(join(dataDir, 'log.key'), 'utf8').trim()).name;
        writeFileSync(
          join(dataDir, 'log.key'),
          `${generateSignerKey(origin, new Uint8Array(32).fill(7)).skey}\n`,
        );
      },
      expect: [() => /TAMPERED checkpoint-signature at checkpoint \d+/],
    },
  ];

  it.each(cases)('custos audit names $name', async ({ edit, expect: patterns }) => {
    const c = await tamper(edit);
    try {
      const r = await audit(c);
      for (const p of patterns) expect(r.stdout, r.stderr).toMatch(p());
      expect(r.stdout).toMatch(/AUDIT FAILED: \d+ finding/);
      expect(r.status).toBe(3);
      // With the trusted verifier key given explicitly, only real history edits remain findings.
      const trusted = await audit(c, ['--key', vkey]);
      if (patterns.some((p) => p().source.includes('checkpoint-signature'))) expect(trusted.status).toBe(0);
      else expect(trusted.status).toBe(3);
    } finally {
      await c.dispose();
    }
  });

  it('custos log verify catches a rewritten stored hash and a swapped key on a live node', async () => {
    const keyFile = join(base, 'trusted.pub');
    writeFileSync(keyFile, `${vkey}\n`);
    // A rewritten stored hash: the tiles no longer recompute the signed root.
    const hashCopy = await tamper(async (db) => {
      await db.kysely
        .updateTable('log_hashes')
        .set({ hash: new Uint8Array(32) })
        .where('id', '=', 0)
        .execute();
    });
    const swapped = await tamper(async (_db, dataDir) => {
      const origin = parseSignerKey(readFileSync(join(dataDir, 'log.key'), 'utf8').trim()).name;
      writeFileSync(
        join(dataDir, 'log.key'),
        `${generateSignerKey(origin, new Uint8Array(32).fill(9)).skey}\n`,
      );
    });
    try {
      const n1 = startNode({ ...hashCopy, env: { CUSTOS_CHECKPOINT_MS: '20' } });
      const u1 = await n1.ready;
      const r1 = await runCustos(['log', 'verify', '--url', u1, '--key', keyFile], hashCopy);
      await n1.kill('SIGTERM');
      expect(r1.status, r1.stdout).toBe(3);
      expect(r1.stderr).toMatch(
        /tiles give a root that is not the checkpoint's|entry bundle \d+ does not match/,
      );

      // A swapped key signs the next checkpoint: verifiers holding the real key refuse it.
      const n2 = startNode({ ...swapped, env: { CUSTOS_CHECKPOINT_MS: '20' } });
      const u2 = await n2.ready;
      const res = await postReport(
        u2,
        tokenOf(swapped.dataDir, 'xa-ssac.submitter'),
        demoSeedOf(swapped.dataDir, 'xa-ssac'),
        icrBody('XA-F1', (ids.get('XA-F1') ?? 1) + 3, 1),
      );
      expect(res.status).toBe(201);
      let r2 = await runCustos(['log', 'verify', '--url', u2, '--key', keyFile], swapped);
      for (let i = 0; i < 20 && r2.status === 0; i++) {
        await sleep(100);
        r2 = await runCustos(['log', 'verify', '--url', u2, '--key', keyFile], swapped);
      }
      await n2.kill('SIGTERM');
      expect(r2.status).toBe(3);
      expect(r2.stderr).toContain('does not verify with the given key');
    } finally {
      await hashCopy.dispose();
      await swapped.dispose();
    }
  });

  it('a split view (two signed checkpoints of one size, different roots) is caught', async () => {
    const skey = readFileSync(join(base, 'log.key'), 'utf8').trim();
    const signer = parseNoteSigner(skey);
    const origin = parseSignerKey(skey).name;
    const v = await (async () => vkey)();
    const db = openNodeDb(base, baseUrl);
    const cp = await db.kysely
      .selectFrom('log_checkpoints')
      .selectAll()
      .orderBy('size', 'desc')
      .executeTakeFirstOrThrow();
    await db.close();
    const honest = cp.note;
    // The log (its key) shows witness B a forked tree of the same size.
    const forked = signCheckpoint(
      {
        origin,
        size: Number(cp.size),
        rootHash: decodeBase64(Buffer.alloc(32, 1).toString('base64')),
        extensions: [],
      },
      [signer],
    );
    const verdict = detectSplitView(honest, forked, v);
    expect(verdict.kind).toBe('equivocation');
    expect(detectSplitView(honest, honest, v).kind).toBe('consistent');
    // A forged note (not signed by the log key) is not evidence against the log.
    const stranger = parseNoteSigner(generateSignerKey(origin, new Uint8Array(32).fill(3)).skey);
    const forged = signCheckpoint(
      { origin, size: Number(cp.size), rootHash: new Uint8Array(32).fill(2), extensions: [] },
      [stranger],
    );
    expect(detectSplitView(honest, forged, v).kind).toBe('unsigned');
    // Different sizes: a smaller forked checkpoint is caught by its consistency proof.
    const smaller = signCheckpoint(
      { origin, size: Number(cp.size) - 1, rootHash: new Uint8Array(32).fill(4), extensions: [] },
      [signer],
    );
    expect(detectSplitView(smaller, honest, v).kind).toBe('undecided');
    const node = startNode({ dataDir: base, databaseUrl: baseUrl });
    try {
      const url = await node.ready;
      const proof = JSON.parse(
        (await fetchText(url, `/log/proof/consistency?from=${Number(cp.size) - 1}&to=${cp.size}`)).text,
      ) as { hashes: string[] };
      const hashes = proof.hashes.map((h) => decodeBase64(h));
      // A failing proof is evidence only when it leads to the larger signed root (decision 0028);
      // when the smaller size is a power of two the proof starts from the larger tree's hash of
      // those leaves, which for a size one below is the inclusion proof of the last leaf.
      const m = Number(cp.size) - 1;
      const firstHash =
        (m & (m - 1)) === 0
          ? decodeBase64(
              (
                JSON.parse(
                  (await fetchText(url, `/log/proof/inclusion?index=${m}&size=${cp.size}`)).text,
                ) as { hashes: string[] }
              ).hashes.at(-1) as string,
            )
          : undefined;
      const verdict2 = detectSplitView(smaller, honest, v, {
        proof: hashes,
        ...(firstHash ? { firstHash } : {}),
      });
      expect(verdict2.kind).toBe('equivocation');
      // And the node's own previous checkpoint, with the same proof, is consistent.
      const db2 = openNodeDb(base, baseUrl);
      const prev = await db2.kysely
        .selectFrom('log_checkpoints')
        .select(['note', 'size'])
        .where('size', '<', cp.size)
        .orderBy('size', 'desc')
        .executeTakeFirst();
      await db2.close();
      if (prev) {
        const p2 = JSON.parse(
          (await fetchText(url, `/log/proof/consistency?from=${prev.size}&to=${cp.size}`)).text,
        ) as { hashes: string[] };
        expect(
          detectSplitView(
            prev.note,
            honest,
            v,
            p2.hashes.map((h) => decodeBase64(h)),
          ).kind,
        ).toBe('consistent');
      }
    } finally {
      await node.kill('SIGTERM');
    }
  });
});
