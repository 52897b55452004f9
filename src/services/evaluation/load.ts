import {
  bookedReceiptOf,
  type CodeSigns,
  DEFAULT_CODE_SIGNS,
  type EffectiveEntry,
  type InventoryListing,
  type KmpError,
  OWN_MEASUREMENT_BASES,
  type SourcedIcrLine,
} from '../../domain/accounting/index.js';
import type { AdvanceNotice, TransferLine } from '../../domain/transfers/index.js';
import {
  createReportsRepo,
  type StoredLineRow,
  toIcrLine,
  toInventoryLine,
} from '../../store/reports.repo.js';
import type { Ports } from '../ports.js';

const TRANSFER_CODES = new Set(['SD', 'SF', 'RD', 'RF']);
const SHIPMENT_CODES = new Set(['SD', 'SF']);

/** The registry facts the evaluation of one MBA reads (domain.md §1, §6). */
export interface MbaMeta {
  readonly code: string;
  readonly state: string;
  readonly itemMba: boolean;
  readonly kmpErrors: Record<string, KmpError>;
  /**
   * These facts as one string: registry edits are not appended to the log, so an MBA's cached
   * evaluation is keyed by this as well as by its reports.
   */
  readonly fingerprint: string;
}

/** Every registered MBA (by code) with its state, kind and KMP errors: two small queries. */
export async function loadRegistry(ports: Ports): Promise<MbaMeta[]> {
  const k = ports.db.kysely;
  const mbas = await k
    .selectFrom('mbas')
    .innerJoin('facilities', 'facilities.code', 'mbas.facility')
    .select(['mbas.code as code', 'facilities.state as state', 'mbas.item_mba as item_mba'])
    .orderBy('mbas.code')
    .execute();
  const kmps = await k
    .selectFrom('kmps')
    .select(['mba', 'code', 'random_rsd', 'systematic_rsd'])
    .orderBy('mba')
    .orderBy('code')
    .execute();
  const byMba = new Map<string, typeof kmps>();
  for (const x of kmps) {
    const list = byMba.get(x.mba);
    if (list) list.push(x);
    else byMba.set(x.mba, [x]);
  }
  return mbas.map((m) => {
    const list = byMba.get(m.code) ?? [];
    const kmpErrors: Record<string, KmpError> = {};
    for (const x of list) kmpErrors[x.code] = { random: x.random_rsd, systematic: x.systematic_rsd };
    return {
      code: m.code,
      state: m.state,
      itemMba: m.item_mba === 1,
      kmpErrors,
      fingerprint: JSON.stringify([
        m.state,
        m.item_mba,
        list.map((x) => [x.code, x.random_rsd, x.systematic_rsd]),
      ]),
    };
  });
}

/**
 * The reports of one MBA sequenced after log index `after` (reports are immutable: an
 * increment): its inventory listings and its ICR lines with their report numbers.
 */
export async function loadReports(
  ports: Ports,
  mba: string,
  after: number,
): Promise<{ inventories: InventoryListing[]; icrLines: SourcedIcrLine[] }> {
  const k = ports.db.kysely;
  // Reports first (few rows), then their lines by primary key: a join over the MBA's lines would
  // scan its whole history to find the few new ones.
  const reports = await k
    .selectFrom('reports')
    .select(['id', 'type', 'pit'])
    .where('mba', '=', mba)
    .where('type', 'in', ['INITIAL', 'PIL', 'ICR'])
    .where('log_index', '>', after)
    .orderBy('log_index')
    .execute();
  const inventories: InventoryListing[] = [];
  const icr: StoredLineRow[] = [];
  const repo = createReportsRepo(ports.db);
  for (const r of reports) {
    const lines = await repo.linesOf(r.id);
    if (r.type === 'ICR') {
      for (const l of lines) icr.push(l);
      continue;
    }
    inventories.push({
      date: r.pit as string,
      kind: r.type as 'INITIAL' | 'PIL',
      lines: lines.map(toInventoryLine),
    });
  }
  return {
    inventories,
    icrLines: icr.map((r) => ({ ...toIcrLine(r), reportNumber: r.report_number })),
  };
}

/**
 * The transfer line (SD, SF, RD, RF with a counterpart) of an entry of the effective view, with
 * its KMP's errors. A receipt booked at the receiver's own measurement (or with no basis) carries
 * it as measuredMg. A receipt booked at the shipper's value and since corrected to the receiver's
 * measurement (bookedReceiptOf, the same rule the MBA book's SRD adjustment follows) carries the
 * booked value and basis as declared and the correction's weights as measuredMg and
 * measuredFissileMg, with the errors of the correction's KMP: pairOf then gives SRD = shipper's
 * declared − receiver's measured. Its id stays that of the line in force.
 */
export function transferLineOf(
  m: MbaMeta,
  entry: Pick<EffectiveEntry, 'current' | 'history'>,
  codeSigns: CodeSigns = DEFAULT_CODE_SIGNS,
): TransferLine | undefined {
  const l = entry.current;
  if (l === undefined || !TRANSFER_CODES.has(l.code) || !l.counterpart) return undefined;
  const err = m.kmpErrors[l.kmp];
  const shipment = SHIPMENT_CODES.has(l.code);
  const booked = shipment ? undefined : bookedReceiptOf(entry, codeSigns);
  const declared = booked ?? l;
  const measured = !shipment && (booked !== undefined || OWN_MEASUREMENT_BASES.has(l.basis ?? 'M'));
  return {
    id: `${m.code}/${l.reportNumber}/${l.line}`,
    state: m.state,
    mba: m.code,
    counterpart: l.counterpart,
    code: l.code,
    batch: l.batch,
    element: l.element,
    date: l.date,
    weightMg: declared.weightMg,
    ...(declared.fissileMg === undefined ? {} : { fissileMg: declared.fissileMg }),
    ...(l.notice === undefined ? {} : { notice: l.notice }),
    ...(declared.basis === undefined ? {} : { basis: declared.basis }),
    kmp: l.kmp,
    random: err?.random ?? 0,
    systematic: err?.systematic ?? 0,
    ...(measured ? { measuredMg: l.weightMg } : {}),
    ...(measured && l.fissileMg !== undefined ? { measuredFissileMg: l.fissileMg } : {}),
  };
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
