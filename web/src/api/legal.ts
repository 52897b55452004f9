/**
 * The legal framework (issue 19): the register of instruments and provisions, a state's
 * institutional roles, and its Additional Protocol declarations (signed, locked, supplemented).
 */
import { allPages, apiJson, queryString, seg } from './client.js';
import type { ItemOf, Reply, RequestBody } from './wire.js';

export type InstrumentItem = ItemOf<'/api/instruments'>;
export type Instrument = Reply<'/api/instruments/{id}', 'get'>;
export type Obligation = NonNullable<Instrument['provisions'][number]['obligations']>[number];
export type InstitutionRoles = Reply<'/api/states/{code}/institutions', 'get'>;
export type RolesBody = RequestBody<'/api/states/{code}/institutions', 'put'>;
export type DeclarationList = Reply<'/api/declarations', 'get'>;
export type DeclarationView = Reply<'/api/declarations/{id}', 'get'>;
export type DeclarationAccepted = Reply<'/api/declarations', 'post', 201>;

export const legalApi = {
  instruments: () => allPages<InstrumentItem>('/api/instruments'),
  instrument: (id: string) => apiJson<Instrument>(`/api/instruments/${seg(id)}`),
  roles: (state: string) => apiJson<InstitutionRoles>(`/api/states/${seg(state)}/institutions`),
  setRoles: (state: string, body: RolesBody) =>
    apiJson<Reply<'/api/states/{code}/institutions', 'put'>>(`/api/states/${seg(state)}/institutions`, {
      method: 'PUT',
      body,
    }),
  declarations: (state: string, offset = 0) =>
    apiJson<DeclarationList>(`/api/declarations${queryString({ state, limit: 100, offset })}`),
  declaration: (id: string) => apiJson<DeclarationView>(`/api/declarations/${seg(id)}`),
  /** A site map (PDF, PNG, JPEG) a declaration's item will name by the `ref` answered. */
  uploadAttachment: (state: string, contentType: string, data: string) =>
    apiJson<Reply<'/api/declarations/attachments', 'post', 201>>('/api/declarations/attachments', {
      method: 'POST',
      body: { state, contentType, data },
    }),
  /** The exact bytes signed, with their Custos-Signature header (as reports are sent). */
  declare: (bytes: Uint8Array, signature: string) =>
    apiJson<DeclarationAccepted>('/api/declarations', {
      method: 'POST',
      rawBody: bytes as BodyInit,
      headers: { 'content-type': 'application/json', 'custos-signature': signature },
    }),
};
