import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import mqtt, { type MqttClient } from 'mqtt';
import { DomainError, isDomainError } from '../domain/errors.js';
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

function mqttSender(client: MqttClient): Send {
  return async (d, b) => {
    const payload = JSON.stringify({ batch: encodeBase64(b.bytes), signature: b.header });
    // Resolves on the broker's PUBACK: the broker keeps the batch (persistence) until Custos,
    // which acknowledges only after its commit, has taken it. A device learns of a refusal from
    // its status (GET /api/devices/:id/status), not over MQTT.
    try {
      await client.publishAsync(`custos/devices/${d.spec.id}/batches`, payload, { qos: 1 });
    } catch (err) {
      throw new DomainError('UNAVAILABLE', `the broker did not take the batch: ${(err as Error).message}`);
    }
  };
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
  let client: MqttClient | undefined;
  if (o.transport === 'mqtt') client = await mqtt.connectAsync(o.mqttUrl, { protocolVersion: 5 });
  const send = client ? mqttSender(client) : httpSender(o);
  // The first `offlineShare` of the devices lose their link for offlineMs from a third of the run.
  const offlineFrom = start + (duration * 1000) / 3;
  const offline = (i: number, now: number) =>
    i < Math.round(offlineShare * n) && now >= offlineFrom && now < offlineFrom + offlineMs;
  const inFlight = new Set<number>();
  const refused: string[] = [];
  let credit = 0;
  const end = start + duration * 1000;
  const draw = Math.random;
  for (;;) {
    const now = Date.now();
    const producing = now < end;
    if (producing) {
      credit += (rate * TICK_MS) / 1000;
      const events = Math.floor(credit);
      credit -= events;
      for (const d of devices) for (let e = 0; e < events; e++) d.observe(now, draw);
    }
    for (const d of devices) d.cut(producing ? now : Number.POSITIVE_INFINITY, batchEvents);
    devices.forEach((d, i) => {
      const b = d.next();
      if (
        !b ||
        inFlight.has(i) ||
        inFlight.size >= concurrency ||
        offline(i, now) ||
        refused.includes(d.spec.id)
      )
        return;
      inFlight.add(i);
      send(d, b)
        .then(() => d.acknowledge())
        .catch((err: unknown) => {
          // Refused: the chain is this simulator's, so a refusal is a finding to report, not to retry.
          if (isDomainError(err) && err.code !== 'UNAVAILABLE' && err.code !== 'INTERNAL') {
            refused.push(d.spec.id);
            process.stderr.write(`${d.spec.id}: ${err.code} ${err.message}\n`);
          }
        })
        .finally(() => inFlight.delete(i));
    });
    // Done once every device still sending has emptied its queue.
    const waiting = devices.some((d) => d.queue.length > 0 && !refused.includes(d.spec.id));
    if (!producing && !waiting && inFlight.size === 0) break;
    if (!producing && now > end + offlineMs + 120_000) break;
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  await client?.endAsync();
  const seconds = (Date.now() - start) / 1000;
  const produced = devices.reduce((s, d) => s + d.produced, 0);
  const acknowledged = devices.reduce((s, d) => s + d.acknowledged, 0);
  const pending = devices.reduce((s, d) => s + d.queue.length, 0);
  process.stdout.write(
    `${JSON.stringify({ devices: n, transport: o.transport, events: produced, batches: acknowledged, pending, refused: refused.length, seconds: Math.round(seconds * 10) / 10, eventsPerSecond: Math.round(produced / seconds) })}\n`,
  );
  if (refused.length > 0 || pending > 0)
    throw new DomainError(
      'UNAVAILABLE',
      `${refused.length} device(s) refused, ${pending} batch(es) not acknowledged`,
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
      .option('--duration <seconds>', 'how long the devices produce events', '10')
      .option('--batch-events <n>', 'events per batch', '100')
      .option('--heartbeat <seconds>', 'heartbeat interval of generated devices', '10')
      .option('--facility <code>', 'facility of generated devices', 'XA-F1')
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
