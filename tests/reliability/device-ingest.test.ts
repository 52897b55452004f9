import { readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { hashBatch, type SignedBatch } from '../../src/domain/monitoring/index.js';
import type { Db } from '../../src/store/db.js';
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
const BROKER = 'mqtt://127.0.0.1:1883';
const KILLS = 12;

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

async function countStored(db: Db, prefix: string): Promise<number> {
  const r = await db.kysely
    .selectFrom('device_batches')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('device', 'like', `${prefix}-%`)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
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
  const run = `${process.pid}-${dialect}`;
  const prefix = `mon-speed-rel-${run}/devices`;
  const clientId = `rel-${run}`;
  afterAll(async () => {
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
        CUSTOS_PORT: dialect === 'sqlite' ? '9410' : '9411',
      },
    };
    let node: RunningNode = startNode(spec);
    let base = await node.ready;
    const token = await tokenOf(dataDir);
    // Longer than the run: the devices send until the last kill, so every kill hits ingest.
    const perDevice = 2000;
    const httpDevices = loadDevices(`RH${dialect[0]}`, 4);
    const mqttDevices = loadDevices(`RM${dialect[0]}`, 4);
    await registerDevices(base, token, [...httpDevices, ...mqttDevices], 3600);
    const from = Date.now() - 20 * 60_000;
    const chains = new Map<string, SignedBatch[]>();
    for (const d of [...httpDevices, ...mqttDevices])
      chains.set(d.id, signChain(d, perDevice, 10, from, 500));

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
    // MQTT devices publish everything in order; the broker keeps what Custos has not acknowledged.
    const publisher: MqttClient = await mqtt.connectAsync(BROKER, {
      protocolVersion: 5,
      clientId: `pub-${run}`,
    });
    const published = new Map<string, number>(mqttDevices.map((d) => [d.id, 0]));
    const publishing = mqttDevices.map(async (d) => {
      for (const b of chains.get(d.id) as SignedBatch[]) {
        if (stopped) break;
        await publishBatch(publisher, prefix, d.id, b);
        published.set(d.id, (published.get(d.id) as number) + 1);
        await sleep(20);
      }
    });

    const random = seededRandom(18);
    const total = () => [...acked.values(), ...published.values()].reduce((x, y) => x + y, 0);
    let progress = 0;
    for (let k = 0; k < KILLS; k++) {
      await sleep(300 + Math.floor(random() * 900));
      // Each kill falls during ingest: batches were answered since the last restart.
      expect(total()).toBeGreaterThan(progress);
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
    stopped = true;
    await Promise.all([...senders, ...publishing]);
    const expected = (id: string) => acked.get(id) ?? published.get(id) ?? 0;
    const mqttTotal = [...published.values()].reduce((x, y) => x + y, 0);
    await publisher.endAsync();
    const db = openNodeDb(dataDir, databaseUrl);
    try {
      const deadline = Date.now() + 180_000;
      while ((await countStored(db, `RM${dialect[0]}`)) < mqttTotal && Date.now() < deadline)
        await sleep(200);
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
  const run = `${process.pid}-two`;
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
    const spec = (s: string, port: string): NodeSpec => ({
      dataDir,
      databaseUrl: db0.url,
      env: {
        CUSTOS_MQTT_URL: BROKER,
        CUSTOS_MQTT_TOPIC_PREFIX: prefix,
        CUSTOS_MQTT_CLIENT_ID: `rel-${run}-${s}`,
        CUSTOS_MQTT_CONNECTIONS: '4',
        CUSTOS_PORT: port,
      },
    });
    const a = startNode(spec('a', '9420'));
    const base = await a.ready;
    const b = startNode(spec('b', '9421')); // after A has seeded: same keys, same demo world
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
        const deadline = Date.now() + 180_000;
        while ((await countStored(db, 'RT')) < devices.length * perDevice && Date.now() < deadline)
          await sleep(200);
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
