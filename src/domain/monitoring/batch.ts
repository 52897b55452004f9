/**
 * Reading a device's batch from its exact bytes (issue 18 item 2, decision 0029), every problem at
 * once, and writing one (formatBatch: the simulator's and the tests' side). Hostile input is
 * expected: invalid UTF-8, bad JSON, wrong types, unknown fields and absurd sizes all come back as
 * details, never as a throw.
 */
import type { ErrorDetail } from '../errors.js';
import { type Particulars, problemOf } from '../particulars.js';
import {
  type Batch,
  type BatchContent,
  type BatchLimits,
  type DeviceEvent,
  EVENT_TYPES,
  type EventType,
  GATE_DIRECTIONS,
  type ReadEvent,
} from './batch.types.js';

/** The `prev` of a device's first batch: 64 zeros. */
export const GENESIS_PREV = '0'.repeat(64);

/**
 * Defaults: a 100-event batch is about 8 KB; 1 MiB and 10 000 events leave room for a device's
 * buffered backlog packed densely, and keep one batch's parse and insert short.
 */
export const BATCH_LIMITS: BatchLimits = { maxBytes: 1_048_576, maxEvents: 10_000 };

/**
 * A device id: it names MQTT topics (custos/devices/<id>/batches), so no `/`, `+` or `#`, and URL
 * paths, so nothing that needs escaping.
 */
export const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const HEX64 = /^[0-9a-f]{64}$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;
const MAX_DETAILS = 100;

export type BatchReading =
  | { readonly ok: true; readonly batch: Batch }
  | { readonly ok: false; readonly tooLarge: boolean; readonly details: readonly ErrorDetail[] };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes → batch, or every problem found (at most 100, then one TOO_MANY_ERRORS detail). */
export function parseBatch(bytes: Uint8Array, limits: BatchLimits = BATCH_LIMITS): BatchReading {
  if (bytes.length > limits.maxBytes) {
    return refused(true, [
      {
        ...problemOf('TOO_LONG.batch', { bytes: bytes.length, max: limits.maxBytes }),
        message: `the batch is ${bytes.length} bytes; at most ${limits.maxBytes} are accepted`,
      },
    ]);
  }
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch (e) {
    const why = e instanceof TypeError ? 'not valid UTF-8' : 'not valid JSON';
    return refused(false, [{ ...problemOf('MALFORMED.body', {}), message: `the batch is ${why}` }]);
  }
  const problems = new Problems();
  const batch = readBatch(value, limits, problems);
  if (problems.count > 0 || batch === undefined) return refused(problems.tooLarge, problems.done());
  return { ok: true, batch };
}

function refused(tooLarge: boolean, details: readonly ErrorDetail[]): BatchReading {
  return { ok: false, tooLarge, details };
}

class Problems {
  private readonly list: ErrorDetail[] = [];
  private omitted = 0;
  tooLarge = false;

  add(p: Particulars, field: string, message: string): void {
    if (this.list.length < MAX_DETAILS) this.list.push({ field, ...p, message });
    else this.omitted++;
  }

  get count(): number {
    return this.list.length + this.omitted;
  }

  done(): ErrorDetail[] {
    if (this.omitted === 0) return this.list;
    return [
      ...this.list,
      {
        ...problemOf('TOO_MANY_ERRORS', { count: this.omitted }),
        message: `${this.omitted} further problems not listed`,
      },
    ];
  }
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const MISSING = problemOf('FIELD_MISSING', {});

function wrongType(expected: string, v: unknown): Particulars {
  return problemOf('FIELD_TYPE', { expected, found: typeName(v) });
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  return Array.isArray(v) ? 'array' : typeof v;
}

const BATCH_FIELDS = new Set(['device', 'seq', 'prev', 'events']);

function readBatch(value: unknown, limits: BatchLimits, p: Problems): Batch | undefined {
  if (!isObj(value)) {
    p.add(wrongType('object', value), '', `the batch must be a JSON object, not ${typeName(value)}`);
    return undefined;
  }
  for (const k of Object.keys(value)) {
    if (!BATCH_FIELDS.has(k)) p.add(problemOf('FIELD_UNKNOWN', {}), k, `unknown field "${k.slice(0, 64)}"`);
  }
  const device = value.device;
  if (device === undefined) p.add(MISSING, 'device', 'device is required');
  else if (typeof device !== 'string' || !DEVICE_ID.test(device))
    p.add(
      problemOf('FIELD_FORMAT.identifier', { max: 64 }),
      'device',
      'device must be a device id (letters, digits, . _ -; at most 64)',
    );
  const seq = value.seq;
  if (seq === undefined) p.add(MISSING, 'seq', 'seq is required');
  else if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1)
    p.add(problemOf('FIELD_FORMAT.wholeFrom', { min: 1 }), 'seq', 'seq must be a whole number from 1');
  const prev = value.prev;
  if (prev === undefined) p.add(MISSING, 'prev', 'prev is required');
  else if (typeof prev !== 'string' || !HEX64.test(prev))
    p.add(problemOf('FIELD_FORMAT.sha256', {}), 'prev', 'prev must be 64 lowercase hex digits (SHA-256)');
  else if (seq === 1 && prev !== GENESIS_PREV)
    p.add(
      problemOf('PREV_MISMATCH.genesis', {}),
      'prev',
      'the first batch (seq 1) must have prev of 64 zeros',
    );
  const events = readEvents(value.events, limits, p);
  if (p.count > 0 || events === undefined) return undefined;
  return { device: device as string, seq: seq as number, prev: prev as string, events };
}

function readEvents(value: unknown, limits: BatchLimits, p: Problems): ReadEvent[] | undefined {
  if (value === undefined) {
    p.add(MISSING, 'events', 'events is required');
    return undefined;
  }
  if (!Array.isArray(value)) {
    p.add(wrongType('array', value), 'events', `events must be an array, not ${typeName(value)}`);
    return undefined;
  }
  if (value.length === 0) {
    p.add(problemOf('EMPTY.events', {}), 'events', 'a batch carries at least one event');
    return undefined;
  }
  if (value.length > limits.maxEvents) {
    p.tooLarge = true;
    p.add(
      problemOf('TOO_MANY.events', { count: value.length, max: limits.maxEvents }),
      'events',
      `${value.length} events; at most ${limits.maxEvents} in one batch`,
    );
    return undefined;
  }
  const out: ReadEvent[] = [];
  for (let i = 0; i < value.length; i++) {
    const e = readEvent(value[i], `events[${i}]`, p);
    if (e) out.push(e);
  }
  return out;
}

/** The fields each type carries besides time and type, with their checks. */
type FieldCheck = (v: unknown) => readonly [Particulars, string] | undefined;
interface FieldRule {
  readonly check: FieldCheck;
  readonly required: boolean;
}

const number =
  (min: number, max: number, whole = false): FieldCheck =>
  (v) =>
    typeof v !== 'number' || !Number.isFinite(v) || (whole && !Number.isSafeInteger(v))
      ? [
          problemOf(whole ? 'FIELD_FORMAT.whole' : 'FIELD_FORMAT.number', {}),
          `must be a ${whole ? 'whole ' : ''}number`,
        ]
      : v < min || v > max
        ? [problemOf('FIELD_FORMAT.between', { min, max }), `must be between ${min} and ${max}`]
        : undefined;
const boolean: FieldCheck = (v) =>
  typeof v === 'boolean' ? undefined : [problemOf('FIELD_FORMAT.boolean', {}), 'must be true or false'];
const hex64: FieldCheck = (v) =>
  typeof v === 'string' && HEX64.test(v)
    ? undefined
    : [problemOf('FIELD_FORMAT.sha256', {}), 'must be 64 lowercase hex digits (SHA-256)'];
const direction: FieldCheck = (v) =>
  (GATE_DIRECTIONS as readonly unknown[]).includes(v)
    ? undefined
    : [problemOf('FIELD_FORMAT.oneOf', { allowed: GATE_DIRECTIONS }), 'must be "in" or "out"'];

const EVENT_FIELDS: Record<EventType, Readonly<Record<string, FieldRule>>> = {
  heartbeat: {
    battery: { check: number(0, 100), required: false },
    temperature: { check: number(-273.15, 1000), required: false },
    tamper: { check: boolean, required: false },
  },
  'seal-open': {},
  'seal-close': {},
  tamper: {},
  'camera-trigger': { imageSha256: { check: hex64, required: true } },
  'gate-count': {
    direction: { check: direction, required: true },
    items: { check: number(0, 1_000_000_000, true), required: true },
  },
  radiation: { countsPerSecond: { check: number(0, 1e12), required: true } },
};

function readEvent(value: unknown, at: string, p: Problems): ReadEvent | undefined {
  if (!isObj(value)) {
    p.add(wrongType('object', value), at, `an event must be a JSON object, not ${typeName(value)}`);
    return undefined;
  }
  const before = p.count;
  const time = value.time;
  const instant = typeof time === 'string' ? parseInstant(time) : undefined;
  if (time === undefined) p.add(MISSING, `${at}.time`, 'time is required');
  else if (instant === undefined)
    p.add(
      problemOf('DATE_INVALID.instant', {}),
      `${at}.time`,
      'time must be an RFC 3339 date and time, e.g. 2026-12-06T01:30:00Z',
    );
  const type = value.type;
  const rules =
    typeof type === 'string' && Object.hasOwn(EVENT_FIELDS, type)
      ? EVENT_FIELDS[type as EventType]
      : undefined;
  if (type === undefined) p.add(MISSING, `${at}.type`, 'type is required');
  else if (rules === undefined)
    p.add(
      problemOf('FIELD_FORMAT.oneOf', { allowed: EVENT_TYPES }),
      `${at}.type`,
      `type must be one of ${EVENT_TYPES.join(', ')}`,
    );
  for (const k of Object.keys(value)) {
    if (k === 'time' || k === 'type') continue;
    if (rules === undefined) continue;
    const rule = Object.hasOwn(rules, k) ? rules[k] : undefined;
    if (rule === undefined) {
      p.add(
        problemOf('FIELD_UNKNOWN', {}),
        `${at}.${k.slice(0, 64)}`,
        `a ${String(type)} event has no field "${k.slice(0, 64)}"`,
      );
      continue;
    }
    const why = rule.check(value[k]);
    if (why !== undefined) p.add(why[0], `${at}.${k}`, `${k} ${why[1]}`);
  }
  if (rules !== undefined) {
    for (const [k, rule] of Object.entries(rules)) {
      if (rule.required && value[k] === undefined) p.add(MISSING, `${at}.${k}`, `${k} is required`);
    }
  }
  if (p.count > before || instant === undefined) return undefined;
  return { ...(value as unknown as DeviceEvent), at: instant };
}

function daysIn(year: number, month: number): number {
  return month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;
}

/**
 * An RFC 3339 date-time (§5.6) → milliseconds since the epoch, or undefined. Calendar checked here
 * (Date.parse rolls 30 February over into March); a leap second (:60) is refused, as Date cannot
 * hold it.
 */
export function parseInstant(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * A batch's bytes as a device writes them: compact JSON, fields in the documented order. Any
 * writer's bytes are accepted (the signature covers whatever was sent); this is the simulator's.
 */
export function formatBatch(content: BatchContent): Uint8Array {
  const events = content.events.map(eventJson);
  return new TextEncoder().encode(
    JSON.stringify({ device: content.device, seq: content.seq, prev: content.prev, events }),
  );
}

/** One event's wire fields only (a ReadEvent's `at` is not on the wire). */
function eventJson(e: DeviceEvent): Record<string, unknown> {
  const out: Record<string, unknown> = { time: e.time, type: e.type };
  for (const k of Object.keys(EVENT_FIELDS[e.type])) {
    const v = (e as unknown as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}
