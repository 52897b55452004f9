/** The registry: states, organisations and their keys, agreements, facilities, MBAs and KMPs. */

import type { Locale } from '../../../src/domain/locales.js';
import { allPages, apiJson, type Page, type PageQuery, queryString, seg } from './client.js';
import type { ItemOf, Reply } from './wire.js';

export type Me = Reply<'/api/me', 'get'>;
export type State = ItemOf<'/api/states'>;
export type Organisation = ItemOf<'/api/organisations'>;
export type Agreement = ItemOf<'/api/agreements'>;
export type Facility = ItemOf<'/api/facilities'>;
/** An MBA as the registry lists answer it, with its facility's name and state. */
export type Mba = ItemOf<'/api/mbas'>;
export type MbaDetail = Reply<'/api/mbas/{code}', 'get'>;
export type RegisteredKey = ItemOf<'/api/organisations/{id}/keys'>;
export type Kmp = ItemOf<'/api/kmps'>;

export const api = {
  me: () => apiJson<Me>('/api/me'),
  login: (login: string, password: string) =>
    apiJson<Me>('/api/session', { method: 'POST', body: { login, password } }),
  logout: () => apiJson<void>('/api/session', { method: 'DELETE' }),
  /** Keeps the user's language on the server, so it follows them to another device. */
  setLocale: (locale: Locale) =>
    apiJson<Reply<'/api/me/locale', 'put'>>('/api/me/locale', { method: 'PUT', body: { locale } }),
  // Whole lists (a map of every facility, a choice of organisations): every page, in order.
  states: () => allPages<State>('/api/states'),
  organisations: () => allPages<Organisation>('/api/organisations'),
  keys: (organisation: string) => allPages<RegisteredKey>(`/api/organisations/${seg(organisation)}/keys`),
  agreements: (query: { state?: string } = {}) => allPages<Agreement>('/api/agreements', query),
  facilities: () => allPages<Facility>('/api/facilities'),
  facility: (code: string) => apiJson<Reply<'/api/facilities/{code}', 'get'>>(`/api/facilities/${seg(code)}`),
  mbas: (query: { state?: string; facility?: string } = {}) => allPages<Mba>('/api/mbas', query),
  mba: (code: string) => apiJson<MbaDetail>(`/api/mbas/${seg(code)}`),
  kmps: (mba: string) => allPages<Kmp>('/api/kmps', { mba }),
  // One page, as a server-paged table shows it.
  statesPage: (query: PageQuery) => apiJson<Page<State>>(`/api/states${queryString(query)}`),
  agreementsPage: (query: PageQuery & { state?: string; type?: string }) =>
    apiJson<Page<Agreement>>(`/api/agreements${queryString(query)}`),
  facilitiesPage: (query: PageQuery & { state?: string; type?: string }) =>
    apiJson<Page<Facility>>(`/api/facilities${queryString(query)}`),
  mbasPage: (query: PageQuery & { state?: string; facility?: string }) =>
    apiJson<Page<Mba>>(`/api/mbas${queryString(query)}`),
  kmpsPage: (query: PageQuery & { mba?: string }) => apiJson<Page<Kmp>>(`/api/kmps${queryString(query)}`),
};
