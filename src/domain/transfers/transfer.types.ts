import type { Counterpart, ElementCode, IsoDate, Milligrams } from '../reports/report.types.js';

/**
 * A shipment (SD, SF) or receipt (RD, RF) line as the store feeds it: the ICR line with the
 * reporting state and MBA, and the measurement errors of its KMP resolved from the registry.
 */
export interface TransferLine {
  /** Unique id in the store (e.g. "<mba>/<report>/<line>"). */
  readonly id: string;
  readonly state: string;
  readonly mba: string;
  /** The other side: receiver of a shipment, shipper of a receipt. */
  readonly counterpart: Counterpart;
  readonly code: string;
  readonly batch: string;
  readonly element: ElementCode;
  readonly date: IsoDate;
  readonly weightMg: Milligrams;
  readonly fissileMg?: Milligrams;
  readonly notice?: string;
  readonly basis?: string;
  readonly kmp?: string;
  /** Relative random standard deviation of the KMP's method (0 when absent). */
  readonly random?: number;
  /** Relative systematic standard deviation of the KMP's method (0 when absent). */
  readonly systematic?: number;
  /** Receipt booked at the shipper's value: the receiver's own measurement, once made. */
  readonly measuredMg?: Milligrams;
  readonly measuredFissileMg?: Milligrams;
}

export type TransferStatus = 'matched' | 'discrepant' | 'pending' | 'unmatched';

export interface TransferMatch {
  readonly status: TransferStatus;
  readonly shipment?: TransferLine;
  readonly receipt?: TransferLine;
  /** SRD = shipper's declared − receiver's measured (matched and discrepant only), mg. */
  readonly srdMg?: Milligrams;
  readonly fissileSrdMg?: Milligrams;
  /** σ of the SRD, mg: both sides' random and systematic variances. */
  readonly sigmaMg?: number;
  /** End of the grace period of a transfer still alone (pending or unmatched). */
  readonly deadline?: IsoDate;
}

/** An advance notice of export or import (domain.md §2) with the date it reached the inspectorate. */
export interface AdvanceNotice {
  readonly reference: string;
  readonly kind: 'EXPORT' | 'IMPORT';
  /** The state that gave the notice. */
  readonly state: string;
  readonly otherState: string;
  readonly submitted: IsoDate;
  readonly preparationDate: IsoDate;
  readonly dispatchDate: IsoDate;
  readonly arrivalDate: IsoDate;
}

export type NoticeFindingCode = 'NOTICE_MISSING' | 'NOTICE_LATE';

export interface NoticeFinding {
  readonly code: NoticeFindingCode;
  readonly transfer: TransferLine;
  /** Why a notice was required, or why the one given is late. */
  readonly reason:
    | 'OVER_THRESHOLD'
    | 'AGGREGATE_OVER_THRESHOLD'
    | 'EXPORT_LEAD_TIME'
    | 'IMPORT_AFTER_RECEIPT';
  /** ekg of the shipment, and of the window of shipments to the same state for an aggregate. */
  readonly ekg: number;
  readonly notice?: AdvanceNotice;
}
