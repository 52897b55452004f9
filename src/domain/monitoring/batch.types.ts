/**
 * Remote monitoring's wire model (issue 18 item 2): a device sends batches of events, each batch
 * signed with the device's Ed25519 key over its exact UTF-8 JSON bytes and chained to the one
 * before by the SHA-256 of that one's exact bytes. Decision 0029.
 */

/** The event types a batch may carry; a new instrument adds its type here (and in batch.ts). */
export const EVENT_TYPES = [
  'heartbeat',
  'seal-open',
  'seal-close',
  'tamper',
  'camera-trigger',
  'gate-count',
  'radiation',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const GATE_DIRECTIONS = ['in', 'out'] as const;
export type GateDirection = (typeof GATE_DIRECTIONS)[number];

interface EventBase {
  /** RFC 3339 as the device wrote it (with Z or an offset). */
  readonly time: string;
}

/** State of health: each reading optional, since not every instrument has every sensor. */
export interface HeartbeatEvent extends EventBase {
  readonly type: 'heartbeat';
  /** Percent, 0-100. */
  readonly battery?: number;
  /** Degrees Celsius. */
  readonly temperature?: number;
  /** The tamper switch: true when the enclosure reports itself opened or disturbed. */
  readonly tamper?: boolean;
}

export interface SealOpenEvent extends EventBase {
  readonly type: 'seal-open';
}

export interface SealCloseEvent extends EventBase {
  readonly type: 'seal-close';
}

export interface TamperEvent extends EventBase {
  readonly type: 'tamper';
}

/** A camera triggered; the image itself may follow as an attachment, named by its hash. */
export interface CameraTriggerEvent extends EventBase {
  readonly type: 'camera-trigger';
  /** 64 lowercase hex digits. */
  readonly imageSha256: string;
}

export interface GateCountEvent extends EventBase {
  readonly type: 'gate-count';
  readonly direction: GateDirection;
  readonly items: number;
}

export interface RadiationEvent extends EventBase {
  readonly type: 'radiation';
  readonly countsPerSecond: number;
}

/** One event as it travels (and as formatBatch writes it). */
export type DeviceEvent =
  | HeartbeatEvent
  | SealOpenEvent
  | SealCloseEvent
  | TamperEvent
  | CameraTriggerEvent
  | GateCountEvent
  | RadiationEvent;

/** What a device signs, before it is written as bytes. */
export interface BatchContent {
  readonly device: string;
  /** 1, 2, … without gaps. */
  readonly seq: number;
  /** Hex SHA-256 of the previous batch's exact bytes, or GENESIS_PREV for seq 1. */
  readonly prev: string;
  readonly events: readonly DeviceEvent[];
}

/** An event once read: the wire fields plus its instant in milliseconds since the epoch (UTC). */
export type ReadEvent = DeviceEvent & { readonly at: number };

/** A batch once read from its bytes: every field checked, every time parsed. */
export interface Batch extends BatchContent {
  readonly events: readonly ReadEvent[];
}

/** The bounds a batch must keep (hostile input: every byte from outside). */
export interface BatchLimits {
  /** Bytes of one batch. */
  readonly maxBytes: number;
  /** Events in one batch. */
  readonly maxEvents: number;
}

/**
 * The device's chain as Custos last accepted it: its seq (0 before any batch), the hex SHA-256 of
 * that batch's bytes (GENESIS_PREV before any), and the latest event time accepted so far.
 */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
  readonly lastEventAt: number | null;
}

/** How far event times may stray (milliseconds). */
export interface TimeTolerance {
  /** Ahead of the receiving server's clock (device clocks drift). */
  readonly maxAheadMs: number;
  /** Behind the latest event already accepted from the device. */
  readonly maxBehindMs: number;
}
