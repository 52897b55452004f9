import http from 'node:http';
import type { MqttClient } from 'mqtt';
import {
  type DeviceEvent,
  GENESIS_PREV,
  type SignedBatch,
  signBatch,
} from '../../src/domain/monitoring/index.js';
import { ed25519PublicKey, encodeBase64 } from '../../src/log/index.js';

/**
 * Monitoring devices for the reliability suites and the benchmarks (issue 18): fixed keys,
 * pre-signed chains of batches, and the two ways of sending them (HTTP, MQTT).
 */

export interface LoadDevice {
  readonly id: string;
  readonly seed: Uint8Array;
}

export function loadDevices(prefix: string, n: number): LoadDevice[] {
  return Array.from({ length: n }, (_, i) => {
    const seed = new Uint8Array(32);
    const tag = new TextEncoder().encode(`${prefix}:${i}`);
    for (let j = 0; j < tag.length; j++)
      seed[j % 32] = ((seed[j % 32] as number) * 31 + (tag[j] as number)) & 255;
    seed[31] = i & 255;
    seed[30] = (i >> 8) & 255;
    return { id: `${prefix}-${String(i + 1).padStart(5, '0')}`, seed };
  });
}

export async function registerDevices(
  base: string,
  token: string,
  devices: readonly LoadDevice[],
  heartbeatSeconds: number,
  kind = 'radiation-monitor',
): Promise<void> {
  let next = 0;
  const one = async (d: LoadDevice) => {
    const res = await fetch(`${base}/api/devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: d.id,
        kind,
        facility: 'XA-STO',
        owners: ['agency'],
        publicKey: encodeBase64(ed25519PublicKey(d.seed)),
        heartbeatSeconds,
      }),
    });
    if (res.status !== 201 && res.status !== 409)
      throw new Error(`registering ${d.id}: ${res.status} ${await res.text()}`);
  };
  // A few at a time: thousands of devices register in minutes, not tens of minutes.
  await Promise.all(
    Array.from({ length: Math.min(8, devices.length) }, async () => {
      while (next < devices.length) await one(devices[next++] as LoadDevice);
    }),
  );
}

/**
 * `count` signed batches of `events` events each, chained from seq 1, event times from `fromMs`
 * `stepMs` apart: a heartbeat first in each batch, radiation readings after it.
 */
export function signChain(
  d: LoadDevice,
  count: number,
  events: number,
  fromMs: number,
  stepMs: number,
  firstSeq = 1,
  firstPrev = GENESIS_PREV,
): SignedBatch[] {
  const out: SignedBatch[] = [];
  let prev = firstPrev;
  let t = fromMs;
  for (let b = 0; b < count; b++) {
    const list: DeviceEvent[] = [];
    for (let e = 0; e < events; e++, t += stepMs) {
      const time = new Date(t).toISOString();
      list.push(
        e === 0
          ? { time, type: 'heartbeat', battery: 90, temperature: 21, tamper: false }
          : { time, type: 'radiation', countsPerSecond: 100 + ((b + e) % 20) },
      );
    }
    const signed = signBatch(d.seed, { device: d.id, seq: firstSeq + b, prev, events: list });
    prev = signed.hash;
    out.push(signed);
  }
  return out;
}

/** One batch over HTTP on a keep-alive agent: the status and the parsed answer. */
export function postBatch(
  agent: http.Agent,
  base: string,
  device: string,
  b: SignedBatch,
): Promise<{ status: number; body: { seq?: number; logIndex?: number; error?: { code: string } } }> {
  const url = new URL(`${base}/api/devices/${encodeURIComponent(device)}/batches`);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': b.bytes.length,
          'custos-signature': b.header,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body = {};
          try {
            body = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode ?? 0, body });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(Buffer.from(b.bytes));
  });
}

/** One batch over MQTT (QoS 1): resolves on the broker's PUBACK, which keeps it for Custos. */
export async function publishBatch(
  client: MqttClient,
  prefix: string,
  device: string,
  b: SignedBatch,
): Promise<void> {
  const payload = JSON.stringify({ batch: encodeBase64(b.bytes), signature: b.header });
  await client.publishAsync(`${prefix}/${device}/batches`, payload, { qos: 1 });
}
