import { createHash, randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { answerTopic, type BatchAnswer } from '../../src/domain/monitoring/index.js';
import { type MqttBatch, type MqttReceipt, readEnvelope, startMqttIngest } from '../../src/server/mqtt.js';
import { connectDevice, testMqttUrl } from '../fixtures/mqtt.js';

/**
 * The MQTT transport's contract with the broker (issue 18 §3): its PUBACK follows the
 * ingestion's answer — success once committed, an error reason code for a refusal (both final:
 * the broker forgets the message), none when the ingestion failed or the server died first (the
 * broker, which keeps the server's session, sends the message again). The device's own PUBACK
 * comes from the broker, so what shows here is redelivery: a message acknowledged comes back to
 * no one; one that was not comes back to the server's session when it reconnects. The ingestion
 * is a recorder the test drives, to stop a server between receipt and commit; the real one is in
 * tests/cli/monitor.test.ts (the simulator against `custos serve`) and
 * tests/reliability/device-ingest.test.ts (SIGKILLs).
 */
describe('MQTT transport: acknowledged after the commit', () => {
  const run = randomBytes(4).toString('hex');
  const clientId = `custos-test-${run}`;
  const topic = `custos/devices/D-${run}/batches`;
  let device: MqttClient;
  const received: string[] = [];
  let answer: (b: MqttBatch) => Promise<MqttReceipt | undefined> = async () => undefined;
  let server: Awaited<ReturnType<typeof startMqttIngest>> | undefined;

  const start = async () => {
    server = await startMqttIngest({
      url: testMqttUrl(),
      clientId,
      logger: pino({ level: 'silent' }),
      sessionExpirySeconds: 60,
      ingest: async (b) => {
        received.push(`${b.device} ${Buffer.from(b.bytes).toString()} ${b.signature} ${b.transport}`);
        return await answer(b);
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
    answer = () => new Promise<never>(() => undefined); // never commits: the server dies first
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
      return undefined;
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
      return undefined;
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

  it('tells the device on its answers topic: the receipt of a committed batch, the code of a refused one', async () => {
    // The device's PUBACK is the broker's; what Custos made of the batch comes on this topic.
    const answers: BatchAnswer[] = [];
    device.on('message', (t, p) => {
      if (t === answerTopic(`D-${run}`)) answers.push(JSON.parse(p.toString()) as BatchAnswer);
    });
    await device.subscribeAsync(answerTopic(`D-${run}`), { qos: 1 });
    received.length = 0;
    answer = async (b) => {
      const text = Buffer.from(b.bytes).toString();
      if (text === '{"seq":8}') throw new DomainError('DEVICE_CHAIN_BROKEN', 'expected seq 9, got 8');
      return { seq: 7, logIndex: 41, receiptUrl: '/api/records/x/receipt', replay: text.includes('again') };
    };
    await publish('{"seq":7}');
    await publish('{"seq":7,"again":1}');
    await publish('{"seq":8}');
    await device.publishAsync(`custos/devices/D-${run}/batches`, 'not json', { qos: 1 });
    await waitFor(() => answers.length === 4);
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    // Each answer goes out once its batch is answered, so not necessarily in publishing order.
    expect(answers).toHaveLength(4);
    expect(answers).toEqual(
      expect.arrayContaining([
        {
          seq: 7,
          sha256: sha('{"seq":7}'),
          result: 'accepted',
          logIndex: 41,
          receiptUrl: '/api/records/x/receipt',
        },
        {
          seq: 7,
          sha256: sha('{"seq":7,"again":1}'),
          result: 'already-accepted',
          logIndex: 41,
          receiptUrl: '/api/records/x/receipt',
        },
        {
          seq: 8,
          sha256: sha('{"seq":8}'),
          result: 'refused',
          error: { code: 'DEVICE_CHAIN_BROKEN', message: 'expected seq 9, got 8' },
        },
        {
          seq: null,
          sha256: null,
          result: 'refused',
          error: {
            code: 'DEVICE_BATCH_INVALID',
            message: 'the payload is not {"batch": "<base64>", "signature": "<keyId>:<base64>"}',
          },
        },
      ]),
    );
    await device.unsubscribeAsync(answerTopic(`D-${run}`));
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
