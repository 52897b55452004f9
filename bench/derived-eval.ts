/**
 * Evaluation from the derived state (docs/decisions/0010) at a million lines in one MBA, in two
 * processes so the second is a restart that has seen no report:
 *   node --import tsx bench/derived-eval.ts load <dir> [months=10] [lines=100000]
 *   node --import tsx bench/derived-eval.ts eval <dir>
 * `load` submits, through the API (signed, validated, stored, derived), an INITIAL report for
 * XA-F1 and per month one ICR of `lines` lines (half receipts RD from XA-S1 — transfer lines —
 * half discards LD and NL over three KMPs) and a PIL closing the month. `eval` opens the same
 * database and times the first and warm balances, the alarm summary and the state's annual
 * evaluation, with the process's RSS.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { signatureHeader } from '../src/cli/reports.js';
import { loadConfig } from '../src/config/config.js';
import { buildApp } from '../src/server/app.js';
import type { DemoCredential } from '../src/services/demo/seed.js';
import { createLocalEventSink } from '../src/services/events.js';
import { createLogNode } from '../src/services/log/index.js';
import type { Ports } from '../src/services/ports.js';
import { systemRandom } from '../src/services/ports.js';
import { prepareNode } from '../src/services/runtime.js';
import { openSqlite } from '../src/store/db.js';
import { lastDayOf } from '../tests/fixtures/reports.js';
import { ROOT } from './lib.js';

const [mode, dir, monthsArg, linesArg] = process.argv.slice(2);
if ((mode !== 'load' && mode !== 'eval') || dir === undefined) {
  throw new Error('usage: derived-eval.ts load|eval <dir> [months] [lines]');
}
const MONTHS = Number(monthsArg ?? 10);
const LINES = Number(linesArg ?? 100_000);
const TODAY = '2027-03-10T10:00:00Z';

function month(k: number): string {
  const d = new Date(Date.UTC(2026, k, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

async function node() {
  const config = loadConfig(
    {
      CUSTOS_DATA_DIR: dir!,
      CUSTOS_LOG_LEVEL: 'silent',
      CUSTOS_SCRYPT_LOG2N: '10',
      CUSTOS_BODY_LIMIT_MB: '256',
    },
    ROOT,
  );
  const db = openSqlite(join(dir!, 'custos.db'));
  const ports: Ports = {
    db,
    clock: { now: () => new Date(TODAY) },
    random: systemRandom,
    logger: pino({ level: 'silent' }),
    config,
    events: createLocalEventSink(),
  };
  await prepareNode(ports, { demo: true, demoReports: false });
  const log = createLogNode(ports);
  const app = await buildApp({ ...ports, log });
  await app.ready();
  const creds = JSON.parse(readFileSync(join(dir!, 'demo-credentials.json'), 'utf8')) as DemoCredential[];
  const token = (login: string) => creds.find((c) => c.login === login)!.token;
  const close = async () => {
    await app.close();
    await db.close();
  };
  return { ports, app, token, close };
}

const rss = () => Math.round(process.memoryUsage().rss / 1048576);

async function load() {
  const n = await node();
  const seed = new Uint8Array(
    Buffer.from(readFileSync(join(dir!, 'demo-keys', 'xa-ssac.key'), 'utf8').trim(), 'base64'),
  );
  const post = async (body: object) => {
    const bytes = Buffer.from(JSON.stringify(body));
    const t0 = performance.now();
    const res = await n.app.inject({
      method: 'POST',
      url: '/api/reports',
      headers: {
        authorization: `Bearer ${n.token('xa-ssac.submitter')}`,
        'content-type': 'application/json',
        'custos-signature': signatureHeader(seed, bytes),
      },
      payload: bytes,
    });
    if (res.statusCode !== 201) throw new Error(res.body.slice(0, 800));
    return performance.now() - t0;
  };
  const inventory = (type: string, reportNumber: number, pit: string) => ({
    type,
    mba: 'XA-F1',
    reportNumber,
    reportDate: pit,
    pit,
    reportingPerson: 'Bench',
    lineCount: 1,
    lines: [
      {
        line: 1,
        batch: 'INV',
        kmp: 'D',
        element: 'E',
        weight: 9_000_000 + reportNumber,
        fissileWeight: 360_000,
        isotope: 'G',
        basis: 'M',
        form: 'PH',
      },
    ],
  });
  await post(inventory('INITIAL', 1, '2025-12-31'));
  for (let k = 0; k < MONTHS; k++) {
    const m = month(k);
    const lines = new Array(LINES);
    for (let i = 0; i < LINES; i++) {
      const receipt = i % 2 === 0;
      lines[i] = {
        line: i + 1,
        date: `${m}-${String((i % 28) + 1).padStart(2, '0')}`,
        code: receipt ? 'RD' : i % 4 === 1 ? 'LD' : 'NL',
        batch: `B-${k}-${i}`,
        kmp: ['A', 'B', 'C'][i % 3],
        element: 'E',
        weight: 1250.5 + (i % 1000),
        fissileWeight: 45.25,
        isotope: 'G',
        basis: 'M',
        form: 'U2',
        ...(receipt ? { counterpart: { state: 'XA', mba: 'XA-S1' } } : {}),
      };
    }
    const icrMs = await post({
      type: 'ICR',
      mba: 'XA-F1',
      reportNumber: k + 1,
      reportDate: lastDayOf(m),
      period: { from: `${m}-01`, to: lastDayOf(m) },
      reportingPerson: 'Bench',
      lineCount: LINES,
      lines,
    });
    const pilMs = await post(inventory('PIL', k + 1, lastDayOf(m)));
    process.stdout.write(
      `month ${m}: ICR of ${LINES} lines ${Math.round(icrMs)} ms, PIL ${Math.round(pilMs)} ms, stored ${(k + 1) * LINES} lines, RSS ${rss()} MiB\n`,
    );
  }
  await n.close();
}

async function evaluate() {
  const t0 = performance.now();
  const n = await node();
  const started = performance.now() - t0;
  const get = async (url: string) => {
    const t = performance.now();
    const res = await n.app.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${n.token('agency.inspector')}` },
    });
    if (res.statusCode !== 200) throw new Error(res.body.slice(0, 400));
    return { ms: Math.round((performance.now() - t) * 10) / 10, body: res.json() };
  };
  process.stdout.write(`restart: node ready in ${Math.round(started)} ms, RSS ${rss()} MiB\n`);
  const first = await get('/api/mbas/XA-F1/balances?element=E');
  process.stdout.write(
    `first balance after restart: ${first.ms} ms (${first.body.periods.length} periods), RSS ${rss()} MiB\n`,
  );
  const warm: number[] = [];
  for (let i = 0; i < 20; i++) warm.push((await get('/api/mbas/XA-F1/balances?element=E')).ms);
  warm.sort((a, b) => a - b);
  process.stdout.write(`warm balance: median ${warm[10]} ms, RSS ${rss()} MiB\n`);
  const summary = await get('/api/states/XA/evaluation?year=2026');
  process.stdout.write(`state XA annual evaluation: ${summary.ms} ms, RSS ${rss()} MiB\n`);
  const alarms = await get('/api/alarms/summary');
  process.stdout.write(`alarm summary: ${alarms.ms} ms (${alarms.body.total} alarms), RSS ${rss()} MiB\n`);
  process.stdout.write(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB\n`);
  await n.close();
}

await (mode === 'load' ? load() : evaluate());
