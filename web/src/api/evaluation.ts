/** Evaluation: balances, alarms, transfers and a state's annual summary. */
import { apiJson, type Page, type PageQuery, queryString, seg } from './client.js';
import type { ItemOf, Reply } from './wire.js';

export type Alarm = ItemOf<'/api/alarms'>;
/** GET /api/alarms/summary: counts per state in scope and per alarm code. */
export type AlarmSummary = Reply<'/api/alarms/summary', 'get'>;
export type Transfer = ItemOf<'/api/transfers'>;
export type TransferSide = NonNullable<Transfer['shipment']>;

/*
 * Hand-written until the route declares its response schema (docs/decisions/0013 lists which);
 * then the type comes from ./wire.js like the others.
 */
export interface SignificantQuantity {
  readonly category: string;
  readonly basis: string;
  /** One significant quantity in milligrams. */
  readonly mg: number;
}

/** One material balance period; every figure in grams. */
export interface BalancePeriod {
  readonly from: string;
  readonly to: string;
  readonly pb: number;
  readonly increases: Readonly<Record<string, number>>;
  readonly decreases: Readonly<Record<string, number>>;
  readonly be: number;
  readonly srd: number;
  readonly bea: number;
  readonly pe: number;
  readonly muf: number;
  readonly sigmaMuf: number;
  readonly sitmuf: number;
  readonly cumuf: number;
  readonly page: number;
  readonly alarms: readonly string[];
}

export interface Balances {
  readonly mba: string;
  readonly element: string | null;
  readonly elements: readonly string[];
  readonly category: string | null;
  readonly significantQuantity: SignificantQuantity | null;
  readonly page: { readonly k: number; readonly h: number };
  readonly sigmaModel: string;
  readonly periods: readonly BalancePeriod[];
}

export interface StateEvaluation {
  readonly state: string;
  readonly year: number;
  readonly mbas: number;
  readonly balancesClosed: number;
  readonly alarms: Readonly<Record<string, number>>;
  readonly openAlarms: readonly { key: string; mba: string; element?: string; date: string; code: string }[];
  readonly timeliness: Readonly<Record<string, number>>;
  readonly transfers: Readonly<Record<string, number>>;
  readonly conclusion: {
    readonly category: string;
    readonly statement: string;
    readonly reasons: readonly string[];
  };
}

export const evaluationApi = {
  balances: (mba: string, element?: string) =>
    apiJson<Balances>(`/api/mbas/${seg(mba)}/balances${queryString({ element })}`),
  /** One page of the alarms, sorted and filtered by the server (docs/decisions/0007). */
  alarms: (query: PageQuery & { state?: string; mba?: string; code?: string } = {}, signal?: AbortSignal) =>
    apiJson<Page<Alarm>>(`/api/alarms${queryString(query)}`, { signal }),
  /** Alarm counts per state in scope and per code (the overview), without the alarms themselves. */
  alarmSummary: () => apiJson<AlarmSummary>('/api/alarms/summary'),
  /** One page of the transfers, sorted and filtered by the server. */
  transfers: (query: PageQuery & { state?: string; status?: string } = {}, signal?: AbortSignal) =>
    apiJson<Page<Transfer>>(`/api/transfers${queryString(query)}`, { signal }),
  stateEvaluation: (state: string, year: number) =>
    apiJson<StateEvaluation>(`/api/states/${seg(state)}/evaluation${queryString({ year })}`),
};
