import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { isDomainError } from '../domain/errors.js';
import {
  answerTopic,
  type BatchAnswer,
  DEFAULT_TOPIC_PREFIX,
  hashBatch,
} from '../domain/monitoring/index.js';

/**
 * The MQTT transport of monitoring batches (issue 18 §3, decision 0030). Custos subscribes with
 * QoS 1 to the MQTT 5 shared subscription `$share/custos/custos/devices/+/batches`, so several
 * servers on one database share the device topics and the broker gives each message to one of
 * them. The payload is `{"batch": "<base64 of the batch bytes>", "signature": "<keyId>:<base64>"}`.
 *
 * Acknowledged only after the commit, but every message the broker has in flight on a connection
 * is in hand at once (decision 0041): mqtt.js hands over the next packet of a connection only once
 * the PUBACK of the one before is sent (node_modules/mqtt/build/lib/handlers/publish.js), and a
 * batch waiting there for its predecessor — which the shared subscription may have given to
 * another connection, queued behind a batch waiting for one held here — deadlocked the two
 * connections; dropping them brought the same messages back in the same order. So each message
 * is taken at once (`customHandleAcks` answers 0, `handleMessage` refuses mqtt.js's own PUBACK)
 * and its PUBACK is sent by this transport, in the order the messages came (MQTT 5 §4.6), once
 * the ingestion has answered:
 * - committed, or already committed (the same bytes again: the ingestion answers the first
 *   receipt): PUBACK 0;
 * - refused (a DomainError: forged, malformed, broken chain …, recorded by the ingestion): PUBACK
 *   with an error reason code, a final answer — the broker does not send it again;
 * - failed otherwise (the database is unreachable, the predecessor never came): no PUBACK. The
 *   connection is dropped so that the broker, which keeps the session (clean start off, a stable
 *   client id), sends what this connection had not acknowledged again on reconnection. Answers
 *   due on a connection that has since closed are never sent on the next one.
 *
 * A device's own PUBACK comes from the broker, which took the batch: it says nothing of Custos's
 * answer. So each answer is also published, QoS 1, on `<prefix>/<device>/answers` (what HTTP
 * answers: the receipt of a committed batch, the code of a refused one), for the device to
 * learn that its batch was committed or why it was refused. Best effort: a device that misses it
 * can still read its status.
 */

/** What the ingestion answers for a committed batch (services/monitoring BatchReceipt). */
export interface MqttReceipt {
  readonly seq: number;
  readonly logIndex: number;
  readonly receiptUrl: string;
  readonly replay: boolean;
}

/** The shared subscription of every Custos server: the broker gives each message to one of them. */
export function batchTopicFilter(prefix = DEFAULT_TOPIC_PREFIX): string {
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
  /**
   * Resolves once the batch is committed (with its receipt, published to the device); rejects
   * with a DomainError when it is refused.
   */
  ingest(batch: MqttBatch): Promise<MqttReceipt | undefined>;
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

/** A PUBACK owed to the broker: its reason code once the ingestion has answered. */
interface Owed {
  readonly messageId: number;
  code: number | undefined;
}

/** mqtt.js's packet writer (not in its types): the PUBACKs this transport sends itself. */
interface SendPacket {
  _sendPacket(packet: { cmd: 'puback'; messageId: number; reasonCode: number }, cb: () => void): void;
}

/** Given to mqtt.js's handleMessage callback: it then sends no PUBACK and takes the next packet. */
const DEFERRED = new Error('acknowledged by the transport after the commit');

/**
 * From now on mqtt.js hands this client's QoS 1 messages over without acknowledging them: the
 * transport's `sendPuback` does, after the commit. Set before the CONNACK, which the session's
 * redeliveries follow at once.
 */
export function deferPubacks(c: MqttClient): void {
  c.handleMessage = (_packet, callback) => callback(DEFERRED);
}

/**
 * Sends one PUBACK on the client's current connection through mqtt.js's private `_sendPacket`.
 * mqtt.js 5.16 has no public way to acknowledge a message later than its handover: its public
 * hooks (`customHandleAcks`' `done`, `handleMessage`'s callback, both in
 * node_modules/mqtt/build/lib/handlers/publish.js) send the PUBACK from inside the packet pump,
 * which hands over the connection's next packet only after that, so acknowledging after the
 * commit through them takes one message at a time per connection: the circle of decision 0041.
 * Its README offers no manual ack either. So this private call stays, pinned by
 * src/server/mqtt.test.ts, which fails (with no broker) if it disappears or writes anything but
 * this PUBACK, and if `deferPubacks` no longer keeps mqtt.js's own.
 */
export function sendPuback(c: MqttClient, messageId: number, reasonCode: number): void {
  (c as unknown as SendPacket)._sendPacket({ cmd: 'puback', messageId, reasonCode }, () => {});
}

/**
 * Takes a client's messages as they come and sends their PUBACKs itself (decision 0041): in the
 * order they came on each stream (MQTT 5 §4.6), each once its answer is known, never on a later
 * stream than its own (what a dropped one owed the broker sends again). An answer that is not a
 * reason code (not committed) drops the connection, so the broker redelivers on reconnection.
 */
function ackInOrder(log: Logger, inHand: Set<Promise<number | Error>>) {
  /** The answers owed on each stream of the client, in the order its messages came. */
  const owed = new WeakMap<object, Owed[]>();
  const flush = (c: MqttClient, stream: object, line: Owed[]) => {
    while (line.length > 0 && (line[0] as Owed).code !== undefined) {
      const { messageId, code } = line.shift() as Owed;
      if (c.stream !== stream || !c.connected) continue; // the broker sends it again
      sendPuback(c, messageId, code as number);
    }
  };
  return (c: MqttClient, topic: string, messageId: number, handling: Promise<number | Error>) => {
    const stream = c.stream;
    const line = owed.get(stream) ?? [];
    owed.set(stream, line);
    const entry: Owed = { messageId, code: undefined };
    line.push(entry);
    inHand.add(handling);
    const settled = () => inHand.delete(handling);
    handling.then(settled, settled);
    handling.then(
      (result) => {
        if (typeof result === 'number') {
          entry.code = result;
          return flush(c, stream, line);
        }
        log.error({ err: result.message, topic }, 'MQTT batch not committed; the broker will send it again');
        if (c.stream === stream) stream.destroy();
      },
      (err: unknown) => {
        log.error({ err: String(err), topic }, 'MQTT batch not handled; the broker will send it again');
        if (c.stream === stream) stream.destroy();
      },
    );
  };
}

/** Resolves on the first CONNACK; rejects, and ends the client, on an error before it. */
function whenConnected(c: MqttClient): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const connected = () => {
      c.off('error', failed);
      resolve();
    };
    const failed = (err: Error) => {
      c.off('connect', connected);
      c.end(true);
      reject(err);
    };
    c.once('connect', connected);
    c.once('error', failed);
  });
}

/**
 * What the transport does with one message: waits for its predecessor, hands it to the ingestion,
 * tells the device the answer, and answers the PUBACK's reason code (or an error: not committed).
 */
function batchHandler(
  opts: MqttIngestOptions,
  prefix: string,
): (c: MqttClient, topic: string, packet: IPublishPacket) => Promise<number | Error> {
  const log = opts.logger;
  const pattern = topicPattern(prefix);
  /** Tells the device what became of its batch; a lost answer is not worth a redelivery. */
  function answer(c: MqttClient, device: string, a: BatchAnswer): void {
    c.publishAsync(answerTopic(device, prefix), JSON.stringify(a), { qos: 1 }).catch((err: unknown) =>
      log.debug({ err: String(err), device }, 'MQTT answer not published'),
    );
  }

  async function handle(c: MqttClient, topic: string, packet: IPublishPacket): Promise<number | Error> {
    const m = pattern.exec(topic);
    const envelope = readEnvelope(packet.payload as Uint8Array);
    if (!m || !envelope) {
      log.warn(
        { topic },
        'MQTT message refused: not {"batch": base64, "signature": string} on a device topic',
      );
      if (m)
        answer(c, m[1] as string, {
          seq: null,
          sha256: null,
          result: 'refused',
          error: {
            code: 'DEVICE_BATCH_INVALID',
            message: 'the payload is not {"batch": "<base64>", "signature": "<keyId>:<base64>"}',
          },
        });
      return PUBACK.payloadFormatInvalid;
    }
    const device = m[1] as string;
    const seq = claimedSeq(envelope.bytes);
    if (seq !== undefined && opts.awaitPredecessor) await opts.awaitPredecessor(device, seq);
    try {
      const receipt = await opts.ingest({
        device,
        bytes: envelope.bytes,
        signature: envelope.signature,
        transport: 'mqtt',
      });
      if (receipt)
        answer(c, device, {
          seq: receipt.seq,
          sha256: hashBatch(envelope.bytes),
          result: receipt.replay ? 'already-accepted' : 'accepted',
          logIndex: receipt.logIndex,
          receiptUrl: receipt.receiptUrl,
        });
      return PUBACK.success;
    } catch (err) {
      if (isDomainError(err)) {
        log.info({ device, seq, code: err.code }, 'MQTT batch refused');
        answer(c, device, {
          seq: seq ?? null,
          sha256: hashBatch(envelope.bytes),
          result: 'refused',
          error: {
            code: err.code,
            message: err.message,
            ...(err.details === undefined ? {} : { details: err.details }),
          },
        });
        return reasonFor(err.code);
      }
      return err instanceof Error ? err : new Error(String(err));
    }
  }
  return handle;
}

/** Subscribes and ingests until stopped; resolves once subscribed. */
export async function startMqttIngest(
  opts: MqttIngestOptions,
): Promise<{ stop(opts?: { forget?: boolean; abort?: boolean }): Promise<void> }> {
  const log = opts.logger;
  const prefix = opts.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
  const filter = batchTopicFilter(prefix);
  const handle = batchHandler(opts, prefix);

  /** The messages taken and not yet answered, on every connection. */
  const inHand = new Set<Promise<number | Error>>();

  async function connect(clientId: string): Promise<MqttClient> {
    let client: MqttClient | undefined;
    const take = ackInOrder(log, inHand);
    const options: IClientOptions = {
      protocolVersion: 5,
      clientId,
      // The broker keeps the subscription and what was not acknowledged across a restart.
      clean: false,
      properties: { sessionExpiryInterval: opts.sessionExpirySeconds ?? 24 * 3600, receiveMaximum: 64 },
      reconnectPeriod: 1000,
      customHandleAcks: (topic, _message, packet, done) => {
        take(
          client as MqttClient,
          topic,
          packet.messageId as number,
          handle(client as MqttClient, topic, packet),
        );
        // Taken: the next message of the connection is handed over now; the PUBACK is ours.
        done(0);
      },
    };
    const c = mqtt.connect(opts.url, options);
    client = c;
    // Before the CONNACK, which the session's redeliveries follow at once.
    deferPubacks(c);
    c.on('error', (err) => log.debug({ err: err.message }, 'MQTT client error'));
    c.on('reconnect', () => log.info('MQTT reconnecting'));
    await whenConnected(c);
    // On a restart the broker redelivers at once; a batch not committed drops the connection,
    // which may close it under the SUBACK: subscribe again on the next connection.
    let granted: Awaited<ReturnType<MqttClient['subscribeAsync']>> | undefined;
    for (let attempt = 1; granted === undefined; attempt++) {
      try {
        granted = await c.subscribeAsync(filter, { qos: 1 });
      } catch (err) {
        if (attempt >= 10) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    if (granted.some((g) => g.qos !== 1)) {
      await c.endAsync(true);
      throw new Error(`the broker did not grant QoS 1 on ${filter}`);
    }
    return c;
  }

  const n = Math.max(1, opts.connections ?? 1);
  // All at once: each session's redeliveries may wait for predecessors held by the others.
  const started = await Promise.allSettled(
    Array.from({ length: n }, (_, i) => connect(i === 0 ? opts.clientId : `${opts.clientId}-${i}`)),
  );
  const clients = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    throw failed.reason;
  }
  log.info(
    { url: opts.url, clientId: opts.clientId, connections: n },
    'subscribed to device batches over MQTT',
  );
  return {
    /**
     * Lets the messages in hand finish (their PUBACKs follow their commits; at most a few
     * seconds, what is left the broker sends again), then disconnects; `forget` ends the session
     * too (a server leaving for good: its share of the topic goes to the others); `abort` drops
     * the connection at once, as a crash would (what is in hand stays unacknowledged).
     */
    async stop(o: { forget?: boolean; abort?: boolean } = {}) {
      const until = Date.now() + 5000;
      while (o.abort !== true && inHand.size > 0 && Date.now() < until)
        await Promise.race([Promise.allSettled([...inHand]), new Promise((r) => setTimeout(r, 200))]);
      await Promise.all(
        clients.map((c) =>
          c.endAsync(o.abort === true, o.forget ? { properties: { sessionExpiryInterval: 0 } } : {}),
        ),
      );
    },
  };
}
