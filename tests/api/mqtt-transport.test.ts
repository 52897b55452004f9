import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { type MqttBatch, readEnvelope, startMqttIngest } from '../../src/server/mqtt.js';
import { connectDevice, testMqttUrl } from '../fixtures/mqtt.js';

/**
 * The MQTT transport's contract with the broker (issue 18 §3): its PUBACK follows the
 * ingestion's answer — success once committed, an error reason code for a refusal (both final:
 * the broker forgets the message), none when the ingestion failed or the server died first (the
 * broker, which keeps the server's session, sends the message again). The device's own PUBACK
 * comes from the broker, so what shows here is redelivery: a message acknowledged comes back to
 * no one; one that was not comes back to the server's session when it reconnects. The ingestion
 * is a recorder the test drives, to stop a server between receipt and commit; the real one is in
 * tests/api/monitoring-mqtt.test.ts.
 */
describe('MQTT transport: acknowledged after the commit', () => {
  const run = randomBytes(4).toString('hex');
  const clientId = `custos-test-${run}`;
  const topic = `custos/devices/D-${run}/batches`;
  let device: MqttClient;
  const received: string[] = [];
  let answer: (b: MqttBatch) => Promise<void> = async () => undefined;
  let server: Awaited<ReturnType<typeof startMqttIngest>> | undefined;

  const start = async () => {
    server = await startMqttIngest({
      url: testMqttUrl(),
      clientId,
      logger: pino({ level: 'silent' }),
      sessionExpirySeconds: 60,
      ingest: async (b) => {
        received.push(`${b.device} ${Buffer.from(b.bytes).toString()} ${b.signature} ${b.transport}`);
        await answer(b);
      },
    });
  };
  const restart = async () => {
    await server?.stop();
    await start();
  };
  const payload = (text: string) =>
    JSON.stringify({
      batch: Buffer.from(text).toString('base64'),
      signature: `0123456789abcdef:${'A'.repeat(86)}==`,
    });
  const publish = (text: string) => device.publishAsync(topic, payload(text), { qos: 1 });

  beforeAll(async () => {
    device = await connectDevice(`test-device-${run}`);
    await start();
  });
  afterAll(async () => {
    await server?.stop({ forget: true });
    await device?.endAsync();
  });

  it('hands over the device, the exact bytes and the signature; a crash before the commit means the broker sends it again', async () => {
    answer = () => new Promise<void>(() => undefined); // never commits: the server dies first
    await publish('{"seq":1}');
    await waitFor(() => received.length === 1);
    expect(received[0]).toBe(`D-${run} {"seq":1} 0123456789abcdef:${'A'.repeat(86)}== mqtt`);
    await server?.stop({ abort: true });
    answer = async () => undefined;
    await start();
    await waitFor(() => received.length === 2);
    expect(received[1]).toBe(received[0]);
    // Committed and acknowledged this time: a further restart brings nothing back.
    await restart();
    await new Promise((r) => setTimeout(r, 1000));
    expect(received).toHaveLength(2);
  });

  it('acknowledges a refusal, so the refused batch does not come back', async () => {
    received.length = 0;
    answer = async () => {
      throw new DomainError('DEVICE_AUTH_FAILED', 'forged');
    };
    await publish('{"seq":2}');
    await waitFor(() => received.length === 1);
    await restart();
    await new Promise((r) => setTimeout(r, 1000));
    expect(received).toHaveLength(1);
  });

  it('does not acknowledge a batch it could not commit: the broker sends it again', async () => {
    received.length = 0;
    let failures = 1;
    answer = async () => {
      if (failures-- > 0) throw new Error('the database is unreachable');
    };
    await publish('{"seq":3}');
    await waitFor(() => received.length === 2, 10_000);
    expect(received[1]).toBe(received[0]);
  });

  it('takes the next message while one waits for its answer, and acknowledges both once answered', async () => {
    // A batch waiting for its predecessor, which the broker sent behind it on the same connection
    // or behind a waiting batch on another: one message at a time per connection deadlocked.
    received.length = 0;
    let seen6!: () => void;
    const arrived6 = new Promise<void>((r) => {
      seen6 = r;
    });
    answer = async (b) => {
      const text = Buffer.from(b.bytes).toString();
      if (text === '{"seq":6}') seen6();
      if (text === '{"seq":5}') await arrived6;
    };
    await publish('{"seq":5}');
    await publish('{"seq":6}');
    await waitFor(() => received.length === 2);
    expect(received.map((r) => r.split(' ')[1])).toEqual(['{"seq":5}', '{"seq":6}']);
    // Both acknowledged after their answers: a restart brings neither back.
    await restart();
    await new Promise((r) => setTimeout(r, 1000));
    expect(received).toHaveLength(2);
  });

  it('acknowledges a payload that is not the envelope without calling the ingestion', async () => {
    received.length = 0;
    answer = async () => undefined;
    await device.publishAsync(topic, 'not json', { qos: 1 });
    await publish('{"seq":4}');
    await waitFor(() => received.length === 1);
    expect(received[0]).toContain('{"seq":4}');
    expect(readEnvelope(new TextEncoder().encode('{"batch":"e30=","signature":"k:s"}'))).toEqual({
      bytes: new TextEncoder().encode('{}'),
      signature: 'k:s',
    });
    expect(readEnvelope(new TextEncoder().encode('{"batch":"*","signature":"k:s"}'))).toBeUndefined();
    expect(readEnvelope(new TextEncoder().encode('[]'))).toBeUndefined();
  });
});

async function waitFor(ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
