import {
  computeEffectiveLines,
  type InventoryListing,
  type KmpError,
  type MbaEvaluationInput,
  type SourcedIcrLine,
} from '../../domain/accounting/index.js';
import type { AdvanceNotice, TransferLine } from '../../domain/transfers/index.js';
import { toIcrLine, toInventoryLine } from '../../store/reports.repo.js';
import type { ReportLineRow } from '../../store/schema.types.js';
import type { Ports } from '../ports.js';

const TRANSFER_CODES = new Set(['SD', 'SF', 'RD', 'RF']);
const SHIPMENT_CODES = new Set(['SD', 'SF']);
/** Bases that mean "measured (or estimated) in this MBA": the line's weight is this side's own figure. */
const OWN_MEASUREMENT = new Set(['M', 'E', 'T', 'G']);

export interface MbaData {
  readonly code: string;
  readonly state: string;
  readonly itemMba: boolean;
  readonly kmpErrors: Record<string, KmpError>;
  readonly inventories: InventoryListing[];
  readonly icrLines: SourcedIcrLine[];
}

/**
 * Read everything the engine needs, streaming MBA by MBA from the store (no second copy of the
 * world in memory): registry facts, inventory listings, every ICR line with its report number.
 */
export async function loadMbas(
  ports: Ports,
  /** `after`: only reports sequenced after this log index (reports are immutable: an increment). */
  filter: { mba?: string; state?: string; after?: number } = {},
): Promise<MbaData[]> {
  const k = ports.db.kysely;
  let mq = k
    .selectFrom('mbas')
    .innerJoin('facilities', 'facilities.code', 'mbas.facility')
    .select(['mbas.code as code', 'facilities.state as state', 'mbas.item_mba as item_mba']);
  if (filter.mba) mq = mq.where('mbas.code', '=', filter.mba);
  if (filter.state) mq = mq.where('facilities.state', '=', filter.state);
  const mbas = await mq.orderBy('mbas.code').execute();
  const out: MbaData[] = [];
  for (const m of mbas) {
    const kmps = await k.selectFrom('kmps').selectAll().where('mba', '=', m.code).execute();
    const kmpErrors: Record<string, KmpError> = {};
    for (const x of kmps) kmpErrors[x.code] = { random: x.random_rsd, systematic: x.systematic_rsd };
    const after = filter.after ?? -1;
    const reports = await k
      .selectFrom('reports')
      .select(['id', 'type', 'pit'])
      .where('mba', '=', m.code)
      .where('type', 'in', ['INITIAL', 'PIL'])
      .where('log_index', '>', after)
      .execute();
    const inventories: InventoryListing[] = [];
    for (const r of reports) {
      const lines = await k
        .selectFrom('report_lines')
        .selectAll()
        .where('report_id', '=', r.id)
        .orderBy('line')
        .execute();
      inventories.push({
        date: r.pit as string,
        kind: r.type as 'INITIAL' | 'PIL',
        lines: lines.map(toInventoryLine),
      });
    }
    const icr: ReportLineRow[] = await k
      .selectFrom('report_lines')
      .innerJoin('reports', 'reports.id', 'report_lines.report_id')
      .selectAll('report_lines')
      .where('report_lines.mba', '=', m.code)
      .where('report_lines.report_type', '=', 'ICR')
      .where('reports.log_index', '>', after)
      .execute();
    out.push({
      code: m.code,
      state: m.state,
      itemMba: m.item_mba === 1,
      kmpErrors,
      inventories,
      icrLines: icr.map((r) => ({ ...toIcrLine(r), reportNumber: r.report_number })),
    });
  }
  return out;
}

/** The transfer lines (effective view) of the given MBAs, with their KMP's measurement errors. */
export function transferLinesOf(mbas: readonly MbaData[]): {
  shipments: TransferLine[];
  receipts: TransferLine[];
} {
  const shipments: TransferLine[] = [];
  const receipts: TransferLine[] = [];
  for (const m of mbas) {
    for (const l of computeEffectiveLines(m.icrLines).lines) {
      if (!TRANSFER_CODES.has(l.code) || !l.counterpart) continue;
      const err = m.kmpErrors[l.kmp];
      const own = OWN_MEASUREMENT.has(l.basis ?? 'M');
      const line: TransferLine = {
        id: `${m.code}/${l.reportNumber}/${l.line}`,
        state: m.state,
        mba: m.code,
        counterpart: l.counterpart,
        code: l.code,
        batch: l.batch,
        element: l.element,
        date: l.date,
        weightMg: l.weightMg,
        ...(l.fissileMg === undefined ? {} : { fissileMg: l.fissileMg }),
        ...(l.notice === undefined ? {} : { notice: l.notice }),
        ...(l.basis === undefined ? {} : { basis: l.basis }),
        kmp: l.kmp,
        random: err?.random ?? 0,
        systematic: err?.systematic ?? 0,
        ...(!SHIPMENT_CODES.has(l.code) && own ? { measuredMg: l.weightMg } : {}),
        ...(!SHIPMENT_CODES.has(l.code) && own && l.fissileMg !== undefined
          ? { measuredFissileMg: l.fissileMg }
          : {}),
      };
      (SHIPMENT_CODES.has(l.code) ? shipments : receipts).push(line);
    }
  }
  return { shipments, receipts };
}

export async function loadNotices(ports: Ports): Promise<AdvanceNotice[]> {
  const rows = await ports.db.kysely.selectFrom('notices').selectAll().execute();
  return rows.map((n) => ({
    reference: n.reference,
    kind: n.direction === 'export' ? 'EXPORT' : 'IMPORT',
    state: n.state,
    otherState: n.other_state,
    submitted: n.submitted_at.slice(0, 10),
    preparationDate: n.preparation_date,
    dispatchDate: n.dispatch_date,
    arrivalDate: n.arrival_date,
  }));
}

export function evaluationInput(m: MbaData, extra: Partial<MbaEvaluationInput>): MbaEvaluationInput {
  return {
    mba: m.code,
    inventories: m.inventories,
    icrLines: m.icrLines,
    kmpErrors: m.kmpErrors,
    itemMba: m.itemMba,
    ...extra,
  };
}
