import type { TransferLine } from '../domain/transfers/index.js';
import type { DbOrTx } from './db.js';
import type { EvalTransferRow } from './schema.types.js';

/**
 * Transfer lines in force with their match (migration 0009, docs/decisions/0010): matching pairs
 * lines within one match key and the notice rule looks at one flow, so both are indexed and a
 * change re-matches only its key and re-checks only its flow.
 */

/** The match of a transfer line as stored: a pair, or alone ('lone': pending or unmatched by its deadline). */
export interface StoredMatch {
  readonly status: 'matched' | 'discrepant' | 'lone';
  readonly partner: { mba: string; report: number; line: number } | null;
  readonly srdMg: number | null;
  readonly fissileSrdMg: number | null;
  readonly sigmaMg: number | null;
}

export interface TransferRecord extends StoredMatch {
  readonly mba: string;
  readonly originReport: number;
  readonly originLine: number;
  readonly line: TransferLine;
  readonly matchKey: string;
  readonly flow: string | null;
  readonly shipment: boolean;
  readonly deadline: string;
  readonly noticeCode: string | null;
}

export function toTransferRecord(r: EvalTransferRow): TransferRecord {
  return {
    mba: r.mba,
    originReport: r.origin_report,
    originLine: r.origin_line,
    line: JSON.parse(r.line_json) as TransferLine,
    matchKey: r.match_key,
    flow: r.flow,
    shipment: r.shipment === 1,
    deadline: r.deadline,
    status: r.status as StoredMatch['status'],
    partner:
      r.partner_mba === null
        ? null
        : { mba: r.partner_mba, report: r.partner_report as number, line: r.partner_line as number },
    srdMg: r.srd_mg === null ? null : Number(r.srd_mg),
    fissileSrdMg: r.fissile_srd_mg === null ? null : Number(r.fissile_srd_mg),
    sigmaMg: r.sigma_mg,
    noticeCode: r.notice_code,
  };
}

function toRow(t: TransferRecord): EvalTransferRow {
  return {
    mba: t.mba,
    origin_report: t.originReport,
    origin_line: t.originLine,
    id: t.line.id,
    state: t.line.state,
    match_key: t.matchKey,
    flow: t.flow,
    shipment: t.shipment ? 1 : 0,
    line_json: JSON.stringify(t.line),
    element: t.line.element,
    date: t.line.date,
    deadline: t.deadline,
    status: t.status,
    partner_mba: t.partner?.mba ?? null,
    partner_report: t.partner?.report ?? null,
    partner_line: t.partner?.line ?? null,
    srd_mg: t.srdMg,
    fissile_srd_mg: t.fissileSrdMg,
    sigma_mg: t.sigmaMg,
    notice_code: t.noticeCode,
  };
}

/** Effective order within the world: MBA, then the line's place in its MBA's effective order. */
function ordered<T extends { orderBy(c: 'mba' | 'origin_report' | 'origin_line'): T }>(s: T): T {
  return s.orderBy('mba').orderBy('origin_report').orderBy('origin_line');
}

export async function readTransfer(
  q: DbOrTx,
  mba: string,
  origin: { report: number; line: number },
): Promise<TransferRecord | undefined> {
  const row = await q
    .selectFrom('eval_transfers')
    .selectAll()
    .where('mba', '=', mba)
    .where('origin_report', '=', origin.report)
    .where('origin_line', '=', origin.line)
    .executeTakeFirst();
  return row === undefined ? undefined : toTransferRecord(row);
}

export async function deleteTransfer(
  q: DbOrTx,
  mba: string,
  origin: { report: number; line: number },
): Promise<void> {
  await q
    .deleteFrom('eval_transfers')
    .where('mba', '=', mba)
    .where('origin_report', '=', origin.report)
    .where('origin_line', '=', origin.line)
    .execute();
}

/** Inserts or replaces a transfer line with its match. */
export async function writeTransfer(q: DbOrTx, t: TransferRecord, existed: boolean): Promise<void> {
  const row = toRow(t);
  if (!existed) {
    await q.insertInto('eval_transfers').values(row).execute();
    return;
  }
  const { mba, origin_report, origin_line, ...rest } = row;
  await q
    .updateTable('eval_transfers')
    .set(rest)
    .where('mba', '=', mba)
    .where('origin_report', '=', origin_report)
    .where('origin_line', '=', origin_line)
    .execute();
}

/** New transfer lines, in multi-row inserts (20 columns × 1 000 rows stays under PostgreSQL's bind limit). */
export async function insertTransfers(q: DbOrTx, records: readonly TransferRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += 1000) {
    await q
      .insertInto('eval_transfers')
      .values(records.slice(i, i + 1000).map(toRow))
      .execute();
  }
}

/** Every line of the match keys given, in effective order (an indexed look-up per key). */
export async function readTransfersByKeys(q: DbOrTx, keys: readonly string[]): Promise<TransferRecord[]> {
  const out: TransferRecord[] = [];
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    const rows = await ordered(
      q.selectFrom('eval_transfers').selectAll().where('match_key', 'in', chunk),
    ).execute();
    for (const r of rows) out.push(toTransferRecord(r));
  }
  return out;
}

/** Every line of one notice flow (direction, state, other state). */
export async function readTransfersOfFlow(q: DbOrTx, flow: string): Promise<TransferRecord[]> {
  const rows = await ordered(q.selectFrom('eval_transfers').selectAll().where('flow', '=', flow)).execute();
  return rows.map(toTransferRecord);
}

/** The notice flows of lines reported by a state. */
export async function readFlowsOfState(q: DbOrTx, state: string): Promise<string[]> {
  const rows = await q
    .selectFrom('eval_transfers')
    .select('flow')
    .distinct()
    .where('state', '=', state)
    .where('flow', 'is not', null)
    .execute();
  return rows.map((r) => r.flow as string);
}

export async function updateNoticeCode(
  q: DbOrTx,
  t: Pick<TransferRecord, 'mba' | 'originReport' | 'originLine'>,
  code: string | null,
): Promise<void> {
  await q
    .updateTable('eval_transfers')
    .set({ notice_code: code })
    .where('mba', '=', t.mba)
    .where('origin_report', '=', t.originReport)
    .where('origin_line', '=', t.originLine)
    .execute();
}

/**
 * Lines of one MBA that carry an alarm on `asOf`: a discrepant pair, a lone line past its
 * deadline, a notice finding. In effective order; O(alarms), not O(lines).
 */
export async function readAlarmedTransfersOfMba(
  q: DbOrTx,
  mba: string,
  asOf: string,
): Promise<TransferRecord[]> {
  const rows = await ordered(
    q
      .selectFrom('eval_transfers')
      .selectAll()
      .where('mba', '=', mba)
      .where((eb) =>
        eb.or([
          eb('status', '=', 'discrepant'),
          eb.and([eb('status', '=', 'lone'), eb('deadline', '<', asOf)]),
          eb('notice_code', 'is not', null),
        ]),
      ),
  ).execute();
  return rows.map(toTransferRecord);
}

/**
 * The transfer and notice alarms of an MBA on `asOf`, grouped by date, element and code: what
 * its balance needs (the codes per period, and how many lie outside every period). One grouped
 * query per kind, so an MBA with 100 000 unmatched lines reads a row per day, not per line.
 */
export async function countTransferAlarmsOfMba(
  q: DbOrTx,
  mba: string,
  asOf: string,
): Promise<{ date: string; element: string; code: string; n: number }[]> {
  const transfer = await q
    .selectFrom('eval_transfers')
    .select((eb) => ['date', 'element', 'status', eb.fn.countAll<number>().as('n')])
    .where('mba', '=', mba)
    .where((eb) =>
      eb.or([
        eb('status', '=', 'discrepant'),
        eb.and([eb('status', '=', 'lone'), eb('deadline', '<', asOf)]),
      ]),
    )
    .groupBy(['date', 'element', 'status'])
    .execute();
  const notice = await q
    .selectFrom('eval_transfers')
    .select((eb) => ['date', 'element', 'notice_code', eb.fn.countAll<number>().as('n')])
    .where('mba', '=', mba)
    .where('notice_code', 'is not', null)
    .groupBy(['date', 'element', 'notice_code'])
    .execute();
  return [
    ...transfer.map((r) => ({
      date: r.date,
      element: r.element,
      code: r.status === 'discrepant' ? 'SRD_3SIGMA' : 'TRANSFER_UNMATCHED',
      n: Number(r.n),
    })),
    ...notice.map((r) => ({
      date: r.date,
      element: r.element,
      code: r.notice_code as string,
      n: Number(r.n),
    })),
  ];
}

/** Every transfer line of the MBAs given (or all), in effective order. */
export async function readTransfersOf(q: DbOrTx, mbas?: readonly string[]): Promise<TransferRecord[]> {
  if (mbas !== undefined && mbas.length === 0) return [];
  let s = q.selectFrom('eval_transfers').selectAll();
  if (mbas !== undefined) s = s.where('mba', 'in', mbas);
  return (await ordered(s).execute()).map(toTransferRecord);
}

/** Match keys of an MBA's transfer lines (an MBA rebuilt re-matches them). */
export async function readKeysOfMba(q: DbOrTx, mba: string): Promise<{ keys: string[]; flows: string[] }> {
  const rows = await q
    .selectFrom('eval_transfers')
    .select(['match_key', 'flow'])
    .where('mba', '=', mba)
    .execute();
  return {
    keys: [...new Set(rows.map((r) => r.match_key))],
    flows: [...new Set(rows.flatMap((r) => (r.flow === null ? [] : [r.flow])))],
  };
}

export async function clearTransfers(q: DbOrTx, mba: string): Promise<void> {
  await q.deleteFrom('eval_transfers').where('mba', '=', mba).execute();
}

/** The advance notices given by a state (the notice rule reads only its own state's). */
export async function readNoticesOf(q: DbOrTx, state: string) {
  return q.selectFrom('notices').selectAll().where('state', '=', state).execute();
}

/**
 * Transfer counts of a state by status on `asOf` (the annual evaluation): a pair counts once, by
 * its shipment line, or by its receipt where the shipment is another state's; a lone line is
 * pending until its deadline, then unmatched. Aggregated in SQL.
 */
export async function countTransfersOfState(
  q: DbOrTx,
  state: string,
  asOf: string,
): Promise<{ matched: number; discrepant: number; pending: number; unmatched: number }> {
  const rows = await q
    .selectFrom('eval_transfers as t')
    .leftJoin('eval_transfers as p', (j) =>
      j
        .onRef('p.mba', '=', 't.partner_mba')
        .onRef('p.origin_report', '=', 't.partner_report')
        .onRef('p.origin_line', '=', 't.partner_line'),
    )
    .select((eb) => [
      't.status as status',
      eb.fn.countAll<number>().as('n'),
      eb.fn.sum<number>(eb.case().when('t.deadline', '<', asOf).then(1).else(0).end()).as('late'),
    ])
    .where('t.state', '=', state)
    // A pair within the state is counted by its shipment only.
    .where((eb) => eb.or([eb('t.shipment', '=', 1), eb('p.state', 'is', null), eb('p.state', '!=', state)]))
    .groupBy('t.status')
    .execute();
  const out = { matched: 0, discrepant: 0, pending: 0, unmatched: 0 };
  for (const r of rows) {
    const n = Number(r.n);
    if (r.status === 'lone') {
      out.unmatched += Number(r.late ?? 0);
      out.pending += n - Number(r.late ?? 0);
    } else if (r.status === 'matched' || r.status === 'discrepant') out[r.status] += n;
  }
  return out;
}
