import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  demoSeedOf,
  icrBody,
  nextIcrNumber,
  postReport,
  ROOT,
  type RunningNode,
  runCustos,
  startNode,
  tempDir,
  tokenOf,
} from '../reliability/harness.js';

/** Submissions the node's intake thread has answered (GET /metrics). */
async function answered(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = /^custos_intake_thread_submissions (\d+)$/m.exec(text);
  if (!m) throw new Error('custos_intake_thread_submissions is not among the metrics');
  return Number(m[1]);
}

/**
 * The thread starts with the first report over the test's 1 KiB threshold (none before: it is
 * started on demand), and that report waits for it: the thread answers it. A thread that cannot
 * start leaves reports to the event loop, which fails here.
 */
async function firstBigReportOnThread(base: string, token: string, seed: Uint8Array, mba: string) {
  expect(await answered(base)).toBe(0);
  const r = await postReport(base, token, seed, icrBody(mba, await nextIcrNumber(base, token, mba), 20));
  expect(r.status).toBe(201);
  expect(await answered(base)).toBe(1);
}

/**
 * The intake thread (decision 0078), black box against `custos serve`: with
 * CUSTOS_INTAKE_THREAD_KB=1 every report of a kilobyte or more is verified, parsed, validated and
 * stored on the thread, through its own writer connection, while the event loop holds the writer
 * lock for its transaction. What a client sees must be what it sees from the event loop's intake.
 */
describe('custos serve: reports examined and stored on the intake thread', { timeout: 240_000 }, () => {
  let dataDir: string;
  let node: RunningNode;
  let base: string;
  let token: string;
  let seed: Uint8Array;
  const MBA = 'XA-F1';
  const metric = () => answered(base);

  beforeAll(async () => {
    dataDir = tempDir('custos-intake-thread-');
    node = startNode({ dataDir, env: { CUSTOS_INTAKE_THREAD_KB: '1' } });
    base = await node.ready;
    token = tokenOf(dataDir, 'xa-ssac.submitter');
    seed = demoSeedOf(dataDir, 'xa-ssac');
    await firstBigReportOnThread(base, token, seed, MBA);
  });
  afterAll(async () => {
    await node?.kill('SIGTERM');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('accepts and stores a report; it reads back whole, in its MBA, and counts on the metric', async () => {
    const before = await metric();
    const n = await nextIcrNumber(base, token, MBA);
    const body = icrBody(MBA, n, 3_000);
    const r = await postReport(base, token, seed, body);
    expect(r.status).toBe(201);
    expect(r.json.id).toBe(`${MBA}:ICR:${n}`);
    expect(await metric()).toBe(before + 1);
    const read = await fetch(`${base}/api/reports/${encodeURIComponent(`${MBA}:ICR:${n}`)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(read.status).toBe(200);
    const { report } = (await read.json()) as { report: { lines: { batch: string }[] } };
    expect(report.lines).toHaveLength(3_000);
    expect(report.lines[2_999]?.batch).toBe(`R-${n}-3000`);
    const receipt = await fetch(`${base}/api/records/${encodeURIComponent(`${MBA}:ICR:${n}`)}/receipt`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(receipt.status).toBe(200);
  });

  it('refuses what the event loop refuses, with the same codes and a refusal record', async () => {
    const n = await nextIcrNumber(base, token, MBA);
    const body = icrBody(MBA, n, 500);
    const other = icrBody(MBA, n + 1, 500);
    // Signed over other bytes: the signature does not verify.
    const bad = await fetch(`${base}/api/reports`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'custos-signature': (await import('../../src/cli/reports.js')).signatureHeader(seed, other),
      },
      body: Buffer.from(body),
    });
    expect(bad.status).toBe(422);
    const refused = (await bad.json()) as {
      error: { code: string; details: { code: string }[]; rejection?: { id?: string } };
    };
    expect(refused.error.code).toBe('REPORT_INVALID');
    expect(refused.error.details.map((d) => d.code)).toContain('SIGNATURE_INVALID');
    expect(refused.error.rejection?.id).toMatch(/^rejection:/);
    // Stored: nothing of the report.
    const absent = await fetch(`${base}/api/reports/${encodeURIComponent(`${MBA}:ICR:${n}`)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(absent.status).toBe(404);
    // The same number, properly signed, is accepted; then again, refused as a duplicate.
    expect((await postReport(base, token, seed, body)).status).toBe(201);
    const again = await postReport(base, token, seed, body);
    expect(again.status).toBe(422);
    expect(again.json.error?.details?.map((d) => d.code)).toContain('REPORT_DUPLICATE');
  });

  it('takes reports of several MBAs at once, big and small, and none is lost or stored twice', async () => {
    const mbas = ['XA-F1', 'XA-S1', 'XA-R1'];
    const numbers = await Promise.all(mbas.map((m) => nextIcrNumber(base, token, m)));
    // Another state's reports under the kilobyte: on the event loop, while the thread's
    // transactions come and go.
    const xb = { token: tokenOf(dataDir, 'xb-ssac.submitter'), seed: demoSeedOf(dataDir, 'xb-ssac') };
    const small = await nextIcrNumber(base, xb.token, 'XB-E1');
    const before = await metric();
    const oneByOne = async () => {
      const statuses: number[] = [];
      for (let k = 0; k < 5; k++)
        statuses.push((await postReport(base, xb.token, xb.seed, icrBody('XB-E1', small + k, 1))).status);
      return statuses;
    };
    const [smallOnes, ...big] = await Promise.all([
      oneByOne(),
      ...mbas.map((m, i) => postReport(base, token, seed, icrBody(m, numbers[i] as number, 4_000))),
    ]);
    expect(big.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(smallOnes).toEqual([201, 201, 201, 201, 201]);
    expect(await metric()).toBe(before + 3);
    // The node's own audit: every log entry, record and derived figure agrees with the lines.
    await node.kill('SIGTERM');
    const audit = await runCustos(['audit'], { dataDir });
    expect(audit.status, audit.stderr + audit.stdout).toBe(0);
    node = startNode({ dataDir, env: { CUSTOS_INTAKE_THREAD_KB: '1' } });
    base = await node.ready;
  });
});

/**
 * `npm start` and `npx custos` run the TypeScript sources through tsx, whose loader hooks do not
 * reach a worker thread on Node 20: the thread registers tsx itself (intake-thread.ts). One report
 * through the thread of a server started that way.
 */
describe('custos serve from the sources (tsx): the intake thread runs them too', { timeout: 240_000 }, () => {
  it('answers a report on the thread', async () => {
    const dataDir = tempDir('custos-intake-thread-tsx-');
    const node = startNode({
      dataDir,
      env: { CUSTOS_INTAKE_THREAD_KB: '1' },
      entry: ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')],
    });
    try {
      const base = await node.ready;
      await firstBigReportOnThread(
        base,
        tokenOf(dataDir, 'xa-ssac.submitter'),
        demoSeedOf(dataDir, 'xa-ssac'),
        'XA-S1',
      );
    } finally {
      await node.kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
