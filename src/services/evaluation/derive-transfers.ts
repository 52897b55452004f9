import { icrDeadline, inventorySums } from '../../domain/accounting/index.js';
import {
  type AdvanceNotice,
  checkNotices,
  matchKeyOf,
  noticeFlowOf,
  pairKey,
  SHIPMENT_CODES,
  type TransferLine,
} from '../../domain/transfers/index.js';
import {
  clearAccounting,
  insertInventories,
  readAccountingReports,
  readMbaFacts,
  readPits,
  readReportLines,
} from '../../store/accounting.repo.js';
import type { DbOrTx } from '../../store/db.js';
import { toIcrLine, toInventoryLine } from '../../store/reports.repo.js';
import {
  clearTransfers,
  deleteTransfer,
  insertTransfers,
  readFlowsOfState,
  readKeysOfMba,
  readNoticesOf,
  readTransfer,
  readTransfersByKeys,
  readTransfersOfFlow,
  type StoredMatch,
  type TransferRecord,
  updateNoticeCode,
  writeTransfer,
} from '../../store/transfers.repo.js';
import { deriveIcr } from './derive.js';

/** A transfer line of an MBA entry that an ICR created, revised (undefined: no longer a transfer line) or deleted. */
export interface TransferChange {
  readonly origin: { report: number; line: number };
  readonly line: TransferLine | undefined;
  /** The entry existed before this report (its stored line, if any, is replaced). */
  readonly revised?: boolean;
}

const SIGMA_FACTOR = 3;

function okey(mba: string, report: number, line: number): string {
  return `${mba}\u0001${report}\u0001${line}`;
}

function recordOf(mba: string, origin: { report: number; line: number }, line: TransferLine): TransferRecord {
  const shipment = SHIPMENT_CODES.has(line.code);
  return {
    mba,
    originReport: origin.report,
    originLine: origin.line,
    line,
    matchKey: matchKeyOf(line, shipment),
    flow: noticeFlowOf(line) ?? null,
    shipment,
    deadline: icrDeadline(line.date),
    status: 'lone',
    partner: null,
    srdMg: null,
    fissileSrdMg: null,
    sigmaMg: null,
    noticeCode: null,
  };
}

function sameRecord(a: TransferRecord, b: TransferRecord): boolean {
  return (
    a.status === b.status &&
    a.srdMg === b.srdMg &&
    a.fissileSrdMg === b.fissileSrdMg &&
    a.sigmaMg === b.sigmaMg &&
    a.partner?.mba === b.partner?.mba &&
    a.partner?.report === b.partner?.report &&
    a.partner?.line === b.partner?.line &&
    JSON.stringify(a.line) === JSON.stringify(b.line)
  );
}

/** The match of every line of the given keys (matchTransfers' greedy pairing, key by key). */
function matchAll(records: Iterable<TransferRecord>): Map<string, TransferRecord> {
  const byKey = new Map<string, TransferRecord[]>();
  for (const r of records) {
    const list = byKey.get(r.matchKey);
    if (list === undefined) byKey.set(r.matchKey, [r]);
    else list.push(r);
  }
  const out = new Map<string, TransferRecord>();
  const lone: StoredMatch = { status: 'lone', partner: null, srdMg: null, fissileSrdMg: null, sigmaMg: null };
  for (const list of byKey.values()) {
    list.sort((a, b) =>
      a.mba < b.mba ? -1 : a.mba > b.mba ? 1 : a.originReport - b.originReport || a.originLine - b.originLine,
    );
    const ships = list.filter((r) => r.shipment);
    const receipts = list.filter((r) => !r.shipment);
    const { pairs } = pairKey(
      ships.map((r) => r.line),
      receipts.map((r) => r.line),
      SIGMA_FACTOR,
    );
    const paired = new Set<TransferRecord>();
    const receiptOf = new Map(receipts.map((r) => [r.line, r]));
    ships.forEach((s, i) => {
      const pair = pairs[i];
      if (pair === undefined) return;
      const r = receiptOf.get(pair.receipt!)!;
      const m = {
        status: pair.status as 'matched' | 'discrepant',
        srdMg: pair.srdMg ?? null,
        fissileSrdMg: pair.fissileSrdMg ?? null,
        sigmaMg: pair.sigmaMg ?? null,
      };
      out.set(okey(s.mba, s.originReport, s.originLine), {
        ...s,
        ...m,
        partner: { mba: r.mba, report: r.originReport, line: r.originLine },
      });
      out.set(okey(r.mba, r.originReport, r.originLine), {
        ...r,
        ...m,
        partner: { mba: s.mba, report: s.originReport, line: s.originLine },
      });
      paired.add(s).add(r);
    });
    for (const r of list)
      if (!paired.has(r)) out.set(okey(r.mba, r.originReport, r.originLine), { ...r, ...lone });
  }
  return out;
}

/**
 * Puts an ICR's transfer lines in, re-matches only the match keys they left or joined, and
 * re-checks only the notice flows they touch.
 */
export async function applyTransferChanges(
  q: DbOrTx,
  mba: string,
  changes: readonly TransferChange[],
): Promise<void> {
  if (changes.length === 0) return;
  const keys = new Set<string>();
  const flows = new Set<string>();
  /** Entry key → its transfer line after this report (undefined: none). */
  const next = new Map<string, TransferRecord | undefined>();
  const inDb = new Map<string, TransferRecord>();
  for (const c of changes) {
    const k = okey(mba, c.origin.report, c.origin.line);
    if (c.revised === true && !next.has(k)) {
      const old = await readTransfer(q, mba, c.origin);
      if (old !== undefined) {
        inDb.set(k, old);
        keys.add(old.matchKey);
        if (old.flow !== null) flows.add(old.flow);
      }
    }
    const r = c.line === undefined ? undefined : recordOf(mba, c.origin, c.line);
    if (r !== undefined) {
      keys.add(r.matchKey);
      if (r.flow !== null) flows.add(r.flow);
    }
    next.set(k, r);
  }
  const world = new Map<string, TransferRecord>();
  for (const r of await readTransfersByKeys(q, [...keys])) {
    const k = okey(r.mba, r.originReport, r.originLine);
    world.set(k, r);
    inDb.set(k, r);
  }
  for (const [k, r] of next) {
    if (r === undefined) world.delete(k);
    else world.set(k, { ...r, noticeCode: inDb.get(k)?.noticeCode ?? null });
  }
  const matched = matchAll(world.values());
  const fresh: TransferRecord[] = [];
  for (const [k, r] of matched) {
    const old = inDb.get(k);
    if (old === undefined) fresh.push(r);
    else if (!sameRecord(old, r) || old.matchKey !== r.matchKey) await writeTransfer(q, r, true);
  }
  for (const [k, old] of inDb) {
    if (!matched.has(k)) await deleteTransfer(q, old.mba, { report: old.originReport, line: old.originLine });
  }
  await insertTransfers(q, fresh);
  for (const f of flows) await recheckFlow(q, f);
}

function toNotice(n: Awaited<ReturnType<typeof readNoticesOf>>[number]): AdvanceNotice {
  return {
    reference: n.reference,
    kind: n.direction === 'export' ? 'EXPORT' : 'IMPORT',
    state: n.state,
    otherState: n.other_state,
    submitted: n.submitted_at.slice(0, 10),
    preparationDate: n.preparation_date,
    dispatchDate: n.dispatch_date,
    arrivalDate: n.arrival_date,
  };
}

/** The notice findings of one flow (checkNotices over its lines and its state's notices). */
async function recheckFlow(q: DbOrTx, flow: string): Promise<void> {
  const rows = await readTransfersOfFlow(q, flow);
  const state = rows[0]?.line.state;
  if (state === undefined) return;
  const notices = (await readNoticesOf(q, state)).map(toNotice);
  const codes = new Map<string, string>();
  for (const f of checkNotices(
    rows.map((r) => r.line),
    notices,
  ))
    codes.set(f.transfer.id, f.code);
  for (const r of rows) {
    const code = codes.get(r.line.id) ?? null;
    if (code !== r.noticeCode) await updateNoticeCode(q, r, code);
  }
}

/** A new notice of a state: its flows are checked again. */
export async function recheckNoticesOfState(q: DbOrTx, state: string): Promise<void> {
  for (const flow of await readFlowsOfState(q, state)) await recheckFlow(q, flow);
}

/**
 * Builds an MBA's derived state again from its stored reports, one report at a time (an
 * upgrade, or periods that moved): what it held is removed, its former match keys and flows are
 * settled again without it, then its reports are applied in log order with the final PITs.
 */
export async function rebuildMbaState(q: DbOrTx, mba: string): Promise<void> {
  const former = await readKeysOfMba(q, mba);
  await clearAccounting(q, mba);
  await clearTransfers(q, mba);
  const remaining = matchAll(await readTransfersByKeys(q, former.keys));
  for (const r of remaining.values()) await writeTransfer(q, r, true);
  for (const f of former.flows) await recheckFlow(q, f);
  const [facts] = await readMbaFacts(q, [mba]);
  if (facts === undefined) return;
  const pits = await readPits(q, mba);
  for (const r of await readAccountingReports(q, mba)) {
    const rows = await readReportLines(q, r.id);
    if (r.type === 'ICR') {
      await deriveIcr(q, facts, r.reportNumber, rows.map(toIcrLine), pits);
    } else if (r.pit !== null) {
      await insertInventories(q, mba, inventorySums({ date: r.pit, lines: rows.map(toInventoryLine) }));
    }
  }
}
