import {
  type CokContext,
  type CokStep,
  gateMismatch,
  type TimeInterval,
} from '../../domain/monitoring/index.js';
import { DEFAULT_IC_CODES } from '../../domain/reports/index.js';
import type { DbOrTx } from '../../store/db.js';
import { declaredWindowsOf } from '../../store/declared-activities.repo.js';
import { mbaOfDevice } from '../../store/device-cok.repo.js';
import { findDevice, insertAlarms } from '../../store/monitoring.repo.js';
import {
  addGateCounts,
  closeSeal,
  declaredThroughKmp,
  gateDaysDue,
  icrCovers,
  inspectionWindows,
  openSeal,
  sealOpeningsOf,
  setGateCheck,
} from '../../store/monitoring-rules.repo.js';
import type { DeviceRow } from '../../store/schema.types.js';

/**
 * The rules of issue 18 §5 that look beyond one device (decision 0038): what a batch is judged
 * against (inspections at the facility, openings of the containment's seals), what it leaves for
 * others to be judged against (its seal's openings, its gate counts), and the comparison of a
 * gate's days with the ICR lines the state declared through its KMP.
 */

/** Far ahead: a gate day compared needs no further look unless more counts arrive for it. */
const NEVER = '9999-12-31T00:00:00.000Z';
const HOUR_MS = 3600 * 1000;
/** Gate days compared per pass; the rest wait for the next. */
const PASS_GATE_DAYS = 500;

/** What a batch of `row` spanning device times [first, last] is judged against. */
export async function cokContextOf(
  q: DbOrTx,
  row: DeviceRow,
  first: string,
  last: string,
  /** A group commit's inspections per facility, read once over the whole group's times. */
  group?: { cache: Map<string, readonly TimeInterval[]>; from: string; to: string },
): Promise<CokContext> {
  const containmentSealOpen =
    row.kind === 'camera' && row.containment !== null
      ? await sealOpeningsOf(q, row.facility, row.containment, first, last)
      : [];
  let inspections = group?.cache.get(row.facility);
  if (!inspections) {
    inspections = await inspectionWindows(q, row.facility, group?.from ?? first, group?.to ?? last);
    group?.cache.set(row.facility, inspections);
  }
  // What the state declared at the containment over the batch's times (migration 0023): a camera
  // trigger in an opening that neither an inspection nor a declaration covers is unexplained.
  const declaredActivities =
    containmentSealOpen.length > 0 && row.containment !== null
      ? await declaredWindowsOf(q, row.facility, row.containment, first, last)
      : [];
  return { inspections, declaredActivities, containmentSealOpen };
}

/** A gate day is first compared an hour after it ends (late counts of the day still arrive). */
function dayEndsAfter(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + 25 * HOUR_MS).toISOString();
}

/** Stores what a fold step leaves for other rules: its seal's openings and its gate counts. */
export async function storeRuleFacts(q: DbOrTx, row: DeviceRow, step: CokStep): Promise<void> {
  if (row.containment !== null) {
    for (const c of step.seal) {
      if (c.kind === 'open')
        await openSeal(q, {
          device: row.id,
          facility: row.facility,
          containment: row.containment,
          from_at: c.at,
        });
      else await closeSeal(q, row.id, c.at);
    }
  }
  if (row.kmp !== null && step.gate.length > 0) await addGateCounts(q, row.id, step.gate, dayEndsAfter);
}

/**
 * Compares the gate days due with the declarations (GATE_MISMATCH): the ICR lines in force at the
 * gate's KMP on that day, one item per line, in for an increase code and out for a decrease code.
 * A day the state has not declared yet (no ICR of the KMP's MBA covers it) is looked at again an
 * hour later. Answers the alarms raised (stored; their cases open with the other device alarms).
 */
export async function runGateChecks(q: DbOrTx, now: string): Promise<number> {
  let raised = 0;
  for (const g of await gateDaysDue(q, now, PASS_GATE_DAYS)) {
    const row = await findDevice(q, g.device);
    const mba = row?.kmp ? await mbaOfDevice(q, row.id) : undefined;
    if (!row?.kmp || mba === undefined) {
      await setGateCheck(q, g.device, g.day, NEVER);
      continue;
    }
    if (!(await icrCovers(q, mba, g.day))) {
      await setGateCheck(q, g.device, g.day, new Date(Date.parse(now) + HOUR_MS).toISOString());
      continue;
    }
    const declared = { in: 0, out: 0 };
    for (const d of await declaredThroughKmp(q, mba, row.kmp, g.day)) {
      const sign = DEFAULT_IC_CODES.get(d.code)?.sign;
      if (sign === 1) declared.in += d.lines;
      else if (sign === -1) declared.out += d.lines;
    }
    const alarm = gateMismatch({
      device: row.id,
      kmp: row.kmp,
      day: g.day,
      counted: { in: g.counted_in, out: g.counted_out },
      declared,
    });
    if (alarm) {
      await insertAlarms(q, [
        {
          device: row.id,
          state: row.state,
          code: alarm.code,
          at: alarm.at,
          detail: alarm.detail,
          particulars: alarm.values === undefined ? null : JSON.stringify(alarm.values),
          raised_at: now,
        },
      ]);
      raised++;
    }
    await setGateCheck(q, g.device, g.day, NEVER);
  }
  return raised;
}
