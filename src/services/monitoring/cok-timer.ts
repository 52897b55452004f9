import {
  type CokState,
  type DeviceAlarmCode,
  foldTick,
  silenceCheckAfter,
} from '../../domain/monitoring/index.js';
import type { DbOrTx } from '../../store/db.js';
import {
  deviceAlarmsWithoutCase,
  devicesDueForCheck,
  markDeviceAlarmCase,
  mbaOfDevice,
  tryLockCokTimer,
} from '../../store/device-cok.repo.js';
import { findDevice, updateDevice } from '../../store/monitoring.repo.js';
import { ensureCaseForAlarm } from '../cases/index.js';
import { isoNow, type Ports } from '../ports.js';
import { cokDeviceOf } from './batch-record.js';
import { storeStep } from './ingest.js';
import { runGateChecks } from './rules.js';

/**
 * Continuity of knowledge as time passes (issue 18 §5, decision 0030). A batch folds into its
 * device's CoK in the transaction that commits it (ingest.ts); this timer finds the devices that
 * went silent — DEVICE_SILENT within a pass of the heartbeat plus tolerance — and opens the case
 * of every device alarm, whichever transaction raised it. Every server runs it; one pass at a
 * time holds a PostgreSQL advisory lock (as the integrator's), and a device a batch is folding is
 * locked by that batch's transaction until it commits.
 */

/** Devices looked at per pass; the rest wait for the next pass. */
const PASS_DEVICES = 1000;
/** Alarms whose cases a pass opens. */
const PASS_CASES = 200;

async function tickDevice(tx: DbOrTx, ports: Pick<Ports, 'db'>, id: string, now: string): Promise<number> {
  // Locked (PostgreSQL) so a batch of this device committing meanwhile folds after this tick.
  const row = await findDevice(tx, id, ports.db.dialect === 'postgres');
  if (row?.status !== 'installed') return 0;
  const device = cokDeviceOf(row);
  const step = foldTick(JSON.parse(row.cok) as CokState, device, now);
  const alarms = await storeStep(tx, row, step, now);
  await updateDevice(tx, id, {
    cok: JSON.stringify(step.state),
    cok_check_after: silenceCheckAfter(step.state, device),
  });
  return alarms.length;
}

/** Opens the case of each device alarm not yet followed (one per cause: openCaseForAlarm is idempotent). */
export async function openDeviceAlarmCases(ports: Ports): Promise<number> {
  let opened = 0;
  for (const a of await deviceAlarmsWithoutCase(ports.db.kysely, PASS_CASES)) {
    try {
      const mba = await mbaOfDevice(ports.db.kysely, a.device);
      const created = await ensureCaseForAlarm(
        ports,
        { source: 'device', code: a.code as DeviceAlarmCode, state: a.state, device: a.device, at: a.at },
        { note: a.detail, ...(mba === undefined ? {} : { mba }) },
      );
      if (created) opened++;
      await markDeviceAlarmCase(ports.db.kysely, a);
    } catch (err) {
      ports.logger.warn(
        { err: (err as Error).message, device: a.device, code: a.code },
        'no case for a device alarm',
      );
    }
  }
  return opened;
}

/** One pass: silent devices, gate days due against the declarations, then the cases of pending alarms. Undefined when another server holds the pass. */
export async function runCokPass(ports: Ports): Promise<{ alarms: number; cases: number } | undefined> {
  const now = isoNow(ports.clock);
  const alarms = await ports.db.kysely.transaction().execute(async (tx) => {
    if (!(await tryLockCokTimer(tx, ports.db.dialect))) return undefined;
    let raised = 0;
    for (const id of await devicesDueForCheck(tx, now, PASS_DEVICES))
      raised += await tickDevice(tx, ports, id, now);
    return raised + (await runGateChecks(tx, now));
  });
  if (alarms === undefined) return undefined;
  return { alarms, cases: await openDeviceAlarmCases(ports) };
}

/**
 * Runs a pass every `ms` and whenever `nudge` is called (an alarm was just committed: its case
 * opens now rather than at the next tick); never two at once in this process.
 */
export function startCokTimer(ports: Ports, ms: number): { nudge(): void; stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  let again = false;
  const pass = () => {
    if (running) {
      again = true;
      return;
    }
    running = runCokPass(ports)
      .catch((err: unknown) => ports.logger.error({ err }, 'continuity-of-knowledge pass failed'))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          pass();
        }
      });
  };
  const timer = setInterval(pass, ms);
  timer.unref();
  return {
    nudge: pass,
    async stop() {
      clearInterval(timer);
      again = false;
      await running;
    },
  };
}
