/**
 * Issue 4 performance, one format per process so that its peak RSS is its own:
 * `node --import tsx bench/reports.bench.ts json|csv [--quick]`. A demo world (createTestApp), an
 * INITIAL report for XA-F1, then one signed ICR of one calendar month (receipts RD of unique
 * batches, KMP A, element E) submitted through app.inject: verified, validated, stored, logged and
 * acknowledged (201). Then, as references, the cost of merely parsing and hashing the same bytes.
 */
import { hash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { signatureHeader } from '../src/cli/reports.js';
import { formatReportCsv, parseReportCsv, parseReportJson } from '../src/domain/reports/index.js';
import { bearer, createTestApp } from '../tests/fixtures/app.js';
import { demoSeed, icr, initialReport, submit } from '../tests/fixtures/reports.js';
import { emit, type Figure, log, median } from './lib.js';

const build = process.argv[2] === 'build';
const args = build ? process.argv.slice(3) : process.argv.slice(2);
const format = args[0] === 'csv' ? 'csv' : 'json';
/** The body is built by a separate process (`build <format> <file>`) so that the generator's
 * garbage does not count in the submitting process's peak memory. */
const bodyFile = args[1]?.startsWith('--') ? undefined : args[1];
const quick = process.argv.includes('--quick');
const LINES = quick ? 5_000 : 100_000;
const S = 'reports';
const label = format.toUpperCase();

/**
 * Dates follow the fixture's INITIAL report (its PIT may move): the ICR covers the month after the
 * PIT's month, and the clock stands on the 5th of the month after that.
 */
function months(): { month: string; today: string } {
  const pit = (initialReport() as { pit: string }).pit;
  const [y, m] = pit.split('-').map(Number) as [number, number];
  const at = (k: number) => {
    const d = new Date(Date.UTC(y, m - 1 + k, 1));
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  };
  return { month: at(1), today: `${at(2)}-05T10:00:00Z` };
}

function icrLines(n: number, month: string): object[] {
  const lines: object[] = new Array(n);
  for (let i = 0; i < n; i++) {
    lines[i] = {
      line: i + 1,
      date: `${month}-${String((i % 28) + 1).padStart(2, '0')}`,
      code: 'RD',
      batch: `B-${i}`,
      kmp: 'A',
      element: 'E',
      weight: 125000.5 + (i % 1000),
      fissileWeight: 4500.25,
      isotope: 'G',
      basis: 'M',
      form: 'U2',
      counterpart: { state: 'XA', mba: 'XA-S1' },
    };
  }
  return lines;
}

function bodyBytes(): Uint8Array {
  const { month } = months();
  const json = new TextEncoder().encode(JSON.stringify(icr(1, month, icrLines(LINES, month))));
  if (format === 'json') return json;
  const parsed = parseReportJson(json);
  if (!parsed.ok) throw new Error(`bench ICR does not parse: ${JSON.stringify(parsed.details.slice(0, 3))}`);
  return new TextEncoder().encode(formatReportCsv(parsed.report));
}

/**
 * Engine at service level, end to end from the store (src/services/evaluation): the balances of
 * XA-F1 right after the big ICR (cold: the world is loaded and evaluated), again (cached), then
 * after one more small ICR (re-evaluation after one new ICR). Skipped with a note while that
 * service or its route is not there.
 */
async function serviceEvaluation(t: Awaited<ReturnType<typeof createTestApp>>): Promise<Figure[]> {
  const E = 'engine';
  const url = '/api/mbas/XA-F1/balances?element=E';
  const headers = bearer(t.token('xa-ssac.reviewer'));
  const timed = async () => {
    const t0 = performance.now();
    const r = await t.app.inject({ method: 'GET', url, headers });
    if (r.statusCode !== 200) throw new Error(`GET ${url} answered ${r.statusCode}: ${r.body.slice(0, 200)}`);
    return performance.now() - t0;
  };
  try {
    const cold = await timed();
    const warm = await timed();
    const { month } = months();
    const [y, m] = month.split('-').map(Number) as [number, number];
    const next = new Date(Date.UTC(y, m, 1));
    const nextMonth = `${next.getUTCFullYear()}-${String(next.getUTCMonth() + 1).padStart(2, '0')}`;
    // A new day first (the clock moves on a month, so the 100 000 receipts pass their grace period
    // and become unmatched), measured on its own; then one-line ICRs, each followed by the GET.
    t.clock.current = new Date(Date.UTC(y, m + 1, 5, 10));
    const newDay = await timed();
    const afterIcr: number[] = [];
    for (let n = 2; n <= 6; n++) {
      const one = icrLines(1, nextMonth).map((l) => ({ ...l, batch: `B-NEXT-${n}` }));
      const res = await submit(t, 'xa-ssac.submitter', icr(n, nextMonth, one));
      if (res.statusCode !== 201) throw new Error(`ICR ${n} refused: ${res.body.slice(0, 300)}`);
      afterIcr.push(await timed());
    }
    const after = median(afterIcr);
    log(
      `  service evaluation: cold ${cold.toFixed(0)} ms, cached ${warm.toFixed(1)} ms, new day ${newDay.toFixed(0)} ms, after one ICR ${afterIcr.map((x) => x.toFixed(0)).join('/')} ms`,
    );
    const size = `demo world + ${LINES.toLocaleString('en')}-line ICR in the store`;
    return [
      {
        section: E,
        name: `Service level, from the store: GET balances of XA-F1, first call (${size})`,
        value: cold,
        unit: 'ms',
        note: 'loads and evaluates the whole world (matching crosses states); no target set',
      },
      { section: E, name: 'Service level: the same GET again (cached world)', value: warm, unit: 'ms' },
      {
        section: E,
        name: `Service level: the same GET on a new day (${size})`,
        value: newDay,
        unit: 'ms',
        note: 'the clock moves on a month: the 100 000 receipts pass their grace period, 100 000 TRANSFER_UNMATCHED alarms appear; no target set',
      },
      {
        section: E,
        name: `Service level: re-evaluation after one new ICR (GET balances after a 1-line ICR; ${size})`,
        value: after,
        unit: 'ms',
        target: { op: '<=', value: 50 },
        note: `median of 5 (one-line ICRs 2–6, each followed by the GET): ${afterIcr.map((x) => x.toFixed(0)).join(', ')} ms; incremental since docs/decisions/0006`,
      },
    ];
  } catch (err) {
    return [
      {
        section: E,
        name: 'Service-level evaluation from the store',
        value: undefined,
        unit: 'ms',
        note: `not measured: ${String(err).slice(0, 200)}`,
      },
    ];
  }
}

async function main() {
  const figures: Figure[] = [];
  const t = await createTestApp('sqlite', { demo: true });
  t.clock.current = new Date(months().today);
  const init = await submit(t, 'xa-ssac.submitter', initialReport());
  if (init.statusCode !== 201) throw new Error(`INITIAL refused: ${init.body}`);

  let body: Uint8Array | undefined = bodyFile ? new Uint8Array(readFileSync(bodyFile)) : bodyBytes();
  const size = body.length;
  // The client signs before uploading; that is not the server's time.
  const headers = {
    ...bearer(t.token('xa-ssac.submitter')),
    'content-type': format === 'csv' ? 'text/csv' : 'application/json',
    'custos-signature': signatureHeader(demoSeed(t, 'xa-ssac'), body),
  };
  const payload = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const res = await t.app.inject({ method: 'POST', url: '/api/reports', headers, payload });
  const ms = performance.now() - t0;
  const peakKb = process.resourceUsage().maxRSS;
  if (res.statusCode !== 201) throw new Error(`ICR refused (${res.statusCode}): ${res.body.slice(0, 500)}`);
  const ack = res.json() as { id: string; logIndex: number };
  const stored = await t.ports.db.kysely
    .selectFrom('report_lines')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('report_id', '=', ack.id)
    .executeTakeFirstOrThrow();
  if (Number(stored.n) !== LINES) throw new Error(`stored ${stored.n} lines of ${LINES}`);
  log(
    `  ${label}: ${LINES} lines (${(size / 1e6).toFixed(1)} MB) accepted in ${ms.toFixed(0)} ms, log index ${ack.logIndex}, peak RSS ${(peakKb / 1024).toFixed(0)} MB`,
  );
  const n = LINES.toLocaleString('en');
  figures.push({
    section: S,
    name: `Signed ${n}-line ICR (${label}, ${(size / 1e6).toFixed(1)} MB): verified, validated, stored, logged, acknowledged`,
    value: ms,
    unit: 'ms',
    target: { op: '<=', value: 2000 },
    note: `201 with log index ${ack.logIndex}; ${LINES} lines stored; app.inject on SQLite WAL+FULL`,
  });
  figures.push({
    section: S,
    name: `Peak memory (max RSS of the submitting process: demo world, app, the ${label} body and its submission)`,
    value: peakKb / 1024,
    unit: 'MB',
    target: { op: '<=', value: 500 },
    note: `RSS just before the request ${(rssBefore / 1048576).toFixed(0)} MB`,
  });
  figures.push({
    section: S,
    name: `${label} submission throughput`,
    value: LINES / (ms / 1000),
    unit: 'lines/s',
  });

  if (format === 'json') figures.push(...(await serviceEvaluation(t)));

  // References on the same bytes: parse alone and SHA-256 alone (median of 3).
  const parse = format === 'csv' ? parseReportCsv : parseReportJson;
  const parseMs: number[] = [];
  const hashMs: number[] = [];
  for (let i = 0; i < 3; i++) {
    let p = performance.now();
    const r = parse(body);
    parseMs.push(performance.now() - p);
    if (!r.ok) throw new Error('reference parse failed');
    p = performance.now();
    hash('sha256', body, 'buffer');
    hashMs.push(performance.now() - p);
  }
  body = undefined;
  const parseMed = median(parseMs);
  const hashMed = median(hashMs);
  log(`  ${label}: parse ${parseMed.toFixed(0)} ms, SHA-256 ${hashMed.toFixed(1)} ms`);
  figures.push({
    section: S,
    name: `Reference: ${format === 'csv' ? 'parseReportCsv' : 'parseReportJson'} alone, same file`,
    value: LINES / (parseMed / 1000),
    unit: 'lines/s',
    note: `${parseMed.toFixed(0)} ms`,
  });
  figures.push({
    section: S,
    name: `Reference: SHA-256 of the same file`,
    value: LINES / (hashMed / 1000),
    unit: 'lines/s',
    note: `${hashMed.toFixed(1)} ms`,
  });
  figures.push({
    section: S,
    name: `Ratio: ${label} full submission time / parse-only time`,
    value: ms / parseMed,
    unit: '×',
  });
  await t.close();
  emit(figures);
}

(build ? Promise.resolve().then(() => writeFileSync(bodyFile as string, bodyBytes())) : main()).catch(
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
