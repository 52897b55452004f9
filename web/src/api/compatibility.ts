/**
 * Domestic-law compatibility (issue 19 item 2): a state's matrix, one provision's entry with its
 * versions and signed review steps, the harmonization view, cases about gaps, and the exports.
 * A provision ref is one percent-encoded path segment (decision 0033).
 */
import { apiJson, seg } from './client.js';
import type { Reply, RequestBody } from './wire.js';

export type CompatibilityMatrix = Reply<'/api/states/{code}/compatibility', 'get'>;
export type MatrixRow = CompatibilityMatrix['rows'][number];
export type CompatibilityEntryView = Reply<'/api/states/{code}/compatibility/{ref}', 'get'>;
export type CompatibilityStep = CompatibilityEntryView['steps'][number];
export type CompatibilityBody = RequestBody<'/api/states/{code}/compatibility/{ref}', 'put'>;
export type Harmonization = Reply<'/api/compatibility/provisions/{ref}', 'get'>;

const entryPath = (state: string, ref: string) => `/api/states/${seg(state)}/compatibility/${seg(ref)}`;

export const compatibilityApi = {
  matrix: (state: string) => apiJson<CompatibilityMatrix>(`/api/states/${seg(state)}/compatibility`),
  /** The exports, opened by the browser itself (a download, a printable page). */
  exportUrl: (state: string, format: 'csv' | 'html') =>
    `/api/states/${seg(state)}/compatibility?format=${format}`,
  entry: (state: string, ref: string) => apiJson<CompatibilityEntryView>(entryPath(state, ref)),
  put: (state: string, ref: string, body: CompatibilityBody) =>
    apiJson<Reply<'/api/states/{code}/compatibility/{ref}', 'put'>>(entryPath(state, ref), {
      method: 'PUT',
      body,
    }),
  /** A review step: the exact bytes signed, with their Custos-Signature header. */
  step: (state: string, ref: string, bytes: Uint8Array, signature: string) =>
    apiJson<Reply<'/api/states/{code}/compatibility/{ref}/steps', 'post', 201>>(
      `${entryPath(state, ref)}/steps`,
      {
        method: 'POST',
        rawBody: bytes as BodyInit,
        headers: { 'content-type': 'application/json', 'custos-signature': signature },
      },
    ),
  openCase: (state: string, ref: string, note?: string) =>
    apiJson<Reply<'/api/states/{code}/compatibility/{ref}/case', 'post', 201>>(
      `${entryPath(state, ref)}/case`,
      {
        method: 'POST',
        body: note ? { note } : {},
      },
    ),
  harmonization: (ref: string) => apiJson<Harmonization>(`/api/compatibility/provisions/${seg(ref)}`),
};
