/**
 * The report model after parsing (domain.md §2). Weights are integer milligrams (domain.md §1:
 * "exact decimals with at most 3 decimal places, stored as integers of milligrams"). Dates are
 * ISO `YYYY-MM-DD` strings (calendar dates, no time zone).
 */
export type ReportType = 'ICR' | 'PIL' | 'MBR' | 'INITIAL' | 'EXPORT_NOTICE' | 'IMPORT_NOTICE';
export type ElementCode = 'P' | 'E' | 'N' | 'D' | 'T';
export type IsoDate = string;
/** Integer number of milligrams. */
export type Milligrams = number;

export interface LineRef {
  readonly reportNumber: number;
  readonly line: number;
}

export interface Counterpart {
  readonly state: string;
  readonly mba?: string;
}

export interface IcrLine {
  readonly line: number;
  readonly date: IsoDate;
  readonly code: string;
  readonly batch: string;
  readonly kmp: string;
  readonly element: ElementCode;
  readonly weightMg: Milligrams;
  readonly fissileMg?: Milligrams;
  readonly isotope?: string;
  readonly basis?: string;
  readonly form?: string;
  readonly counterpart?: Counterpart;
  readonly notice?: string;
  readonly corrects?: LineRef;
  readonly deletes?: LineRef;
}

/** PIL lines and INITIAL report lines share this shape (an inventory as of a date). */
export interface InventoryLine {
  readonly line: number;
  readonly item?: string;
  readonly batch: string;
  readonly kmp: string;
  readonly element: ElementCode;
  readonly weightMg: Milligrams;
  readonly fissileMg?: Milligrams;
  readonly isotope?: string;
  readonly basis?: string;
  readonly form?: string;
}

export type MbrEntry = 'PB' | 'BE' | 'SRD' | 'BEA' | 'PE' | 'MUF' | string;

export interface MbrLine {
  readonly line: number;
  readonly element: ElementCode;
  /** PB, BE, SRD, BEA, PE, MUF, or an inventory change code (increase or decrease). */
  readonly entry: MbrEntry;
  /** Signed for SRD and MUF; never negative otherwise. */
  readonly weightMg: Milligrams;
  readonly fissileMg?: Milligrams;
}

export interface NoticeBody {
  readonly reference: string;
  /** The other state (receiver for an export, shipper for an import). */
  readonly otherState: string;
  readonly otherMba?: string;
  readonly element: ElementCode;
  readonly weightMg: Milligrams;
  readonly fissileMg?: Milligrams;
  readonly form?: string;
  readonly batches?: readonly string[];
  readonly preparationDate: IsoDate;
  readonly dispatchDate: IsoDate;
  readonly arrivalDate: IsoDate;
}

interface ReportHeader {
  readonly mba: string;
  readonly reportNumber: number;
  readonly reportDate: IsoDate;
  readonly reportingPerson: string;
  readonly lineCount: number;
  readonly note?: string;
}

export interface IcrReport extends ReportHeader {
  readonly type: 'ICR';
  readonly period: { readonly from: IsoDate; readonly to: IsoDate };
  readonly lines: readonly IcrLine[];
}
export interface PilReport extends ReportHeader {
  readonly type: 'PIL' | 'INITIAL';
  readonly pit: IsoDate;
  readonly lines: readonly InventoryLine[];
}
export interface MbrReport extends ReportHeader {
  readonly type: 'MBR';
  readonly pit: IsoDate;
  readonly lines: readonly MbrLine[];
}
export interface NoticeReport extends ReportHeader {
  readonly type: 'EXPORT_NOTICE' | 'IMPORT_NOTICE';
  readonly notice: NoticeBody;
  readonly lines: readonly never[];
}

export type Report = IcrReport | PilReport | MbrReport | NoticeReport;
