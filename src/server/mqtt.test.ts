import { Duplex } from 'node:stream';
import { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { deferPubacks, sendPuback } from './mqtt.js';

/** An MQTT 5 PUBLISH at QoS 1 (§3.3): topic, packet id, no properties, payload. */
function publish(topic: string, messageId: number, payload: string): Buffer {
  const t = Buffer.from(topic);
  const body = Buffer.concat([
    Buffer.from([t.length >> 8, t.length & 0xff]),
    t,
    Buffer.from([messageId >> 8, messageId & 0xff, 0]),
    Buffer.from(payload),
  ]);
  return Buffer.concat([Buffer.from([0x32, body.length]), body]);
}

/**
 * The transport acknowledges after the commit through a private method of mqtt.js (see
 * sendPuback for why no public one does it). This pins the two mqtt.js details it relies on,
 * over an in-memory connection and without a broker: a client whose PUBACKs are deferred writes
 * none when a QoS 1 message comes, and `sendPuback` writes exactly the PUBACK it names. An
 * mqtt.js upgrade that drops or changes either fails here.
 */
describe('MQTT PUBACKs sent by the transport (mqtt.js internals it depends on)', () => {
  it('defers mqtt.js’s own PUBACK, then writes the one it is told, with its reason code', async () => {
    const written: Buffer[] = [];
    const wire = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        written.push(Buffer.from(chunk));
        callback();
      },
    });
    const taken: number[] = [];
    const c = new MqttClient(() => wire, {
      protocolVersion: 5,
      clientId: 'pin',
      reconnectPeriod: 0,
      customHandleAcks: (_topic, _message, packet, done) => {
        taken.push(packet.messageId as number);
        done(0);
      },
    });
    deferPubacks(c);
    const connected = new Promise<void>((resolve) => c.once('connect', () => resolve()));
    wire.push(Buffer.from([0x20, 0x03, 0x00, 0x00, 0x00])); // CONNACK: accepted, no properties
    await connected;
    const before = Buffer.concat(written).length;

    // Two messages: both handed over at once, neither acknowledged by mqtt.js.
    wire.push(publish('custos/devices/D-1/batches', 7, '{}'));
    wire.push(publish('custos/devices/D-1/batches', 8, '{}'));
    await expect.poll(() => taken).toEqual([7, 8]);
    await new Promise((r) => setImmediate(r));
    expect(Buffer.concat(written).subarray(before)).toEqual(Buffer.alloc(0));

    // The transport's PUBACK for 8 first (a refusal, 0x87), then 7 (success): written as told.
    sendPuback(c, 8, 0x87);
    sendPuback(c, 7, 0);
    await expect.poll(() => Buffer.concat(written).length).toBeGreaterThan(before);
    const acks = Buffer.concat(written).subarray(before);
    // PUBACK (§3.4): type 4, remaining length, packet id, then the reason code and an empty
    // property list; a success may leave both out (§3.4.2.1), as mqtt-packet does.
    expect([...acks]).toEqual([0x40, 0x04, 0x00, 0x08, 0x87, 0x00, 0x40, 0x02, 0x00, 0x07]);
    await c.endAsync(true);
  });
});
