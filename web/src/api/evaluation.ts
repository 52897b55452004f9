/** Evaluation: balances, alarms, transfers and a state's annual summary. */
import { apiJson, type Page, type PageQuery, queryString, seg } from './client.js';
import type { ItemOf, Reply } from './wire.js';

export type Alarm = ItemOf<'/api/alarms'>;
/** GET /api/alarms/summary: counts per state in scope and per alarm code. */
export type AlarmSummary = Reply<'/api/alarms/summary', 'get'>;
export type Transfer = ItemOf<'/api/transfers'>;
export type TransferSide = NonNullable<Transfer['shipment']>;

/** GET /api/mbas/:code/balances: one element's balance periods, statistics and alarms. */
export type Balances = Reply<'/api/mbas/{code}/balances', 'get'>;
/** One material balance period; every figure in grams. */
export type BalancePeriod = Balances['periods'][number];
/** GET /api/states/:code/evaluation: a state's year and the draft annual conclusion. */
export type StateEvaluation = Reply<'/api/states/{code}/evaluation', 'get'>;

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
