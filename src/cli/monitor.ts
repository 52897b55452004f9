import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import mqtt, { type MqttClient } from 'mqtt';
import { DomainError, isDomainError } from '../domain/errors.js';
import {
  answerTopic,
  type BatchAnswer,
  batchTopic,
  DEFAULT_TOPIC_PREFIX,
} from '../domain/monitoring/index.js';
import { encodeBase64 } from '../log/index.js';
import { readInputJson } from './files.js';
import { addRemoteOptions, callApi, type RemoteOptions } from './http.js';
import { generateDevices, SimDevice, type SimDeviceSpec, type SimKind } from './monitor-sim.js';

const KINDS: readonly SimKind[] = [
  'seal',
  'camera',
  'radiation-monitor',
  'neutron-monitor',
  'load-cell',
  'gate',
];
const TICK_MS = 100;

interface SimulateOptions extends RemoteOptions {
  devices: string;
  rate: string;
  transport: string;
  mqttUrl: string;
  topicPrefix: string;
  duration: string;
  batchEvents: string;
  heartbeat: string;
  facility: string;
  owner: string[];
  prefix: string;
  devicesFile?: string;
  save?: string;
  offline: string;
  offlineSeconds: string;
  register: boolean;
  concurrency: string;
}

function int(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new DomainError('BAD_REQUEST', `--${name} must be a whole number from ${min} to ${max}`);
  return n;
}

function num(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new DomainError('BAD_REQUEST', `--${name} must be a number from ${min} to ${max}`);
  return n;
}

/** How a batch reaches Custos: resolves when it is acknowledged, rejects with a DomainError when refused. */
type Send = (d: SimDevice, batch: NonNullable<ReturnType<SimDevice['next']>>) => Promise<void>;

function httpSender(opts: RemoteOptions): Send {
  return async (d, b) => {
    await callApi(opts, 'POST', `/api/devices/${encodeURIComponent(d.spec.id)}/batches`, {
      bytes: new Uint8Array(b.bytes),
      contentType: 'application/json',
      headers: { 'custos-signature': b.header },
    });
  };
}

/**
 * Over MQTT the broker's PUBACK only says the broker took the batch; Custos answers each batch on
 * the device's answers topic once it is committed or refused (src/server/mqtt.ts). The
 * simulator listens there, so a refusal stops the device as over HTTP and the run ends only once
 * Custos has answered every batch the broker took.
 */
class MqttAnswers {
  /** Batches the broker took and Custos has not answered yet, per device. */
  readonly unanswered = new Map<string, number>();
  committed = 0;

  constructor(
    private readonly ids: ReadonlySet<string>,
    private readonly refuse: (id: string, error: { code: string; message: string }) => void,
  ) {}

  /** A batch about to be published (+1, before its answer can come) or that the broker refused (-1). */
  count(id: string, delta: 1 | -1): void {
    this.unanswered.set(id, (this.unanswered.get(id) ?? 0) + delta);
  }

  /** One message of `<prefix>/<device>/answers`. */
  take(id: string, payload: Buffer): void {
    if (!this.ids.has(id)) return;
    let a: BatchAnswer;
    try {
      a = JSON.parse(payload.toString('utf8')) as BatchAnswer;
    } catch {
      return;
    }
    this.count(id, -1);
    if (a.result === 'refused') this.refuse(id, a.error);
    else this.committed++;
  }
}

function mqttSender(client: MqttClient, prefix: string, answers: MqttAnswers): Send {
  return async (d, b) => {
    const payload = JSON.stringify({ batch: encodeBase64(b.bytes), signature: b.header });
    // Resolves on the broker's PUBACK: the broker keeps the batch (persistence) until Custos,
    // which acknowledges only after its commit, has taken it; Custos's answer follows on the
    // device's answers topic.
    answers.count(d.spec.id, 1);
    try {
      await client.publishAsync(batchTopic(d.spec.id, prefix), payload, { qos: 1 });
    } catch (err) {
      answers.count(d.spec.id, -1);
      throw new DomainError('UNAVAILABLE', `the broker did not take the batch: ${(err as Error).message}`);
    }
  };
}

/** Connects to the broker and listens to Custos's answers to these devices' batches. */
async function connectMqtt(o: SimulateOptions, answers: MqttAnswers): Promise<MqttClient> {
  const client = await mqtt.connectAsync(o.mqttUrl, { protocolVersion: 5 });
  const prefix = `${o.topicPrefix}/`;
  client.on('message', (topic, payload) => {
    if (!topic.startsWith(prefix) || !topic.endsWith('/answers')) return;
    answers.take(topic.slice(prefix.length, -'/answers'.length), payload);
  });
  await client.subscribeAsync(answerTopic('+', o.topicPrefix), { qos: 1 });
  return client;
}

/**
 * Waits until Custos has answered every batch the broker took for the devices still sending, or
 * until no answer has come for 30 s; answers what is still unanswered.
 */
async function awaitAnswers(answers: MqttAnswers, refused: ReadonlySet<string>): Promise<number> {
  const left = () => {
    let n = 0;
    // An answer published twice (a batch redelivered after a crash) must not hide another.
    for (const [id, v] of answers.unanswered) if (!refused.has(id)) n += Math.max(0, v);
    return n;
  };
  let last = left();
  let since = Date.now();
  while (last > 0 && Date.now() - since < 30_000) {
    await new Promise((r) => setTimeout(r, TICK_MS));
    const now = left();
    if (now < last) since = Date.now();
    last = now;
  }
  return last;
}

async function registerAll(opts: RemoteOptions, devices: readonly SimDevice[]): Promise<void> {
  for (const d of devices) {
    try {
      await callApi(opts, 'POST', '/api/devices', {
        bytes: JSON.stringify(d.registration()),
        contentType: 'application/json',
      });
    } catch (err) {
      // A device from a file may be registered already (a second run); anything else stops here.
      if (!(isDomainError(err) && err.code === 'ALREADY_EXISTS')) throw err;
    }
  }
}

// long: the simulation loop — produce, cut, send in order per device, go offline and come back — reads best whole
async function simulate(o: SimulateOptions): Promise<void> {
  const n = int('devices', o.devices, 1, 100_000);
  const rate = num('rate', o.rate, 0, 100_000);
  const duration = num('duration', o.duration, 0, 7 * 24 * 3600);
  const batchEvents = int('batch-events', o.batchEvents, 1, 10_000);
  const offlineShare = num('offline', o.offline, 0, 1);
  const offlineMs = num('offline-seconds', o.offlineSeconds, 0, 7 * 24 * 3600) * 1000;
  const concurrency = int('concurrency', o.concurrency, 1, 10_000);
  if (o.transport !== 'http' && o.transport !== 'mqtt')
    throw new DomainError('BAD_REQUEST', '--transport must be http or mqtt');
  const specs: SimDeviceSpec[] = o.devicesFile
    ? (readInputJson(o.devicesFile, 'devices file') as SimDeviceSpec[]).slice(0, n)
    : generateDevices(
        n,
        {
          prefix: o.prefix,
          facility: o.facility,
          owners: o.owner,
          heartbeatSeconds: int('heartbeat', o.heartbeat, 1, 86_400),
          kinds: KINDS,
        },
        () => new Uint8Array(randomBytes(32)),
      );
  if (o.save) writeFileSync(o.save, `${JSON.stringify(specs, null, 2)}\n`, { mode: 0o600 });
  const start = Date.now();
  const devices = specs.map((s) => new SimDevice(s, start));
  if (o.register) await registerAll(o, devices);
  const refused = new Set<string>();
  const refuse = (id: string, err: { code: string; message: string }) => {
    if (refused.has(id)) return;
    refused.add(id);
    process.stderr.write(`${id}: ${err.code} ${err.message}\n`);
  };
  const answers = new MqttAnswers(new Set(specs.map((s) => s.id)), refuse);
  const client = o.transport === 'mqtt' ? await connectMqtt(o, answers) : undefined;
  const send = client ? mqttSender(client, o.topicPrefix, answers) : httpSender(o);
  // The run starts once the devices are registered and connected.
  const begin = Date.now();
  // The first `offlineShare` of the devices lose their link for offlineMs from a third of the run.
  const offlineFrom = begin + (duration * 1000) / 3;
  const offline = (i: number, now: number) =>
    i < Math.round(offlineShare * n) && now >= offlineFrom && now < offlineFrom + offlineMs;
  const inFlight = new Set<number>();
  let credit = 0;
  let lastTick = begin;
  const end = begin + duration * 1000;
  const draw = Math.random;
  for (;;) {
    const now = Date.now();
    const producing = now < end;
    if (producing) {
      // By the time that passed, not the ticks: a loaded machine runs fewer, longer ticks.
      credit += (rate * (now - lastTick)) / 1000;
      lastTick = now;
      const events = Math.floor(credit);
      credit -= events;
      for (const d of devices) for (let e = 0; e < events; e++) d.observe(now, draw);
    }
    for (const d of devices) d.cut(producing ? now : Number.POSITIVE_INFINITY, batchEvents);
    devices.forEach((d, i) => {
      const b = d.next();
      if (!b || inFlight.has(i) || inFlight.size >= concurrency || offline(i, now) || refused.has(d.spec.id))
        return;
      inFlight.add(i);
      send(d, b)
        .then(() => d.acknowledge())
        .catch((err: unknown) => {
          // Refused: the chain is this simulator's, so a refusal is a finding to report, not to retry.
          if (isDomainError(err) && err.code !== 'UNAVAILABLE' && err.code !== 'INTERNAL')
            refuse(d.spec.id, err);
        })
        .finally(() => inFlight.delete(i));
    });
    // Done once every device still sending has emptied its queue.
    const waiting = devices.some((d) => d.queue.length > 0 && !refused.has(d.spec.id));
    if (!producing && !waiting && inFlight.size === 0) break;
    if (!producing && now > end + offlineMs + 120_000) break;
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  const unanswered = client ? await awaitAnswers(answers, refused) : 0;
  await client?.endAsync();
  const seconds = (Date.now() - begin) / 1000;
  const produced = devices.reduce((s, d) => s + d.produced, 0);
  const acknowledged = devices.reduce((s, d) => s + d.acknowledged, 0);
  const pending = devices.reduce((s, d) => s + d.queue.length, 0);
  // Over HTTP a batch acknowledged is committed; over MQTT Custos's answers say so.
  const committed = client ? answers.committed : acknowledged;
  process.stdout.write(
    `${JSON.stringify({ devices: n, transport: o.transport, events: produced, batches: acknowledged, committed, pending, unanswered, refused: refused.size, seconds: Math.round(seconds * 10) / 10, eventsPerSecond: Math.round(produced / seconds) })}\n`,
  );
  if (refused.size > 0 || pending > 0 || unanswered > 0)
    throw new DomainError(
      'UNAVAILABLE',
      `${refused.size} device(s) refused, ${pending} batch(es) not acknowledged${unanswered > 0 ? `, ${unanswered} taken by the broker and not answered by Custos (is a node subscribed under --topic-prefix ${o.topicPrefix}?)` : ''}`,
    );
}

/** `custos monitor simulate`: simulated devices over HTTP or MQTT (issue 18 §7). */
export function registerMonitorCommands(program: Command): void {
  const monitor = program.command('monitor').description('remote monitoring devices');
  addRemoteOptions(
    monitor
      .command('simulate')
      .description(
        'simulated devices: each registers, sends signed chained batches at its rate, buffers while offline and uploads its backlog in order',
      )
      .requiredOption('--devices <n>', 'number of devices')
      .requiredOption('--rate <events>', 'events per second per device (heartbeats included)')
      .option('--transport <http|mqtt>', 'how batches travel', 'http')
      .option(
        '--mqtt-url <url>',
        'the broker for --transport mqtt',
        process.env.CUSTOS_MQTT_URL ?? 'mqtt://127.0.0.1:1883',
      )
      .option(
        '--topic-prefix <levels>',
        'the topic levels before <device>/batches (the node’s CUSTOS_MQTT_TOPIC_PREFIX)',
        process.env.CUSTOS_MQTT_TOPIC_PREFIX || DEFAULT_TOPIC_PREFIX,
      )
      .option('--duration <seconds>', 'how long the devices produce events', '10')
      .option('--batch-events <n>', 'events per batch', '100')
      .option('--heartbeat <seconds>', 'heartbeat interval of generated devices', '10')
      .option('--facility <code>', 'facility of generated devices', 'XA-FAB')
      .option('--owner <org...>', 'owning inspectorate(s) of generated devices', ['agency'])
      .option('--prefix <text>', 'id prefix of generated devices', 'SIM')
      .option('--devices-file <file>', 'devices (with their seeds) from a file written by --save')
      .option('--save <file>', 'write the devices with their seeds (mode 0600) to reuse them')
      .option('--offline <share>', 'share of the devices (0-1) that go offline for a while', '0')
      .option('--offline-seconds <s>', 'how long they stay offline', '30')
      .option('--concurrency <n>', 'batches in flight at once', '64')
      .option('--no-register', 'the devices are registered already'),
  ).action(async (o: SimulateOptions) => simulate(o));
}
