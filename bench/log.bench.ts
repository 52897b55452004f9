/**
 * Issue 3 performance: durable sequencing + integration, checkpoint latency, inclusion proofs from
 * storage, tiles over HTTP; reference points: SHA-256 calls/s and merkletreejs. Run by run.ts in
 * its own process (`node --import tsx bench/log.bench.ts [--quick]`), prints BENCH_RESULT.
 */
import { hash } from 'node:crypto';
import { MerkleTree } from 'merkletreejs';
import pino from 'pino';
import { formatTileIndex } from '../src/log/index.js';
import { buildApp } from '../src/server/app.js';
import { createLogNode, type LogNode } from '../src/services/log/index.js';
import type { Ports } from '../src/services/ports.js';
import { appendRecords, type NewRecord } from '../src/services/records.js';
import {
  type BenchNode,
  createBenchNode,
  emit,
  type Figure,
  log,
  percentile,
  runChild,
  sleep,
} from './lib.js';

const quick = process.argv.includes('--quick');
const S = 'log';

const BATCH = 1000;
const WRITERS = 4;
const THROUGHPUT_ENTRIES = quick ? 20_000 : 600_000;
const LATENCY_RATE = 10_000;
const LATENCY_SECONDS = quick ? 3 : 30;
const BREAKDOWN_ENTRIES = quick ? 5_000 : 100_000;
const PROOF_SECONDS = quick ? 1 : 8;
const TILE_SECONDS = quick ? 2 : 10;
const REFERENCE_MS = quick ? 400 : 1500;
const figures: Figure[] = [];

function records(from: number, n: number, at: string): NewRecord[] {
  const out: NewRecord[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const id = `bench-${from + i}`;
    out[i] = {
      kind: 'report',
      id,
      content: { id, type: 'ICR', mba: 'XA-F1', lines: (from + i) % 97, bodySha256: 'ab'.repeat(32) },
      subjectState: 'XA',
      subjectOrg: 'xa-ssac',
      at,
      by: 'bench',
    };
  }
  return out;
}

function appendBatch(ports: Ports, from: number, n: number): Promise<number[]> {
  const batch = records(from, n, ports.clock.now().toISOString());
  return ports.db.kysely.transaction().execute((tx) => appendRecords(tx, ports, batch));
}

/** Sustained durable sequencing + integration until everything is integrated and checkpointed. */
async function throughput(): Promise<{ bench: BenchNode; node: LogNode; size: number }> {
  const bench = await createBenchNode();
  const node = createLogNode(bench.ports);
  const total = THROUGHPUT_ENTRIES;
  let next = 0;
  let writersDone = 0;
  const t0 = performance.now();
  // Writers claim batches from a shared counter; the database serialises their commits (one
  // SQLite writer), each commit fsync'd before the writer moves on.
  const writer = async () => {
    while (next < total) {
      const from = next;
      const n = Math.min(BATCH, total - from);
      next += n;
      await appendBatch(bench.ports, from, n);
    }
    writersDone++;
  };
  const integrator = async () => {
    let passes = 0;
    for (;;) {
      const r = await node.flush(false);
      passes++;
      if (writersDone === WRITERS && r.size === total) break;
      await sleep(1);
    }
    const cp = await node.flush(true);
    return { passes, size: cp.size, checkpoint: cp.checkpoint };
  };
  const [, done] = await Promise.all([Promise.all(Array.from({ length: WRITERS }, writer)), integrator()]);
  const secs = (performance.now() - t0) / 1000;
  const cp = await node.reader.checkpoint();
  if (cp?.size !== total || done.size !== total) throw new Error(`checkpoint covers ${cp?.size} of ${total}`);
  const rate = total / secs;
  log(
    `  throughput: ${total} entries in ${secs.toFixed(2)} s = ${rate.toFixed(0)}/s (${done.passes} integrator passes)`,
  );
  figures.push({
    section: S,
    name: `Durable sequencing + integration (${total.toLocaleString('en')} entries, ${BATCH}/tx, ${WRITERS} writers, until checkpointed)`,
    value: rate,
    unit: 'entries/s',
    target: { op: '>=', value: 20_000 },
  });
  return { bench, node, size: total };
}

/**
 * Where the time goes: the same work with the two halves apart (fresh node): sequencing alone
 * (durable appends, no integrator), then integration alone (folding all of them in, checkpoint).
 */
async function breakdown(): Promise<void> {
  const bench = await createBenchNode();
  const node = createLogNode(bench.ports);
  const total = BREAKDOWN_ENTRIES;
  let t0 = performance.now();
  for (let from = 0; from < total; from += BATCH)
    await appendBatch(bench.ports, from, Math.min(BATCH, total - from));
  const seqRate = total / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  let size = 0;
  while (size < total) size = (await node.flush(false)).size;
  await node.flush(true);
  const intRate = total / ((performance.now() - t0) / 1000);
  log(`  breakdown: sequencing alone ${seqRate.toFixed(0)}/s, integration alone ${intRate.toFixed(0)}/s`);
  figures.push({
    section: S,
    name: `Breakdown: durable sequencing alone (appendRecords, ${BATCH}/tx, no integrator; ${total.toLocaleString('en')} entries)`,
    value: seqRate,
    unit: 'entries/s',
  });
  figures.push({
    section: S,
    name: `Breakdown: integration alone (integrateOnce over those ${total.toLocaleString('en')} entries + checkpoint)`,
    value: intRate,
    unit: 'entries/s',
  });
  await bench.dispose();
}

/** Entry commit → first checkpoint covering it, with the node's own loop at CUSTOS_CHECKPOINT_MS=1000. */
async function checkpointLatency(): Promise<void> {
  const bench = await createBenchNode({ CUSTOS_CHECKPOINT_MS: '1000' });
  const node = createLogNode(bench.ports);
  const pending: { last: number; count: number; committed: number }[] = [];
  const latencies: number[] = [];
  let checkpoints = 0;
  node.onCheckpoint((size) => {
    const now = performance.now();
    checkpoints++;
    while (pending.length > 0 && (pending[0] as { last: number }).last < size) {
      const p = pending.shift() as { last: number; count: number; committed: number };
      for (let i = 0; i < p.count; i++) latencies.push(now - p.committed);
    }
  });
  node.start();
  const t0 = performance.now();
  const end = t0 + LATENCY_SECONDS * 1000;
  let sent = 0;
  // Open loop: every tick, offer what the rate owes so far (in transactions of ≤ BATCH entries).
  while (performance.now() < end) {
    const due = Math.floor(((performance.now() - t0) / 1000) * LATENCY_RATE) - sent;
    for (let left = due; left > 0; ) {
      const n = Math.min(BATCH, left);
      const ix = await appendBatch(bench.ports, sent, n);
      pending.push({ last: ix[ix.length - 1] as number, count: n, committed: performance.now() });
      sent += n;
      left -= n;
    }
    await sleep(10);
  }
  const offeredSecs = (performance.now() - t0) / 1000;
  const wait = performance.now();
  while (pending.length > 0 && performance.now() - wait < 10_000) await sleep(20);
  await node.stop();
  const p99 = percentile(latencies, 99);
  const p50 = percentile(latencies, 50);
  const max = percentile(latencies, 100);
  log(
    `  latency: ${sent} offered in ${offeredSecs.toFixed(1)} s (${(sent / offeredSecs).toFixed(0)}/s), ${checkpoints} checkpoints, p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, max ${max.toFixed(0)} ms, ${pending.length} uncovered`,
  );
  figures.push({
    section: S,
    name: `Checkpoint latency p99 (commit → first covering checkpoint, ${LATENCY_RATE.toLocaleString('en')} entries/s offered for ${LATENCY_SECONDS} s, CUSTOS_CHECKPOINT_MS=1000)`,
    value: pending.length > 0 ? Number.POSITIVE_INFINITY : p99,
    unit: 'ms',
    target: { op: '<=', value: 1500 },
    note: `achieved ${(sent / offeredSecs).toFixed(0)} entries/s; p50 ${p50.toFixed(0)} ms, max ${max.toFixed(0)} ms; ${checkpoints} checkpoints`,
  });
  await bench.dispose();
}

function lcg(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s % n;
  };
}

async function inclusionProofs(node: LogNode, size: number): Promise<number> {
  const pick = lcg(7);
  let done = 0;
  // Warm-up (statement cache, JIT), then a fixed wall-clock window with a few concurrent callers.
  for (let i = 0; i < 500; i++) await node.reader.inclusionProof(pick(size), size);
  const t0 = performance.now();
  const end = t0 + PROOF_SECONDS * 1000;
  const caller = async () => {
    while (performance.now() < end) {
      const hashes = await node.reader.inclusionProof(pick(size), size);
      if (hashes.length === 0) throw new Error('empty inclusion proof');
      done++;
    }
  };
  await Promise.all(Array.from({ length: 4 }, caller));
  const rate = done / ((performance.now() - t0) / 1000);
  log(`  inclusion proofs: ${done} in ${PROOF_SECONDS} s = ${rate.toFixed(0)}/s`);
  figures.push({
    section: S,
    name: `Inclusion proofs from storage (LogReader.inclusionProof, tree of ${size.toLocaleString('en')})`,
    value: rate,
    unit: 'proofs/s',
    target: { op: '>=', value: 20_000 },
  });
  return rate;
}

async function tilesOverHttp(bench: BenchNode, node: LogNode, size: number): Promise<void> {
  // The product's default log level (info), written away: any per-request logging is counted.
  const logger = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
  const app = await buildApp({ ...bench.ports, logger, log: node });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const fullTiles = Math.floor(size / 256);
  const probe = await fetch(`${address}/log/tile/0/${formatTileIndex(fullTiles - 1)}`);
  const body = new Uint8Array(await probe.arrayBuffer());
  if (probe.status !== 200 || body.length !== 256 * 32)
    throw new Error(`tile probe answered ${probe.status} with ${body.length} bytes`);
  // The load generator runs in its own process so that it does not share the server's event loop.
  const out = await runChild('bench/tile-load.ts', [address, String(fullTiles), String(TILE_SECONDS), '50']);
  await app.close();
  const line = out.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`tile load generator failed: ${out.stderr.slice(-300)}`);
  const r = JSON.parse(line) as {
    rps: number;
    non2xx: number;
    errors: number;
    p99: number;
    total: number;
    bytesPerResponse: number;
  };
  log(`  tiles: ${r.rps.toFixed(0)} req/s, p99 ${r.p99} ms, ${r.non2xx} non-2xx, ${r.errors} errors`);
  const clean = r.non2xx === 0 && r.errors === 0;
  figures.push({
    section: S,
    name: `Tile requests over HTTP (GET /log/tile/0/<N>, full tiles, 50 connections, autocannon in a separate process)`,
    value: clean ? r.rps : 0,
    unit: 'req/s',
    target: { op: '>=', value: 5_000 },
    note: `p99 latency ${r.p99} ms; ${r.total} requests, ${r.bytesPerResponse.toFixed(0)} bytes each; ${r.non2xx} non-2xx, ${r.errors} errors${clean ? '' : ' (counted as failure)'}`,
  });
}

function shaCallsPerSecond(bytes: number): number {
  const input = Buffer.alloc(bytes, 7);
  for (let i = 0; i < 100_000; i++) hash('sha256', input, 'buffer');
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < REFERENCE_MS) {
    for (let i = 0; i < 10_000; i++) hash('sha256', input, 'buffer');
    n += 10_000;
    t = performance.now();
  }
  return n / ((t - t0) / 1000);
}

async function references(bench: BenchNode, size: number, ourProofs: number, ourRate: number) {
  const sha32 = shaCallsPerSecond(32);
  const sha64 = shaCallsPerSecond(64);
  log(`  sha256: ${sha32.toFixed(0)}/s (32 B), ${sha64.toFixed(0)}/s (64 B)`);
  figures.push({
    section: S,
    name: 'Reference: Node SHA-256 (crypto.hash) on 32-byte inputs',
    value: sha32,
    unit: 'calls/s',
  });
  figures.push({
    section: S,
    name: 'Reference: Node SHA-256 (crypto.hash) on 64-byte inputs',
    value: sha64,
    unit: 'calls/s',
  });
  // An appended entry costs at least 3 SHA-256 calls (salted commitment, leaf hash, ~1 interior
  // node on average): the hashing ceiling is ~sha64/3 entries/s on one core.
  figures.push({
    section: S,
    name: 'Ratio: durable sequencing + integration / SHA-256 ceiling (64-byte calls/s ÷ 3 per entry)',
    value: ourRate / (sha64 / 3),
    unit: '×',
  });

  // merkletreejs over the very same leaves (read back from storage).
  const rows = await bench.ports.db.kysely.selectFrom('log_entries').select('leaf').orderBy('idx').execute();
  const leaves = rows.map((r) => Buffer.from(r.leaf));
  const sha = (d: Buffer) => hash('sha256', d, 'buffer');
  const t0 = performance.now();
  const tree = new MerkleTree(leaves, sha, { hashLeaves: true });
  const buildSecs = (performance.now() - t0) / 1000;
  const buildRate = size / buildSecs;
  const leafHashes = tree.getLeaves();
  const pick = lcg(11);
  let n = 0;
  const p0 = performance.now();
  while (performance.now() - p0 < REFERENCE_MS) {
    for (let i = 0; i < 100; i++) {
      const ix = pick(size);
      tree.getProof(leafHashes[ix] as Buffer, ix);
    }
    n += 100;
  }
  const proofRate = n / ((performance.now() - p0) / 1000);
  log(
    `  merkletreejs: build ${size} leaves in ${buildSecs.toFixed(2)} s, ${proofRate.toFixed(0)} proofs/s (in memory)`,
  );
  figures.push({
    section: S,
    name: `Reference: merkletreejs builds the same ${size.toLocaleString('en')}-leaf tree in memory`,
    value: buildRate,
    unit: 'leaves/s',
    note: `${buildSecs.toFixed(2)} s, no storage, no fsync`,
  });
  figures.push({
    section: S,
    name: 'Reference: merkletreejs getProof on that tree (in memory)',
    value: proofRate,
    unit: 'proofs/s',
  });
  figures.push({
    section: S,
    name: 'Ratio: durable sequencing + integration / merkletreejs in-memory build',
    value: ourRate / buildRate,
    unit: '×',
  });
  figures.push({
    section: S,
    name: 'Ratio: inclusion proofs from storage / merkletreejs in-memory proofs',
    value: ourProofs / proofRate,
    unit: '×',
  });
}

async function main() {
  log(`log benchmarks${quick ? ' (quick)' : ''}`);
  const { bench, node, size } = await throughput();
  const ourRate = figures[0]?.value ?? Number.NaN;
  const proofs = await inclusionProofs(node, size);
  await tilesOverHttp(bench, node, size);
  await references(bench, size, proofs, ourRate);
  await bench.dispose();
  await breakdown();
  await checkpointLatency();
  emit(figures);
}

main().catch((err: unknown) => {
  console.error(err);
  emit(figures);
  process.exit(1);
});
