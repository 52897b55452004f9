import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { hashBatch, type SignedBatch } from '../../src/domain/monitoring/index.js';
import type { Db } from '../../src/store/db.js';
import { testMqttUrl } from '../fixtures/mqtt.js';
import {
  type LoadDevice,
  loadDevices,
  postBatch,
  publishBatch,
  registerDevices,
  signChain,
} from './device-load.js';
import {
  freshPgDatabase,
  type NodeSpec,
  openNodeDb,
  patience,
  type RunningNode,
  reliabilityDialects,
  requirePgUrl,
  runCustos,
  seededRandom,
  sleep,
  startNode,
  tempDir,
} from './harness.js';

/**
 * Monitoring ingest under crashes and scale-out (issue 18 reliability, decision 0037), with real
 * processes and the shared Mosquitto on 127.0.0.1:1883 (topics under a prefix of this run's own):
 * - 12 SIGKILLs of the server while devices send over HTTP and MQTT: every batch answered 201/200
 *   (HTTP) or published (MQTT, the broker keeps it until Custos acknowledges after its commit) is
 *   stored once, chains intact, one log record per batch, `custos audit` passes;
 * - two servers on one PostgreSQL database sharing the topics through `$share/custos/…`: every
 *   batch applied once, whichever server took it.
 */
const BROKER = testMqttUrl();
/**
 * This run's own client ids and topics on the shared broker: a run killed before its afterAll
 * leaves sessions (kept a day) behind, and a later run in a fresh container may get the same pid.
 */
const RUN = `${process.pid}-${randomBytes(3).toString('hex')}`;
const KILLS = 12;
/** How far an MQTT device here runs ahead of what Custos has stored (see the publishers). */
const AHEAD = 200;

async function tokenOf(dataDir: string): Promise<string> {
  return readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
}

/** Every device's stored chain: seqs 1..n, each prev the hash of the batch before, one log record each. */
async function checkChains(
  db: Db,
  devices: readonly LoadDevice[],
  count: (id: string) => number,
): Promise<void> {
  for (const d of devices) {
    const n = count(d.id);
    const rows = await db.kysely
      .selectFrom('device_batches')
      .select(['seq', 'prev', 'hash', 'bytes', 'log_index'])
      .where('device', '=', d.id)
      .orderBy('seq')
      .execute();
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    let prev = '0'.repeat(64);
    for (const r of rows) {
      expect(r.prev).toBe(prev);
      expect(hashBatch(new Uint8Array(r.bytes))).toBe(r.hash);
      prev = r.hash;
    }
    const records = await db.kysely
      .selectFrom('records')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('kind', '=', 'device-batch')
      .where('id', 'like', `device-batch:${d.id}:%`)
      .executeTakeFirst();
    expect(Number(records?.n)).toBe(n);
    const refusals = await db.kysely
      .selectFrom('device_refusals')
      .select(['code', 'details'])
      .where('device', '=', d.id)
      .execute();
    expect(refusals).toEqual([]);
  }
}

/**
 * Waits until every device's chain reaches its expected head; fails as soon as a device that is
 * not there has not moved for `stallMs`, naming it and the batch its chain waits for, instead of
 * waiting out a long deadline (an MQTT chain that stalls after a kill stays stalled).
 */
async function awaitHeads(
  db: Db,
  devices: readonly LoadDevice[],
  expected: (id: string) => number,
  serverOutput: () => string,
  stallMs = patience(30_000),
): Promise<void> {
  const moved = new Map<string, { head: number; at: number }>();
  for (;;) {
    const rows = await db.kysely
      .selectFrom('devices')
      .select(['id', 'head_seq'])
      .where(
        'id',
        'in',
        devices.map((d) => d.id),
      )
      .execute();
    const now = Date.now();
    const behind: string[] = [];
    for (const r of rows) {
      const head = Number(r.head_seq);
      const want = expected(r.id);
      if (head >= want) continue;
      const last = moved.get(r.id);
      if (!last || last.head !== head) moved.set(r.id, { head, at: now });
      else if (now - last.at > stallMs)
        behind.push(`${r.id} stalled at seq ${head} of ${want} (waits for seq ${head + 1})`);
    }
    if (behind.length > 0) {
      // What the server said: a refusal is final over MQTT and strands the rest of the chain.
      const refusals = await db.kysely
        .selectFrom('device_refusals')
        .select(['device', 'seq', 'code', 'details'])
        .where(
          'device',
          'in',
          devices.map((d) => d.id),
        )
        .limit(5)
        .execute();
      const lines = serverOutput()
        .split('\n')
        .filter((l) => /MQTT/.test(l));
      throw new Error(
        [
          `no batch stored for ${stallMs / 1000} s: ${behind.join('; ')}`,
          `refusals: ${JSON.stringify(refusals)}`,
          `the server's MQTT lines (${lines.length}), first and last:`,
          ...lines.slice(0, 5),
          ...lines.slice(-5),
        ].join('\n'),
      );
    }
    if (rows.length === devices.length && rows.every((r) => Number(r.head_seq) >= expected(r.id))) return;
    await sleep(200);
  }
}

/** Forget the server sessions this run left on the shared broker. */
async function forgetSessions(ids: readonly string[]): Promise<void> {
  for (const clientId of ids) {
    const c = await mqtt.connectAsync(BROKER, { protocolVersion: 5, clientId, clean: true });
    await c.endAsync();
  }
}

describe.each(reliabilityDialects())('monitoring ingest survives SIGKILL (%s)', (dialect) => {
  const dataDir = tempDir();
  let drop: (() => Promise<void>) | undefined;
  const run = `${RUN}-${dialect}`;
  const prefix = `mon-speed-rel-${run}/devices`;
  const clientId = `rel-${run}`;
  let node: RunningNode | undefined;
  afterAll(async () => {
    await node?.kill('SIGKILL'); // still running when the test failed
    await drop?.();
    await forgetSessions([clientId, ...Array.from({ length: 3 }, (_, i) => `${clientId}-${i + 1}`)]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`loses no acknowledged batch and applies none twice over ${KILLS} kills, HTTP and MQTT`, async () => {
    let databaseUrl: string | undefined;
    if (dialect === 'postgres') {
      const db = await freshPgDatabase();
      databaseUrl = db.url;
      drop = db.drop;
    }
    const spec: NodeSpec = {
      dataDir,
      databaseUrl,
      env: {
        CUSTOS_MQTT_URL: BROKER,
        CUSTOS_MQTT_TOPIC_PREFIX: prefix,
        CUSTOS_MQTT_CLIENT_ID: clientId,
        CUSTOS_MQTT_CONNECTIONS: '4',
      },
    };
    node = startNode(spec);
    let base = await node.ready;
    const token = await tokenOf(dataDir);
    // Longer than the run: the devices send until the last kill, so every kill hits ingest.
    const perDevice = 2000;
    const httpDevices = loadDevices(`RH${dialect[0]}`, 4);
    const mqttDevices = loadDevices(`RM${dialect[0]}`, 4);
    await registerDevices(base, token, [...httpDevices, ...mqttDevices], 3600);
    const from = Date.now() - 20 * 60_000;
    const chains = new Map<string, SignedBatch[]>();
    // 10 events 50 ms apart: the whole chain lies in the past (events more than 5 minutes
    // ahead of the server's clock are refused, a final answer that strands the rest).
    for (const d of [...httpDevices, ...mqttDevices]) chains.set(d.id, signChain(d, perDevice, 10, from, 50));

    // HTTP devices: the next batch after the answer to the last, the same batch again after a failure.
    const acked = new Map<string, number>(httpDevices.map((d) => [d.id, 0]));
    let agent = new http.Agent({ keepAlive: true });
    let up = true;
    let stopped = false;
    const senders = httpDevices.map(async (d) => {
      const chain = chains.get(d.id) as SignedBatch[];
      while (!stopped) {
        if (!up) {
          await sleep(50);
          continue;
        }
        const seq = (acked.get(d.id) as number) + 1;
        try {
          const r = await postBatch(agent, base, d.id, chain[seq - 1] as SignedBatch);
          expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
          expect(r.body.seq).toBe(seq);
          acked.set(d.id, seq);
        } catch (err) {
          if ((err as Error).name === 'AssertionError') throw err;
          await sleep(50); // the server is down: send the same batch again
        }
      }
    });
    // MQTT devices publish in order, down or not; the broker keeps what Custos has not
    // acknowledged — up to its queue limit per session (Mosquitto's max_queued_messages, 1 000 by
    // default, beyond which it drops QoS 1 messages it has acknowledged to the device: README). A
    // device here runs at most AHEAD batches ahead of what Custos has stored, so the backlog of
    // the restarts stays within that limit on a slow machine.
    const publisher: MqttClient = await mqtt.connectAsync(BROKER, {
      protocolVersion: 5,
      clientId: `pub-${run}`,
    });
    const published = new Map<string, number>(mqttDevices.map((d) => [d.id, 0]));
    const stored = new Map<string, number>(mqttDevices.map((d) => [d.id, 0]));
    const watching = (async () => {
      while (!stopped) {
        if (up)
          for (const d of mqttDevices) {
            try {
              const res = await fetch(`${base}/api/devices/${d.id}/status`, {
                headers: { authorization: `Bearer ${token}` },
              });
              if (res.ok) stored.set(d.id, ((await res.json()) as { lastSeq: number }).lastSeq);
            } catch {
              // the server is down: look again once it is back
            }
          }
        await sleep(200);
      }
    })();
    const publishing = mqttDevices.map(async (d) => {
      for (const b of chains.get(d.id) as SignedBatch[]) {
        while (!stopped && (published.get(d.id) as number) - (stored.get(d.id) as number) >= AHEAD)
          await sleep(50);
        if (stopped) break;
        await publishBatch(publisher, prefix, d.id, b);
        published.set(d.id, (published.get(d.id) as number) + 1);
        await sleep(20);
      }
    });

    const random = seededRandom(18);
    const total = () => [...acked.values(), ...published.values()].reduce((x, y) => x + y, 0);
    let progress = 0;
    try {
      for (let k = 0; k < KILLS; k++) {
        await sleep(300 + Math.floor(random() * 900));
        // Each kill falls during ingest: batches were answered since the last restart.
        const until = Date.now() + patience(30_000);
        while (total() <= progress && Date.now() < until) await sleep(100);
        expect(total(), `no batch answered in ${patience(30)} s after restart ${k}`).toBeGreaterThan(
          progress,
        );
        progress = total();
        up = false;
        await node.kill('SIGKILL');
        agent.destroy();
        agent = new http.Agent({ keepAlive: true });
        node = startNode(spec);
        base = await node.ready;
        up = true;
      }
      await sleep(500);
    } finally {
      stopped = true; // on a failure too: the senders must not outlive the test
    }
    await Promise.all([...senders, ...publishing, watching]);
    const expected = (id: string) => acked.get(id) ?? published.get(id) ?? 0;
    await publisher.endAsync();
    const db = openNodeDb(dataDir, databaseUrl);
    try {
      await awaitHeads(db, mqttDevices, expected, () => node?.output() ?? '');
      await checkChains(db, [...httpDevices, ...mqttDevices], expected);
    } finally {
      await db.close();
    }
    await node.kill('SIGTERM');
    const audit = await runCustos(['audit'], spec);
    expect(audit.stdout, audit.stderr).toContain('AUDIT OK');
    expect(audit.status).toBe(0);
  });
});

const pgUrl = requirePgUrl();

describe.runIf(pgUrl !== undefined)('two servers on one PostgreSQL share the device topics', () => {
  const dataDir = tempDir();
  let drop: (() => Promise<void>) | undefined;
  const run = `${RUN}-two`;
  const prefix = `mon-speed-rel-${run}/devices`;
  const ids = ['a', 'b'].flatMap((s) => [
    `rel-${run}-${s}`,
    `rel-${run}-${s}-1`,
    `rel-${run}-${s}-2`,
    `rel-${run}-${s}-3`,
  ]);
  afterAll(async () => {
    await drop?.();
    await forgetSessions(ids);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('applies each batch once, whichever server takes it, chains intact', async () => {
    const db0 = await freshPgDatabase();
    drop = db0.drop;
    const spec = (s: string): NodeSpec => ({
      dataDir,
      databaseUrl: db0.url,
      env: {
        CUSTOS_MQTT_URL: BROKER,
        CUSTOS_MQTT_TOPIC_PREFIX: prefix,
        CUSTOS_MQTT_CLIENT_ID: `rel-${run}-${s}`,
        CUSTOS_MQTT_CONNECTIONS: '4',
      },
    });
    const a = startNode(spec('a'));
    const base = await a.ready;
    const b = startNode(spec('b')); // after A has seeded: same keys, same demo world
    await b.ready;
    try {
      const token = await tokenOf(dataDir);
      const perDevice = 80;
      const devices = loadDevices('RT', 6);
      await registerDevices(base, token, devices, 3600);
      const from = Date.now() - 20 * 60_000;
      const publisher = await mqtt.connectAsync(BROKER, { protocolVersion: 5, clientId: `pub-${run}` });
      // Published in order, as fast as the broker takes them: consecutive batches of one device
      // reach both servers.
      await Promise.all(
        devices.map(async (d) => {
          for (const batch of signChain(d, perDevice, 10, from, 500))
            await publishBatch(publisher, prefix, d.id, batch);
        }),
      );
      await publisher.endAsync();
      const db = openNodeDb(dataDir, db0.url);
      try {
        await awaitHeads(
          db,
          devices,
          () => perDevice,
          () => `${a.output()}\n${b.output()}`,
        );
        await checkChains(db, devices, () => perDevice);
      } finally {
        await db.close();
      }
    } finally {
      await a.kill('SIGTERM');
      await b.kill('SIGTERM');
    }
  });
});
