import { type KmpError, OWN_MEASUREMENT_BASES, type SourcedIcrLine } from '../accounting/index.js';
import type { TransferLine } from './transfer.types.js';

export const TRANSFER_CODES: ReadonlySet<string> = new Set(['SD', 'SF', 'RD', 'RF']);
export const SHIPMENT_CODES: ReadonlySet<string> = new Set(['SD', 'SF']);

/** The MBA a transfer line belongs to, with its KMPs' errors (domain.md §6). */
export interface TransferOwner {
  readonly code: string;
  readonly state: string;
  readonly kmpErrors: Readonly<Record<string, KmpError>>;
}

/**
 * The transfer line (SD, SF, RD, RF with a counterpart) of a line in force, with its KMP's errors.
 * A receipt booked at the receiver's own measurement (or with no basis) carries it as measuredMg.
 * A receipt booked at the shipper's value and since corrected to the receiver's measurement
 * (`booked`, from bookedReceiptOf: the same rule as the balance's SRD adjustment) carries the
 * booked value and basis as declared and the correction's weights as measuredMg and
 * measuredFissileMg, with the errors of the correction's KMP: pairOf then gives SRD = shipper's
 * declared − receiver's measured. Its id is that of the line in force.
 */
export function transferLineOf(
  m: TransferOwner,
  l: SourcedIcrLine,
  booked: SourcedIcrLine | undefined,
): TransferLine | undefined {
  if (!TRANSFER_CODES.has(l.code) || !l.counterpart) return undefined;
  const err = m.kmpErrors[l.kmp];
  const shipment = SHIPMENT_CODES.has(l.code);
  const b = shipment ? undefined : booked;
  const declared = b ?? l;
  const measured = !shipment && (b !== undefined || OWN_MEASUREMENT_BASES.has(l.basis ?? 'M'));
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
