import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { isDomainError } from '../domain/errors.js';

/**
 * The MQTT transport of monitoring batches (issue 18 §3, decision 0030). Custos subscribes with
 * QoS 1 to the MQTT 5 shared subscription `$share/custos/custos/devices/+/batches`, so several
 * servers on one database share the device topics and the broker gives each message to one of
 * them. The payload is `{"batch": "<base64 of the batch bytes>", "signature": "<keyId>:<base64>"}`.
 *
 * Acknowledged only after the commit: mqtt.js calls `customHandleAcks` (MQTT 5 only) before it
 * emits the message and sends the PUBACK with the reason code it is given, and handles the next
 * packet of the connection only once that is done (node_modules/mqtt/build/lib/handlers/publish.js).
 * So a batch is ingested inside customHandleAcks and:
 * - committed, or already committed (the same bytes again: the ingestion answers the first
 *   receipt): PUBACK 0;
 * - refused (a DomainError: forged, malformed, broken chain …, recorded by the ingestion): PUBACK
 *   with an error reason code, a final answer — the broker does not send it again;
 * - failed otherwise (the database is unreachable): no PUBACK. The connection is dropped so that
 *   the broker, which keeps the session (clean start off, a stable client id), sends the message
 *   again on reconnection, to this server or, for a shared subscription, possibly another.
 */

/** The topics' default prefix: devices publish on `custos/devices/<id>/batches`. */
const DEFAULT_PREFIX = 'custos/devices';

/** The shared subscription of every Custos server: the broker gives each message to one of them. */
export function batchTopicFilter(prefix = DEFAULT_PREFIX): string {
  return `$share/custos/${prefix}/+/batches`;
}

function topicPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/([^/]+)/batches$`);
}

/** MQTT 5 PUBACK reason codes (§3.4.2.1). */
const PUBACK = {
  success: 0,
  unspecified: 128,
  implementationSpecific: 131,
  notAuthorized: 135,
  payloadFormatInvalid: 153,
} as const;

/** A batch as the ingestion takes it (services/monitoring BatchSubmission). */
export interface MqttBatch {
  readonly device: string;
  readonly bytes: Uint8Array;
  readonly signature: string | undefined;
  readonly transport: 'mqtt';
}

export interface MqttIngestOptions {
  readonly url: string;
  readonly clientId: string;
  readonly logger: Logger;
  /** Resolves once the batch is committed; rejects with a DomainError when it is refused. */
  ingest(batch: MqttBatch): Promise<unknown>;
  /**
   * Waits (bounded) until the device's batch `seq - 1` is committed: with a shared subscription
   * the next batch of a device may reach another server before its predecessor is committed, a
   * reorder the device did not make and must not be held against it as a gap.
   */
  awaitPredecessor?(device: string, seq: number): Promise<void>;
  /** How long the broker keeps this server's session while it is away (default a day). */
  readonly sessionExpirySeconds?: number;
  /** Topics are `<prefix>/<device>/batches` (default `custos/devices`). */
  readonly topicPrefix?: string;
  /**
   * Connections in the shared subscription (default 1). mqtt.js handles the next message of a
   * connection only once the PUBACK of the one in hand is sent, that is after its commit; with
   * several connections, several batches wait for the same group commit (decision 0037).
   * Connection i > 0 has client id `<clientId>-<i>`.
   */
  readonly connections?: number;
}

/** Reads the envelope; undefined when it is not `{"batch": base64, "signature": string}`. */
export function readEnvelope(payload: Uint8Array): { bytes: Uint8Array; signature: string } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { batch, signature } = value as { batch?: unknown; signature?: unknown };
  if (typeof batch !== 'string' || typeof signature !== 'string') return undefined;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(batch) || batch.length % 4 !== 0) return undefined;
  return { bytes: new Uint8Array(Buffer.from(batch, 'base64')), signature };
}

/** The seq the batch claims, read leniently (the ingestion reads it properly). */
function claimedSeq(bytes: Uint8Array): number | undefined {
  try {
    const seq = (JSON.parse(Buffer.from(bytes).toString('utf8')) as { seq?: unknown }).seq;
    return typeof seq === 'number' && Number.isSafeInteger(seq) && seq > 0 ? seq : undefined;
  } catch {
    return undefined;
  }
}

function reasonFor(code: string): number {
  if (code === 'DEVICE_AUTH_FAILED' || code === 'DEVICE_UNKNOWN' || code === 'DEVICE_NOT_IN_SERVICE')
    return PUBACK.notAuthorized;
  if (code === 'DEVICE_BATCH_INVALID' || code === 'DEVICE_BATCH_TOO_LARGE')
    return PUBACK.payloadFormatInvalid;
  return PUBACK.implementationSpecific;
}

/** Subscribes and ingests until stopped; resolves once subscribed. */
export async function startMqttIngest(
  opts: MqttIngestOptions,
): Promise<{ stop(opts?: { forget?: boolean; abort?: boolean }): Promise<void> }> {
  const log = opts.logger;
  const prefix = opts.topicPrefix ?? DEFAULT_PREFIX;
  const filter = batchTopicFilter(prefix);
  const pattern = topicPattern(prefix);

  async function handle(topic: string, packet: IPublishPacket): Promise<number | Error> {
    const m = pattern.exec(topic);
    const envelope = readEnvelope(packet.payload as Uint8Array);
    if (!m || !envelope) {
      log.warn(
        { topic },
        'MQTT message refused: not {"batch": base64, "signature": string} on a device topic',
      );
      return PUBACK.payloadFormatInvalid;
    }
    const device = m[1] as string;
    const seq = claimedSeq(envelope.bytes);
    if (seq !== undefined && opts.awaitPredecessor) await opts.awaitPredecessor(device, seq);
    try {
      await opts.ingest({ device, bytes: envelope.bytes, signature: envelope.signature, transport: 'mqtt' });
      return PUBACK.success;
    } catch (err) {
      if (isDomainError(err)) {
        log.info({ device, seq, code: err.code }, 'MQTT batch refused');
        return reasonFor(err.code);
      }
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  async function connect(clientId: string): Promise<MqttClient> {
    let client: MqttClient | undefined;
    const options: IClientOptions = {
      protocolVersion: 5,
      clientId,
      // The broker keeps the subscription and what was not acknowledged across a restart.
      clean: false,
      properties: { sessionExpiryInterval: opts.sessionExpirySeconds ?? 24 * 3600, receiveMaximum: 64 },
      reconnectPeriod: 1000,
      customHandleAcks: (topic, _message, packet, done) => {
        handle(topic, packet).then(
          (result) => {
            if (typeof result === 'number') return done(result);
            log.error(
              { err: result.message, topic },
              'MQTT batch not committed; the broker will send it again',
            );
            // Not acknowledged: drop the connection so the broker redelivers on reconnection.
            done(result);
            client?.stream.destroy();
          },
          (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
        );
      },
    };
    client = await mqtt.connectAsync(opts.url, options);
    // A refused acknowledgement surfaces as 'error' (mqtt.js failCustomAck); it is logged above.
    client.on('error', (err) => log.debug({ err: err.message }, 'MQTT client error'));
    client.on('reconnect', () => log.info('MQTT reconnecting'));
    // On a restart the broker redelivers at once; a batch not committed drops the connection,
    // which may close it under the SUBACK: subscribe again on the next connection.
    let granted: Awaited<ReturnType<MqttClient['subscribeAsync']>> | undefined;
    for (let attempt = 1; granted === undefined; attempt++) {
      try {
        granted = await client.subscribeAsync(filter, { qos: 1 });
      } catch (err) {
        if (attempt >= 10) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    if (granted.some((g) => g.qos !== 1)) {
      await client.endAsync(true);
      throw new Error(`the broker did not grant QoS 1 on ${filter}`);
    }
    return client;
  }

  const n = Math.max(1, opts.connections ?? 1);
  const clients: MqttClient[] = [];
  try {
    for (let i = 0; i < n; i++)
      clients.push(await connect(i === 0 ? opts.clientId : `${opts.clientId}-${i}`));
  } catch (err) {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    throw err;
  }
  log.info(
    { url: opts.url, clientId: opts.clientId, connections: n },
    'subscribed to device batches over MQTT',
  );
  return {
    /**
     * Lets the message in hand finish (its PUBACK follows its commit), then disconnects; `forget`
     * ends the session too (a server leaving for good: its share of the topic goes to the others);
     * `abort` drops the connection at once, as a crash would (what is in hand stays unacknowledged).
     */
    async stop(o: { forget?: boolean; abort?: boolean } = {}) {
      await Promise.all(
        clients.map((c) =>
          c.endAsync(o.abort === true, o.forget ? { properties: { sessionExpiryInterval: 0 } } : {}),
        ),
      );
    },
  };
}
