/**
 * The MQTT topics of monitoring devices (issue 18 §3): a device publishes its batches on
 * `<prefix>/<device>/batches` and Custos publishes its answer to each on `<prefix>/<device>/answers`.
 * Shared by the server's transport and the simulator (`custos monitor simulate`).
 */

/** The topics' default prefix (`CUSTOS_MQTT_TOPIC_PREFIX`). */
export const DEFAULT_TOPIC_PREFIX = 'custos/devices';

/** Where a device publishes its batches. */
export function batchTopic(device: string, prefix = DEFAULT_TOPIC_PREFIX): string {
  return `${prefix}/${device}/batches`;
}

/** Where Custos publishes its answer to each batch of a device (receipt or refusal). */
export function answerTopic(device: string, prefix = DEFAULT_TOPIC_PREFIX): string {
  return `${prefix}/${device}/answers`;
}

/**
 * Custos's answer to one batch, published on `answerTopic` (a device's PUBACK is the broker's and
 * says nothing of it): `accepted` (committed now, HTTP 201), `already-accepted` (the same bytes
 * were committed before, HTTP 200) or `refused` (the code, message and details HTTP answers).
 * `seq` is the one the batch claims (null when unreadable), `sha256` that of the batch bytes, so
 * a device tells two batches of one seq apart.
 */
export type BatchAnswer =
  | {
      readonly seq: number;
      readonly sha256: string;
      readonly result: 'accepted' | 'already-accepted';
      readonly logIndex: number;
      readonly receiptUrl: string;
    }
  | {
      readonly seq: number | null;
      readonly sha256: string | null;
      readonly result: 'refused';
      readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
    };
