/**
 * Issue 18's targets, measured against a real server (`custos serve` in its own process, SQLite
 * WAL + synchronous=FULL, Mosquitto on 127.0.0.1:1883):
 * - HTTP ingest: signed batches of 100 events from 64 devices at once, each device in order
 *   (its next batch after the answer to the last), every batch verified, chained, committed and
 *   logged before its 201;
 * - MQTT ingest: the same batches published with QoS 1 through Mosquitto; counted once committed;
 * - CoK alarm latency: seal-open batches during the HTTP load (alarm committed with the batch: from
 *   sending to the answer), and devices that go silent during the load (from the moment their
 *   heartbeat was due — heartbeat + tolerance after their last event — to the alarm's raised_at);
 * - with --memory: N devices heartbeating every 10 s for M minutes (flags --devices, --minutes),
 *   the server's peak resident memory, missed and false alarms.
 */

import { readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { GENESIS_PREV, type SignedBatch, signBatch } from '../src/domain/monitoring/index.js';
import {
  type LoadDevice,
  loadDevices,
  postBatch,
  publishBatch,
  registerDevices,
  signChain,
} from '../tests/reliability/device-load.js';
import { openNodeDb, rssKiB, startNode, tempDir } from '../tests/reliability/harness.js';
import { emit, type Figure, log, percentile, sleep } from './lib.js';

const quick = process.argv.includes('--quick');
const memory = process.argv.includes('--memory');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const BROKER = 'mqtt://127.0.0.1:1883';
const PREFIX = `mon-speed-bench-${process.pid}/devices`;
const PORT = '9401';

async function main(): Promise<void> {
  const dataDir = tempDir('custos-bench-mon-');
  const node = startNode({
    dataDir,
    env: {
      CUSTOS_PORT: PORT,
      CUSTOS_MQTT_URL: BROKER,
      CUSTOS_MQTT_TOPIC_PREFIX: PREFIX,
      CUSTOS_MQTT_CLIENT_ID: `bench-${process.pid}`,
      CUSTOS_DEMO: '1',
    },
  });
  const base = await node.ready;
  const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  const figures: Figure[] = [];
  try {
    if (memory) figures.push(...(await memoryRun(base, token, node.proc.pid, dataDir)));
    else {
      figures.push(...(await httpAndLatency(base, token, dataDir)));
      figures.push(...(await mqttIngest(base, token, dataDir)));
    }
  } finally {
    // Leave no session behind on the shared broker.
    await node.kill('SIGTERM');
    const c = await mqtt.connectAsync(BROKER, {
      protocolVersion: 5,
      clientId: `bench-${process.pid}`,
      clean: true,
    });
    await c.endAsync();
    rmSync(dataDir, { recursive: true, force: true });
  }
  emit(figures);
}

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0];

async function httpAndLatency(base: string, token: string, dataDir: string): Promise<Figure[]> {
  const nDevices = 64;
  const perDevice = quick ? 20 : 160;
  const devices = loadDevices('BH', nDevices);
  await registerDevices(base, token, devices, 3600);
  const from = Date.now() - 30 * 60_000;
  log(`monitoring: signing ${nDevices * perDevice} HTTP batches`);
  const chains = devices.map((d) => signChain(d, perDevice + 1, 100, from, 100));
  // Silent devices: one batch each just before the load, heartbeat 2 s, then nothing.
  const silent = loadDevices('BS', 40);
  await registerDevices(base, token, silent, 2);
  // A seal that opens and closes during the load, with no inspection in progress.
  const [seal] = loadDevices('BL', 1) as [LoadDevice];
  await registerDevices(base, token, [seal], 3600, 'seal');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  for (let i = 0; i < nDevices; i++) {
    const r = await postBatch(
      agent,
      base,
      (devices[i] as LoadDevice).id,
      (chains[i] as SignedBatch[])[0] as SignedBatch,
    );
    if (r.status !== 201) throw new Error(`warm-up batch: ${r.status} ${JSON.stringify(r.body)}`);
  }
  const lastHeartbeat = new Map<string, number>();
  for (const d of silent) {
    const t = Date.now();
    const [b] = signChain(d, 1, 1, t, 0);
    const r = await postBatch(agent, base, d.id, b as SignedBatch);
    if (r.status !== 201) throw new Error(`silent device: ${r.status}`);
    lastHeartbeat.set(d.id, t);
  }
  const load0 = load();
  let done = false;
  const sealLatencies: number[] = [];
  const sealLoop = (async () => {
    let prev: string | undefined;
    let seq = 0;
    while (!done) {
      const t = Date.now();
      const b = signSeal(seal, ++seq, prev, t);
      prev = b.hash;
      const r = await postBatch(agent, base, seal.id, b);
      if (r.status !== 201) throw new Error(`seal batch: ${r.status} ${JSON.stringify(r.body)}`);
      if (seq % 2 === 1) sealLatencies.push(Date.now() - t);
      await sleep(50);
    }
  })();
  const t0 = performance.now();
  let refused = 0;
  await Promise.all(
    devices.map(async (d, i) => {
      const chain = chains[i] as SignedBatch[];
      for (let b = 1; b < chain.length; b++) {
        const r = await postBatch(agent, base, d.id, chain[b] as SignedBatch);
        if (r.status !== 201) refused++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  done = true;
  await sealLoop;
  const load1 = load();
  const batches = nDevices * perDevice;
  // Wait for every silent device's alarm (due 4 s after its last event; the timer passes every second).
  await sleep(2000);
  const db = openNodeDb(dataDir);
  const silentAt = new Map<string, number>();
  let sealAlarms = 0;
  try {
    const rows = await db.kysely
      .selectFrom('device_alarms')
      .select(['device', 'code', 'raised_at'])
      .where('code', 'in', ['DEVICE_SILENT', 'SEAL_OPENED'])
      .execute();
    for (const r of rows) {
      if (r.code === 'SEAL_OPENED' && r.device === seal.id) sealAlarms++;
      const last = lastHeartbeat.get(r.device);
      // The first DEVICE_SILENT of each silent device (an observation gap may follow it).
      if (r.code === 'DEVICE_SILENT' && last !== undefined) {
        const latency = Date.parse(r.raised_at) - (last + 4000);
        silentAt.set(r.device, Math.min(silentAt.get(r.device) ?? Number.POSITIVE_INFINITY, latency));
      }
    }
  } finally {
    await db.close();
  }
  const silentLatencies = [...silentAt.values()];
  const note = `${nDevices} devices × ${perDevice} batches of 100 events over HTTP/1.1 keep-alive, each device in order; ${refused} not 201; ${seconds.toFixed(1)} s; load ${load0} → ${load1}`;
  const missedSilent = silent.length - silentLatencies.length;
  return [
    {
      section: 'monitoring',
      name: 'HTTP ingest, signed batches of 100 events (verified, chained, committed, logged before each 201)',
      value: refused === 0 ? (batches * 100) / seconds : undefined,
      unit: 'events/s',
      target: { op: '>=', value: 50_000 },
      note: refused === 0 ? note : `refusals: ${note}`,
    },
    {
      section: 'monitoring',
      name: 'CoK alarm latency p99, batch → alarm (SEAL_OPENED during the HTTP load)',
      value: sealAlarms === sealLatencies.length ? percentile(sealLatencies, 99) / 1000 : undefined,
      unit: 's',
      target: { op: '<=', value: 2 },
      note: `${sealLatencies.length} seal openings, ${sealAlarms} alarms; the alarm commits with its batch: sent → answered`,
    },
    {
      section: 'monitoring',
      name: 'CoK alarm latency p99, missed heartbeat → DEVICE_SILENT (during the HTTP load)',
      value: missedSilent === 0 ? percentile(silentLatencies, 99) / 1000 : undefined,
      unit: 's',
      target: { op: '<=', value: 2 },
      note: `${silent.length} devices with a 2 s heartbeat (tolerance one more) falling silent; ${missedSilent} alarms missing; from the time the alarm was due to its raised_at (timer every 1 s)`,
    },
  ];
}

/** A seal's batch: it opens (odd seq) and closes (even seq), one event each. */
function signSeal(d: LoadDevice, seq: number, prev: string | undefined, t: number): SignedBatch {
  const time = new Date(t).toISOString();
  return signBatch(d.seed, {
    device: d.id,
    seq,
    prev: prev ?? GENESIS_PREV,
    events: [{ time, type: seq % 2 === 1 ? 'seal-open' : 'seal-close' }],
  });
}

async function mqttIngest(base: string, token: string, dataDir: string): Promise<Figure[]> {
  const nDevices = 64;
  const perDevice = quick ? 10 : 80;
  const devices = loadDevices('BM', nDevices);
  await registerDevices(base, token, devices, 3600);
  log(`monitoring: signing ${nDevices * perDevice} MQTT batches`);
  const chains = devices.map((d) => signChain(d, perDevice, 100, Date.now() - 20 * 60_000, 100));
  const client = await mqtt.connectAsync(BROKER, {
    protocolVersion: 5,
    clientId: `bench-pub-${process.pid}`,
  });
  const db = openNodeDb(dataDir);
  const total = nDevices * perDevice;
  const count = async () =>
    Number(
      (
        await db.kysely
          .selectFrom('device_batches')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('device', 'like', 'BM-%')
          .executeTakeFirst()
      )?.n ?? 0,
    );
  const load0 = load();
  const t0 = performance.now();
  try {
    const publishing = Promise.all(
      devices.map(async (d, i) => {
        for (const b of chains[i] as SignedBatch[]) await publishBatch(client, PREFIX, d.id, b);
      }),
    );
    let n = 0;
    const deadline = Date.now() + 600_000;
    while (n < total && Date.now() < deadline) {
      await sleep(50);
      n = await count();
    }
    await publishing;
    const seconds = (performance.now() - t0) / 1000;
    const refusals = await db.kysely
      .selectFrom('device_refusals')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('device', 'like', 'BM-%')
      .executeTakeFirst();
    return [
      {
        section: 'monitoring',
        name: 'MQTT ingest through Mosquitto, signed batches of 100 events (committed before each PUBACK)',
        value: n === total ? (total * 100) / seconds : undefined,
        unit: 'events/s',
        target: { op: '>=', value: 20_000 },
        note: `${nDevices} devices × ${perDevice} batches, QoS 1, 16 server connections in the shared subscription; ${n} of ${total} committed, ${Number(refusals?.n ?? 0)} refusals; ${seconds.toFixed(1)} s; load ${load0} → ${load()}`,
      },
    ];
  } finally {
    await client.endAsync();
    await db.close();
  }
}

/** N devices heartbeating every 10 s for M minutes over HTTP: peak RSS, missed and false alarms. */
async function memoryRun(
  base: string,
  token: string,
  pid: number | undefined,
  dataDir: string,
): Promise<Figure[]> {
  const n = arg('devices', 10_000);
  const minutes = arg('minutes', 10);
  const period = 10_000;
  const devices = loadDevices('BR', n);
  log(`monitoring: registering ${n} devices`);
  await registerDevices(base, token, devices, 10);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const heads = devices.map(() => ({ seq: 0, prev: undefined as string | undefined }));
  const start = Date.now();
  const end = start + minutes * 60_000;
  let peak = 0;
  let sent = 0;
  let failed = 0;
  let lateMax = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssKiB(pid) ?? 0);
  }, 1000);
  // Each device beats at its own phase of the 10 s period.
  let round = 0;
  while (Date.now() < end) {
    const roundStart = start + round * period;
    const queue = devices.map((_, i) => i);
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < queue.length) {
          const i = queue[next++] as number;
          const due = roundStart + Math.floor((i * period) / n);
          const wait = due - Date.now();
          if (wait > 0) await sleep(wait);
          lateMax = Math.max(lateMax, Date.now() - due);
          const d = devices[i] as LoadDevice;
          const h = heads[i] as { seq: number; prev: string | undefined };
          const [b] = signChain(d, 1, 1, Date.now(), 0, h.seq + 1, h.prev);
          const r = await postBatch(agent, base, d.id, b as SignedBatch);
          if (r.status === 201) {
            h.seq++;
            h.prev = (b as SignedBatch).hash;
            sent++;
          } else failed++;
        }
      }),
    );
    round++;
  }
  clearInterval(sampler);
  const db = openNodeDb(dataDir);
  let alarms = 0;
  try {
    const r = await db.kysely
      .selectFrom('device_alarms')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('device', 'like', 'BR-%')
      .executeTakeFirst();
    alarms = Number(r?.n ?? 0);
  } finally {
    await db.close();
  }
  const note = `${n} devices, one heartbeat batch each every 10 s for ${minutes} min over HTTP (${(n / 10).toFixed(0)} batches/s offered); ${sent} accepted, ${failed} not; latest send ${(lateMax / 1000).toFixed(1)} s behind its phase; ${alarms} alarms raised (none expected: a device sending on time must raise none); load ${load()}`;
  return [
    {
      section: 'monitoring',
      name: `${n} devices heartbeating every 10 s for ${minutes} min: server peak RSS`,
      value: peak / 1024,
      unit: 'MB',
      target: { op: '<=', value: 600 },
      note,
    },
    {
      section: 'monitoring',
      name: `${n} devices heartbeating: false alarms`,
      value: alarms,
      unit: '',
      target: { op: '<=', value: 0 },
      note: 'DEVICE_SILENT or other alarms of devices that sent every heartbeat on time (missed alarms: see the silent-device latency figure)',
    },
  ];
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
