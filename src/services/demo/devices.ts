import type { DeviceEvent, DeviceKind } from '../../domain/monitoring/index.js';
import { GENESIS_PREV, signBatch } from '../../domain/monitoring/index.js';
import type { Principal } from '../../domain/policy/index.js';
import { ed25519PublicKey, encodeBase64, encodeHex, sha256 } from '../../log/index.js';
import { createActivityDeclarations } from '../monitoring/activities.js';
import { createDeviceRegistry } from '../monitoring/devices.js';
import { openCasesForDeviceAlarms } from '../monitoring/index.js';
import { createIngestion, type RaisedAlarm } from '../monitoring/ingest.js';
import type { Clock, Ports } from '../ports.js';
import { submitterOf } from './reports.js';

/**
 * The demo world's remote monitoring (issue 18 item 7): at the Arcadia fuel fabrication plant, an
 * electronic seal and a surveillance camera on one containment (the LEU powder cage of XA-F1) and
 * a radiation monitor at its shipment gate (KMP B), with the week of data they sent. Everything
 * goes through the real registry and ingestion — signed, chained batches, one log record each,
 * CoK folded as the data came in — with a simulated clock, as the demo reports are: each device
 * was registered a week ago and uploaded its data every four hours, one batch per upload.
 *
 * The week holds two openings of the cage's seal: one five days ago, with no inspection in
 * progress, which raised SEAL_OPENED (and, as the camera saw movement in the open cage,
 * CAMERA_UNDECLARED) and opened their cases through the alarm → case path; and one two days ago
 * during the joint inspection (the regional authority's seal check), which raised nothing.
 */
export const DEMO_FACILITY = 'XA-FAB';
export const DEMO_CONTAINMENT = 'XA-F1-CAGE-1';
export const DEMO_DEVICES = {
  seal: 'XA-FAB-SEAL-01',
  camera: 'XA-FAB-CAM-01',
  radiation: 'XA-FAB-RAD-01',
} as const;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Heartbeat and upload period of every demo device: one batch per heartbeat period. */
const PERIOD = 4 * HOUR;
const PERIODS = (7 * DAY) / PERIOD;

interface DemoDevice {
  readonly id: string;
  readonly kind: DeviceKind;
  readonly kmp?: string;
  readonly containment?: string;
  /** The device's events other than its heartbeats, in [start, end]. */
  events(start: number, end: number): DeviceEvent[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A hash standing for a camera frame: the demo has no images, only what the camera signed. */
function frameHash(device: string, at: number): string {
  return encodeHex(sha256(new TextEncoder().encode(`demo frame ${device} ${iso(at)}`)));
}

/** The seal openings of the week, relative to its end: one unexplained, one during the inspection. */
function openings(end: number): { unexplained: number; inspected: number } {
  return { unexplained: end - 5 * DAY + 73 * MINUTE, inspected: end - 2 * DAY + 137 * MINUTE };
}

function demoDevices(end: number): DemoDevice[] {
  const o = openings(end);
  return [
    {
      id: DEMO_DEVICES.seal,
      kind: 'seal',
      containment: DEMO_CONTAINMENT,
      events: () => [
        { time: iso(o.unexplained), type: 'seal-open' },
        { time: iso(o.unexplained + 38 * MINUTE), type: 'seal-close' },
        { time: iso(o.inspected), type: 'seal-open' },
        { time: iso(o.inspected + 25 * MINUTE), type: 'seal-close' },
      ],
    },
    {
      id: DEMO_DEVICES.camera,
      kind: 'camera',
      containment: DEMO_CONTAINMENT,
      events: (start) => {
        // Routine movement in the hall twice a day, and movement in the cage while its seal is open.
        const times = [o.unexplained + 6 * MINUTE, o.unexplained + 21 * MINUTE, o.inspected + 4 * MINUTE];
        for (let d = 0; d < 7; d++)
          times.push(start + d * DAY + 5 * HOUR + 20 * MINUTE, start + d * DAY + 10 * HOUR);
        return times.map((t) => ({
          time: iso(t),
          type: 'camera-trigger',
          imageSha256: frameHash(DEMO_DEVICES.camera, t),
        }));
      },
    },
    {
      id: DEMO_DEVICES.radiation,
      kind: 'radiation-monitor',
      kmp: 'B',
      events: (start, end) => {
        // A reading every quarter hour: background, and two shipments of LEU assemblies passing.
        const shipments = [end - 6 * DAY + 10 * HOUR, end - 1 * DAY + 11 * HOUR];
        const out: DeviceEvent[] = [];
        for (let i = 1, t = start + 15 * MINUTE; t < end; i++, t += 15 * MINUTE) {
          const passing = shipments.some((s) => t >= s && t < s + 45 * MINUTE);
          const background = 110 + 9 * Math.sin(i * 1.7) + 4 * Math.sin(i * 0.13);
          out.push({
            time: iso(t),
            type: 'radiation',
            countsPerSecond: Math.round(passing ? 2600 + 300 * Math.sin(i) : background),
          });
        }
        return out;
      },
    },
  ];
}

/** A clock the seeder moves: the time each registration and upload happened. */
class DemoClock implements Clock {
  constructor(public at: number) {}
  now(): Date {
    return new Date(this.at);
  }
}

/**
 * Registers the demo devices and ingests their week, ending just before `ports.clock`'s now;
 * the facility's inspection (seeded before) covers the inspected opening. Answers the alarms
 * raised, once their cases are open.
 */
export async function seedDemoDevices(ports: Ports, admin: Principal): Promise<RaisedAlarm[]> {
  const end = Math.floor(ports.clock.now().getTime() / MINUTE) * MINUTE - 2 * MINUTE;
  const start = end - PERIODS * PERIOD;
  const clock = new DemoClock(start - 15 * MINUTE);
  const sim: Ports = { ...ports, clock };
  const registry = createDeviceRegistry(sim);
  const ingestion = createIngestion(sim);
  const raised: RaisedAlarm[] = [];
  ingestion.onAlarms((alarms) => raised.push(...alarms));

  // The seal first: the camera is judged against the openings its batches leave.
  for (const d of demoDevices(end)) {
    const seed = ports.random.bytes(32);
    clock.at = start - 15 * MINUTE;
    await registry.register(admin, {
      id: d.id,
      kind: d.kind,
      facility: DEMO_FACILITY,
      kmp: d.kmp,
      containment: d.containment,
      owners: ['agency', 'rsa'],
      publicKey: encodeBase64(ed25519PublicKey(seed)),
      heartbeatSeconds: PERIOD / 1000,
    });
    const events = d.events(start, end);
    let prev = GENESIS_PREV;
    const uploads: Promise<unknown>[] = [];
    for (let k = 1; k <= PERIODS; k++) {
      const to = start + k * PERIOD;
      const from = to - PERIOD;
      const batch: DeviceEvent[] = events.filter((e) => {
        const t = Date.parse(e.time);
        return t > from && t <= to;
      });
      // The heartbeat that ends each period, then the upload a minute later.
      batch.push({
        time: iso(to),
        type: 'heartbeat',
        battery: Math.round(980 - k / 2) / 10,
        temperature: 21,
        tamper: false,
      });
      batch.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
      const signed = signBatch(seed, { device: d.id, seq: k, prev, events: batch });
      prev = signed.hash;
      // The ingestion takes the time of arrival as it is called, before anything is awaited.
      clock.at = to + MINUTE;
      const upload = ingestion.ingest({
        device: d.id,
        bytes: signed.bytes,
        signature: signed.header,
        transport: 'http',
      });
      // The first upload alone (it reads the device's key); the rest go in together, in seq order,
      // so the group commit takes many in one transaction (a week costs a few commits, not 42).
      if (k === 1) await upload;
      else uploads.push(upload);
    }
    await Promise.all(uploads);
  }
  // Arcadia declares tomorrow's work in the cage, 08:00-11:00 UTC (a logged record): camera
  // triggers then while the seal is open are explained (decision 0042); the opening still alarms.
  const next = Math.floor(end / DAY) * DAY + DAY + 8 * HOUR;
  await createActivityDeclarations(ports).declare(await submitterOf(ports, 'xa-ssac'), DEMO_FACILITY, {
    containment: DEMO_CONTAINMENT,
    from: iso(next),
    to: iso(next + 3 * HOUR),
    description: 'Re-packing of LEU powder cans in the cage; the agency is notified for a seal replacement.',
  });
  // Each case opens when the batch that raised its alarm came in, as on a running server.
  for (const a of raised) {
    clock.at = start + Math.ceil((Date.parse(a.at) - start) / PERIOD) * PERIOD + MINUTE;
    await openCasesForDeviceAlarms(sim, [a]);
  }
  return raised;
}
