/**
 * Micro-measurement for the bench target ("parse + validate of 100 000 lines must take
 * well under 400 ms"). Run: npx tsx src/domain/reports/parse.bench.ts
 */
import { formatReportCsv } from './csv.js';
import { parseReportCsv, parseReportJson, validateReport } from './index.js';
import { baseContext, largeIcrJson } from './test-support.js';

const LINES = 100_000;
const ROUNDS = 5;

const value = largeIcrJson(LINES);
const jsonBytes = new TextEncoder().encode(JSON.stringify(value));
const first = parseReportJson(jsonBytes);
if (!first.ok) throw new Error(`bench report does not parse: ${JSON.stringify(first.details.slice(0, 3))}`);
const csvBytes = new TextEncoder().encode(formatReportCsv(first.report));
const ctx = baseContext();

function measure(
  label: string,
  bytes: Uint8Array,
  parse: (b: Uint8Array) => ReturnType<typeof parseReportJson>,
) {
  const parseMs: number[] = [];
  const validateMs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    const r = parse(bytes);
    const t1 = performance.now();
    if (!r.ok) throw new Error(`${label}: ${JSON.stringify(r.details.slice(0, 3))}`);
    const v = validateReport(r.report, ctx);
    const t2 = performance.now();
    if (v.errors.length > 0) throw new Error(`${label}: ${JSON.stringify(v.errors.slice(0, 3))}`);
    parseMs.push(t1 - t0);
    validateMs.push(t2 - t1);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const mb = (bytes.length / 1e6).toFixed(1);
  const heap = (process.memoryUsage().heapUsed / 1e6).toFixed(0);
  console.log(
    `${label.padEnd(5)} ${LINES} lines, ${mb} MB: parse ${median(parseMs).toFixed(0)} ms, validate ${median(validateMs).toFixed(0)} ms (median of ${ROUNDS}; heap ${heap} MB)`,
  );
}

measure('JSON', jsonBytes, parseReportJson);
measure('CSV', csvBytes, parseReportCsv);
