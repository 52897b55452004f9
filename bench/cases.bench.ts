import { performance } from 'node:perf_hooks';
import { isDurableEventSink } from '../src/services/notifications/index.js';
import type { Schema } from '../src/store/schema.types.js';
import { bearer, createTestApp } from '../tests/fixtures/app.js';

export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly target: number;
}

const STATES = ['XA', 'XB', 'XC'] as const;
const MBAS: Record<string, string[]> = {
  XA: ['XA-R1', 'XA-F1', 'XA-S1'],
  XB: ['XB-E1', 'XB-F1'],
  XC: ['XC-R1'],
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

/**
 * Cases issue, "Performance": 10 000 open cases, a state's case list in ≤ 50 ms; one event
 * reaches 1 000 connected SSE clients in ≤ 1 s. SQLite, demo world, in-process server.
 */
export async function benchCases(opts: { quick?: boolean } = {}): Promise<BenchResult[]> {
  const t = await createTestApp('sqlite', { demo: true });
  try {
    const at = t.clock.now().toISOString();
    const rows: Schema['cases'][] = [];
    for (let i = 0; i < 10_000; i++) {
      const state = STATES[i % 3] as string;
      const mbas = MBAS[state] as string[];
      rows.push({
        id: `case_bench_${String(i).padStart(5, '0')}`,
        case_key: `bench:${i}`,
        kind: i % 2 ? 'anomaly' : 'discrepancy',
        state,
        mba: mbas[i % mbas.length] ?? null,
        inspectorate: 'agency',
        title: `bench case ${i}`,
        about: '{}',
        status: 'open',
        due_date: null,
        event_count: 1,
        opened_at: at,
        opened_by: 'bench',
        updated_at: new Date(Date.parse(at) + i * 1000).toISOString(),
      });
    }
    await t.ports.db.kysely.transaction().execute(async (tx) => {
      for (let i = 0; i < rows.length; i += 500)
        await tx
          .insertInto('cases')
          .values(rows.slice(i, i + 500))
          .execute();
    });

    const headers = bearer(t.token('xa-ssac.reviewer'));
    const list = () => t.app.inject({ method: 'GET', url: '/api/cases?limit=50', headers });
    for (let i = 0; i < 3; i++) await list();
    const times: number[] = [];
    for (let i = 0; i < (opts.quick ? 5 : 20); i++) {
      const t0 = performance.now();
      const r = await list();
      times.push(performance.now() - t0);
      if (r.statusCode !== 200 || r.json().total !== 3334)
        throw new Error(`unexpected list answer ${r.statusCode}`);
    }

    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const sink = t.ports.events;
    if (!isDurableEventSink(sink)) throw new Error('bench needs the durable sink');
    const clients = 1000;
    const controller = new AbortController();
    const arrivals: Promise<number>[] = [];
    const token = t.token('agency.inspector');
    for (let i = 0; i < clients; i++) {
      arrivals.push(
        fetch(`${base}/api/events`, { headers: bearer(token), signal: controller.signal }).then(
          async (res) => {
            const reader = (res.body as ReadableStream<Uint8Array>).getReader();
            const decoder = new TextDecoder();
            let text = '';
            for (;;) {
              const { value, done } = await reader.read();
              if (done) throw new Error('stream ended');
              text += decoder.decode(value, { stream: true });
              if (text.includes('\nid: ') || text.startsWith('id: ')) return performance.now();
            }
          },
        ),
      );
    }
    const deadline = Date.now() + 30_000;
    while (sink.subscriberCount() < clients) {
      if (Date.now() > deadline) throw new Error(`only ${sink.subscriberCount()} SSE clients connected`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const t0 = performance.now();
    await sink.publish({ type: 'case.opened', state: 'XA', organisation: null, at, data: { case: 'bench' } });
    const reached = await Promise.all(arrivals);
    const fanOut = Math.max(...reached) - t0;
    controller.abort();
    return [
      {
        name: "cases: a state's case list (10 000 open cases, page of 50), median",
        value: median(times),
        unit: 'ms',
        target: 50,
      },
      {
        name: 'cases: one event reaches 1 000 connected SSE clients',
        value: fanOut,
        unit: 'ms',
        target: 1000,
      },
    ];
  } finally {
    await t.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchCases().then(
    (r) => {
      for (const x of r)
        process.stdout.write(`${x.name}: ${x.value.toFixed(1)} ${x.unit} (target ≤ ${x.target})\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    },
  );
}
