import { rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { recordFigure } from './figures.js';
import {
  DEMO_MBAS,
  demoSeedOf,
  icrBody,
  nextIcrNumber,
  postReport,
  rssKiB,
  sleep,
  startNode,
  tempDir,
  tokenOf,
} from './harness.js';

/**
 * Load (reliability issue 5): 200 concurrent clients on 127.0.0.1 for CUSTOS_LOAD_SECONDS (60 by
 * default) mixing signed submissions (one client per demo MBA), balance reads, line reads, proof
 * reads and open event streams. Zero errors; p99 per route within its budget (FLOOR_MS and
 * P99_MULTIPLE_OF_QUEUE).
 * Memory: submissions stop for the last quarter, so the data no longer grows; under the same read
 * and stream traffic the server's RSS (sampled each second) must then hold (last quarter's peak
 * within 1.25× of the second's and third's). While reports arrive the working set grows with them
 * legitimately (the evaluator caches each MBA's lines), which is why growth is judged on constant
 * data.
 */
const SECONDS = Number(process.env.CUSTOS_LOAD_SECONDS ?? 60);
const CLIENTS = Number(process.env.CUSTOS_LOAD_CLIENTS ?? 200);
const STREAMS = 10;

/**
 * Latency budgets per route, as a floor and a multiple of the run's own queueing time.
 *
 * The clients are a closed loop with no think time, so a request's client-side latency is mostly
 * its wait behind the other 199 (Little's law: latency ≈ clients ÷ throughput); the server's own
 * handling time is judged separately (SERVER_WITHIN_1S, from its histogram). The queueing time of a
 * run is its reads' median (QUEUE): on a machine whose throughput is half, every route's latency
 * doubles, and that is speed — `npm run bench`'s business, not this suite's. What this suite
 * guards is the tail against the queue: no route starves, no stall holds requests back. So a
 * route's client p99 must be within max(FLOOR_MS, its multiple × QUEUE).
 *
 * Measured (RELIABILITY.md): reads' p99 is 1.8–2.2 × their median on every machine seen (245/130
 * ms at 1 404 requests/s, 720/357 ms at 504 requests/s in a clean-clone CI run on 2026-12-07);
 * a submission passes through the loop's queue several times (body, signature check, the intake
 * thread's answer), so its p99 is 3.1–4.5 × the reads' median (598, 486, 894 and 1 604 ms). The
 * multiples leave about 2× over the worst seen. The floor, 1.5 s, is the fixed budget these
 * routes had; it still decides on a fast machine, where the multiples are below it. The CI run
 * above failed that fixed budget with submissions at p99 1 604 ms while the server handled each
 * within 1 s and every read's tail was 2.0 × its median: a slower machine, not a starving route.
 */
const FLOOR_MS = 1500;
const P99_MULTIPLE_OF_QUEUE: Readonly<Record<string, number>> = {
  'GET /api/mbas/:code/balances': 4,
  'GET /api/mbas/:code/lines': 4,
  'GET /log/proof/inclusion': 4,
  'GET /log/checkpoint': 4,
  'POST /api/reports': 9,
};
/** The routes whose median is the run's queueing time: the reads, 97 % of the requests. */
const QUEUE_ROUTES = [
  'GET /api/mbas/:code/balances',
  'GET /api/mbas/:code/lines',
  'GET /log/proof/inclusion',
  'GET /log/checkpoint',
];
const SERVER_WITHIN_1S = 0.99;
/** A route with fewer requests than this says nothing about its tail. */
const MIN_REQUESTS = 10;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/**
 * From the server's Prometheus text: per route, the share of requests the server handled within
 * 0.1 s / 1 s / 5 s (custos_http_request_seconds), and its event-loop delay p99 and max.
 */
function serverSide(metrics: string) {
  const buckets = new Map<string, Map<string, number>>();
  for (const m of metrics.matchAll(
    /^custos_http_request_seconds_bucket\{le="([^"]+)",method="(\w+)",route="([^"]+)"\} (\d+)/gm,
  )) {
    const route = `${m[2]} ${m[3]}`;
    const b = buckets.get(route) ?? new Map<string, number>();
    b.set(m[1] as string, Number(m[4]));
    buckets.set(route, b);
  }
  const handled: Record<
    string,
    { requests: number; within100ms: number; within1s: number; within5s: number }
  > = {};
  for (const [route, b] of buckets) {
    const all = b.get('+Inf') ?? 0;
    if (all < 10) continue;
    const share = (le: string) => Math.round((1000 * (b.get(le) ?? 0)) / all) / 1000;
    handled[route] = { requests: all, within100ms: share('0.1'), within1s: share('1'), within5s: share('5') };
  }
  const gauge = (name: string) => {
    const m = new RegExp(`^${name} ([\\d.e+-]+)`, 'm').exec(metrics);
    return m ? Math.round(Number(m[1]) * 1000) : undefined;
  };
  return {
    handled,
    eventLoopDelayMs: {
      p99: gauge('nodejs_eventloop_lag_p99_seconds'),
      max: gauge('nodejs_eventloop_lag_max_seconds'),
    },
  };
}

describe('load: 200 concurrent clients (sqlite)', () => {
  const dataDir = tempDir();
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(`${CLIENTS} clients for ${SECONDS} s: zero errors, p99 per route within budget, stable memory`, async () => {
    const node = startNode({ dataDir, env: { CUSTOS_CHECKPOINT_MS: '500' } });
    const base = await node.ready;
    const reader = tokenOf(dataDir, 'agency.inspector');
    const latencies = new Map<string, number[]>();
    const errors: string[] = [];
    // Warm-up, outside the budgets: every client opens its keep-alive connection with one request
    // before the clock starts, so the budgets measure the steady state rather than the burst of
    // 200 simultaneous connects to a server still finishing its start-up work (seen in CI: the
    // first 5 s at p99 1.96 s while the server handled every request within 100 ms). The warm-up's
    // own worst time is recorded in the figure so a slow start stays visible; errors in it still
    // fail the test.
    const warmStart = performance.now();
    const warmTimes = await Promise.all(
      Array.from({ length: CLIENTS + STREAMS }, async () => {
        const t0 = performance.now();
        try {
          const res = await fetch(`${base}/healthz`);
          await res.arrayBuffer();
          if (res.status >= 300) errors.push(`warm-up /healthz → ${res.status}`);
        } catch (err) {
          errors.push(`warm-up /healthz → ${(err as Error).message}`);
        }
        return performance.now() - t0;
      }),
    );
    const warmUp = {
      ms: Math.round(performance.now() - warmStart),
      maxMs: Math.round(Math.max(...warmTimes)),
    };
    const started = performance.now();
    // Latency by the 5-s window a request completed in: a stall shows as one window, growth as a trend.
    const windows: number[][] = [];
    const note = (route: string, ms: number) => {
      const l = latencies.get(route) ?? [];
      l.push(ms);
      latencies.set(route, l);
      const w = Math.floor((performance.now() - started) / 5000);
      for (let i = windows.length; i <= w; i++) windows.push([]);
      windows[w]?.push(ms);
    };
    const timed = async (route: string, path: string, init?: RequestInit) => {
      const t0 = performance.now();
      try {
        const res = await fetch(`${base}${path}`, init);
        await res.arrayBuffer();
        if (res.status >= 300) errors.push(`${route} ${path} → ${res.status}`);
      } catch (err) {
        errors.push(`${route} ${path} → ${(err as Error).message}`);
      }
      note(route, performance.now() - t0);
    };
    const auth = { headers: { authorization: `Bearer ${reader}` } };
    const next = new Map<string, number>();
    for (const m of DEMO_MBAS) next.set(m.mba, await nextIcrNumber(base, reader, m.mba));
    let size = 1;

    // Where the time goes: the server's own handling time (its histogram) and event-loop delay,
    // and this client's event-loop delay (the client shares the machine's two cores).
    const clientLoop = monitorEventLoopDelay({ resolution: 20 });
    clientLoop.enable();
    const rss: number[] = [];
    const end = Date.now() + SECONDS * 1000;
    const sampler = (async () => {
      while (Date.now() < end) {
        const kb = rssKiB(node.proc.pid);
        if (kb !== undefined) rss.push(kb);
        try {
          const cp = await fetch(`${base}/log/checkpoint`).then((r) => r.text());
          size = Math.max(1, Number(cp.split('\n')[1] ?? 1));
        } catch {}
        await sleep(1000);
      }
    })();

    let events = 0;
    const streams = Array.from({ length: STREAMS }, async () => {
      const ctl = new AbortController();
      const timer = setTimeout(() => ctl.abort(), SECONDS * 1000);
      try {
        const res = await fetch(`${base}/api/events`, { ...auth, signal: ctl.signal });
        if (res.status !== 200) {
          errors.push(`events → ${res.status}`);
          return;
        }
        const dec = new TextDecoder();
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          events += (dec.decode(chunk).match(/^event: /gm) ?? []).length;
        }
      } catch (err) {
        if ((err as Error).name !== 'AbortError') errors.push(`events → ${(err as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    });

    const submitUntil = end - (SECONDS * 1000) / 4;
    const submitters = DEMO_MBAS.map(async (m) => {
      const token = tokenOf(dataDir, `${m.org}.submitter`);
      const seed = demoSeedOf(dataDir, m.org);
      while (Date.now() < submitUntil) {
        const n = next.get(m.mba) as number;
        const t0 = performance.now();
        try {
          const res = await postReport(base, token, seed, icrBody(m.mba, n, 10));
          if (res.status !== 201)
            errors.push(`submit ${m.mba} #${n} → ${res.status} ${JSON.stringify(res.json).slice(0, 200)}`);
          else next.set(m.mba, n + 1);
        } catch (err) {
          errors.push(`submit → ${(err as Error).message}`);
        }
        note('POST /api/reports', performance.now() - t0);
      }
    });

    const readers = Array.from({ length: CLIENTS - STREAMS - DEMO_MBAS.length }, async (_, i) => {
      let k = i;
      while (Date.now() < end) {
        k = (k * 1103515245 + 12345) % 2147483648;
        // Choices from the generator's high bits: its low bits cycle with short periods (the
        // lowest alternates), which drew the checkpoint route about 1 time in 1 000 instead of 1
        // in 10 and left its p99 resting on its one or two worst requests.
        const hi = Math.floor(k / 65536);
        const mba = DEMO_MBAS[hi % DEMO_MBAS.length]?.mba as string;
        const r = Math.floor(hi / DEMO_MBAS.length) % 10;
        if (r < 4) await timed('GET /api/mbas/:code/balances', `/api/mbas/${mba}/balances`, auth);
        else if (r < 6) await timed('GET /api/mbas/:code/lines', `/api/mbas/${mba}/lines`, auth);
        else if (r < 9)
          await timed('GET /log/proof/inclusion', `/log/proof/inclusion?index=${k % size}&size=${size}`);
        else await timed('GET /log/checkpoint', '/log/checkpoint');
      }
    });

    await Promise.all([sampler, ...submitters, ...readers, ...streams]);
    clientLoop.disable();
    const rssEnd = rssKiB(node.proc.pid);
    const server = serverSide(await fetch(`${base}/metrics`).then((r) => r.text()));
    await node.kill('SIGTERM');

    const routes: Record<string, { requests: number; p50: number; p99: number; max: number }> = {};
    for (const [route, l] of latencies) {
      const sorted = [...l].sort((a, b) => a - b);
      routes[route] = {
        requests: l.length,
        p50: Math.round(percentile(sorted, 50)),
        p99: Math.round(percentile(sorted, 99)),
        max: Math.round(sorted.at(-1) ?? 0),
      };
    }
    const timeline = windows.map((l, i) => {
      const sorted = [...l].sort((a, b) => a - b);
      return {
        fromS: i * 5,
        requests: l.length,
        p99: Math.round(percentile(sorted, 99)),
        max: Math.round(sorted.at(-1) ?? 0),
      };
    });
    const q = Math.floor(rss.length / 4);
    const secondQuarterPeak = Math.max(...rss.slice(q, 2 * q));
    const thirdQuarterPeak = Math.max(...rss.slice(2 * q, 3 * q));
    const lastQuarterPeak = Math.max(...rss.slice(3 * q));
    const total = [...latencies.values()].reduce((n, l) => n + l.length, 0);
    const queueMs = Math.round(
      percentile(
        QUEUE_ROUTES.flatMap((r) => latencies.get(r) ?? []).sort((a, b) => a - b),
        50,
      ),
    );
    recordFigure('load-sqlite', {
      seconds: SECONDS,
      clients: CLIENTS,
      eventStreams: STREAMS,
      requests: total,
      requestsPerSecond: Math.round(total / SECONDS),
      warmUp,
      queueMs,
      errors: errors.length,
      firstErrors: errors.slice(0, 5),
      eventsReceived: events,
      routes,
      timeline,
      server,
      clientEventLoopDelayMs: {
        p99: Math.round(clientLoop.percentile(99) / 1e6),
        max: Math.round(clientLoop.max / 1e6),
      },
      rssMiB: {
        start: Math.round((rss[0] ?? 0) / 1024),
        secondQuarterPeak: Math.round(secondQuarterPeak / 1024),
        thirdQuarterPeak: Math.round(thirdQuarterPeak / 1024),
        lastQuarterPeak: Math.round(lastQuarterPeak / 1024),
        end: Math.round((rssEnd ?? 0) / 1024),
      },
    });
    expect(errors.slice(0, 10)).toEqual([]);
    const breaches = Object.entries(P99_MULTIPLE_OF_QUEUE).flatMap(([route, multiple]) => {
      const budget = Math.max(FLOOR_MS, Math.round(multiple * queueMs));
      const client = routes[route];
      const handled = server.handled[route];
      const out: string[] = [];
      if (client === undefined || client.requests < MIN_REQUESTS) {
        out.push(`${route}: ${client?.requests ?? 0} requests, fewer than ${MIN_REQUESTS}`);
      } else if (client.p99 > budget) {
        out.push(
          `${route}: p99 ${client.p99} ms over its ${budget} ms budget (max of ${FLOOR_MS} ms and ${multiple} × the reads' median ${queueMs} ms)`,
        );
      }
      if (handled === undefined) out.push(`${route}: missing from the server's histogram`);
      else if (handled.within1s < SERVER_WITHIN_1S) {
        out.push(
          `${route}: the server handled ${handled.within1s * 100} % within 1 s (< ${SERVER_WITHIN_1S * 100} %)`,
        );
      }
      return out;
    });
    expect(breaches).toEqual([]);
    expect(total).toBeGreaterThan(CLIENTS);
    // Held: the last quarter's peak within 1.25× of the peak the same traffic already reached
    // (RSS swings with the collector's timing: a third quarter at 228 MiB after a second at 268
    // failed a last quarter at 285 — below both runs' highs; a leak passes every earlier peak).
    expect(lastQuarterPeak).toBeLessThanOrEqual(Math.max(secondQuarterPeak, thirdQuarterPeak) * 1.25);
    expect(events).toBeGreaterThan(0);
  });
});
