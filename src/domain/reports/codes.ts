/**
 * Code sets used to read and check reports. They are data per agreement (domain.md §3: "The
 * code set is data (per agreement), not hard-coded logic"); these are Custos' defaults, and the
 * service passes the agreement's own sets in the ValidationContext.
 */
import type { ElementCode } from './report.types.js';

export interface IcCodeInfo {
  /** +1 increases the book inventory, −1 decreases it (domain.md §3). */
  readonly sign: 1 | -1;
  /** International or domestic transfer: the line needs a counterpart (and, if foreign, may cite a notice). */
  readonly transfer?: 'domestic' | 'foreign';
  /**
   * The line brings a batch into this MBA's book under its name (receipts, starting point,
   * de-exemption), so the name must not already be on the book (BATCH_REUSED).
   */
  readonly createsBatch?: boolean;
  readonly meaning: string;
}

export const DEFAULT_IC_CODES: ReadonlyMap<string, IcCodeInfo> = new Map<string, IcCodeInfo>([
  ['RD', { sign: 1, transfer: 'domestic', createsBatch: true, meaning: 'receipt, domestic' }],
  ['RF', { sign: 1, transfer: 'foreign', createsBatch: true, meaning: 'receipt, foreign (import)' }],
  ['RN', { sign: 1, createsBatch: true, meaning: 'receipt from a non-safeguarded activity' }],
  ['RS', { sign: 1, createsBatch: true, meaning: 'receipt at the starting point of safeguards' }],
  ['NP', { sign: 1, meaning: 'nuclear production' }],
  ['GA', { sign: 1, meaning: 'accidental gain' }],
  ['DU', { sign: 1, createsBatch: true, meaning: 'de-exemption (use)' }],
  ['DQ', { sign: 1, createsBatch: true, meaning: 'de-exemption (quantity)' }],
  ['SD', { sign: -1, transfer: 'domestic', meaning: 'shipment, domestic' }],
  ['SF', { sign: -1, transfer: 'foreign', meaning: 'shipment, foreign (export)' }],
  ['SN', { sign: -1, meaning: 'shipment to a non-safeguarded activity' }],
  ['NL', { sign: -1, meaning: 'nuclear loss' }],
  ['LD', { sign: -1, meaning: 'measured discard' }],
  ['TW', { sign: -1, meaning: 'transfer to retained waste' }],
  ['LA', { sign: -1, meaning: 'accidental loss' }],
  ['EU', { sign: -1, meaning: 'exemption (use)' }],
  ['EQ', { sign: -1, meaning: 'exemption (quantity)' }],
  ['TU', { sign: -1, meaning: 'termination of safeguards' }],
]);

export const ELEMENT_CODES: readonly ElementCode[] = ['P', 'E', 'N', 'D', 'T'];

/** Measurement basis codes (domain.md §2). */
export const DEFAULT_BASIS_CODES: ReadonlySet<string> = new Set(['M', 'E', 'N', 'F', 'T', 'G', 'L', 'H']);

/** Isotope codes: G = U-235, J = U-233 (domain.md §1, configurable per agreement). */
export const DEFAULT_ISOTOPE_CODES: ReadonlySet<string> = new Set(['G', 'J']);

/** MBR entries that are not inventory change codes (domain.md §4). */
export const MBR_BALANCE_ENTRIES: ReadonlySet<string> = new Set(['PB', 'BE', 'SRD', 'BEA', 'PE', 'MUF']);

/** MBR entries whose weight may be negative: SRD and MUF are differences (domain.md §4). */
export const MBR_SIGNED_ENTRIES: ReadonlySet<string> = new Set(['SRD', 'MUF']);
