import { type KmpError, OWN_MEASUREMENT_BASES, type SourcedIcrLine } from '../accounting/index.js';
import type { Counterpart, ElementCode, IcrLine } from '../reports/report.types.js';
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
  return transferLineAt(m, l, l.reportNumber, booked);
}

/**
 * transferLineOf of a line of report `reportNumber`, for a caller that holds the line without it
 * (an ICR being stored): the same transfer line, without a copy of the line to carry the number.
 */
export function transferLineAt(
  m: TransferOwner,
  l: IcrLine,
  reportNumber: number,
  booked: IcrLine | undefined,
): TransferLine | undefined {
  if (!TRANSFER_CODES.has(l.code) || !l.counterpart) return undefined;
  const err = m.kmpErrors[l.kmp];
  const shipment = SHIPMENT_CODES.has(l.code);
  const b = shipment ? undefined : booked;
  const declared = b ?? l;
  const measured = !shipment && (b !== undefined || OWN_MEASUREMENT_BASES.has(l.basis ?? 'M'));
  return new TransferLineObject(
    `${m.code}/${reportNumber}/${l.line}`,
    m.state,
    m.code,
    l.counterpart,
    l.code,
    l.batch,
    l.element,
    l.date,
    declared.weightMg,
    declared.fissileMg,
    l.notice,
    declared.basis,
    l.kmp,
    err?.random ?? 0,
    err?.systematic ?? 0,
    measured ? l.weightMg : undefined,
    measured ? l.fissileMg : undefined,
  );
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/*
 * A transfer line is made by a constructor, not by an object literal with spread optional parts:
 * every ICR transfer line goes through here at intake (100 000 for a big ICR), and the spreads
 * made each one by copying six temporary objects. The prototype is Object.prototype and the
 * fields are set in the literal's order, only when defined, so the line is the same plain object
 * as before: same keys in the same order, same JSON, equal to the literal (as build-report.ts's
 * lines, decision 0051).
 */
const TransferLineObject = function (
  this: Mutable<TransferLine>,
  id: string,
  state: string,
  mba: string,
  counterpart: Counterpart,
  code: string,
  batch: string,
  element: ElementCode,
  date: string,
  weightMg: number,
  fissileMg: number | undefined,
  notice: string | undefined,
  basis: string | undefined,
  kmp: string,
  random: number,
  systematic: number,
  measuredMg: number | undefined,
  measuredFissileMg: number | undefined,
) {
  this.id = id;
  this.state = state;
  this.mba = mba;
  this.counterpart = counterpart;
  this.code = code;
  this.batch = batch;
  this.element = element;
  this.date = date;
  this.weightMg = weightMg;
  if (fissileMg !== undefined) this.fissileMg = fissileMg;
  if (notice !== undefined) this.notice = notice;
  if (basis !== undefined) this.basis = basis;
  this.kmp = kmp;
  this.random = random;
  this.systematic = systematic;
  if (measuredMg !== undefined) this.measuredMg = measuredMg;
  if (measuredFissileMg !== undefined) this.measuredFissileMg = measuredFissileMg;
} as unknown as new (
  ...args: [
    string,
    string,
    string,
    Counterpart,
    string,
    string,
    ElementCode,
    string,
    number,
    number | undefined,
    string | undefined,
    string | undefined,
    string,
    number,
    number,
    number | undefined,
    number | undefined,
  ]
) => TransferLine;
TransferLineObject.prototype = Object.prototype;
