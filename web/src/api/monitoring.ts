/**
 * Remote monitoring (issue 18, decisions 0029/0030/0038): the devices the caller may see, a
 * device's state of health (CoK status, intervals, alarms with their cases) and, for its owners
 * and joint users, its events.
 */
import { apiJson, queryString, seg } from './client.js';
import type { Reply, RequestBody } from './wire.js';

export type DevicePage = Reply<'/api/devices', 'get'>;
export type DeviceItem = DevicePage['items'][number];
export type DeviceHealth = Reply<'/api/devices/{id}/status', 'get'>;
export type DeviceEventPage = Reply<'/api/devices/{id}/events', 'get'>;
export type RefusalPage = Reply<'/api/devices/{id}/refusals', 'get'>;
export type Reverified = Reply<'/api/devices/{id}/reverify', 'post'>;
export type JointUse = Reply<'/api/devices/{id}/joint-use', 'get'>['items'][number];
export type JointUseGrant = RequestBody<'/api/devices/{id}/joint-use', 'post'>;
export type JointUseWithdrawal = RequestBody<'/api/devices/{id}/joint-use/withdraw', 'post'>;
export type ActivityPage = Reply<'/api/facilities/{code}/activities', 'get'>;
export type ActivityBody = RequestBody<'/api/facilities/{code}/activities', 'post'>;

export const monitoringApi = {
  devices: (facility: string | undefined, limit: number, offset: number) =>
    apiJson<DevicePage>(`/api/devices${queryString({ facility, limit, offset })}`),
  device: (id: string) => apiJson<DeviceItem>(`/api/devices/${seg(id)}`),
  status: (id: string) => apiJson<DeviceHealth>(`/api/devices/${seg(id)}/status`),
  /**
   * The device's events, newest first; `after` is the previous page's `next` (decision 0105: a
   * page costs what it shows, however long the device's history).
   */
  events: (id: string, limit: number, after: string | undefined) =>
    apiJson<DeviceEventPage>(`/api/devices/${seg(id)}/events${queryString({ order: 'desc', limit, after })}`),
  /** The device's refused batches, newest first, with their problems (decision 0064). */
  refusals: (id: string, limit: number, offset: number) =>
    apiJson<RefusalPage>(`/api/devices/${seg(id)}/refusals${queryString({ limit, offset })}`),
  /** The activities a state declared at a facility's containments, latest first. */
  activities: (facility: string, limit: number, offset: number) =>
    apiJson<ActivityPage>(`/api/facilities/${seg(facility)}/activities${queryString({ limit, offset })}`),
  declareActivity: (facility: string, body: ActivityBody) =>
    apiJson<ActivityPage['items'][number]>(`/api/facilities/${seg(facility)}/activities`, {
      method: 'POST',
      body,
    }),
  /** Who has joint use of the device's data, with the grant that made each (decision 0063). */
  jointUses: (id: string) => apiJson<{ items: JointUse[] }>(`/api/devices/${seg(id)}/joint-use`),
  grantJointUse: (id: string, body: JointUseGrant) =>
    apiJson<DeviceItem & { logIndex: number }>(`/api/devices/${seg(id)}/joint-use`, { method: 'POST', body }),
  withdrawJointUse: (id: string, body: JointUseWithdrawal) =>
    apiJson<DeviceItem & { logIndex: number }>(`/api/devices/${seg(id)}/joint-use/withdraw`, {
      method: 'POST',
      body,
    }),
  /** An on-site re-verification: the exact bytes signed, with their Custos-Signature header. */
  reverify: (id: string, bytes: Uint8Array, signature: string) =>
    apiJson<Reverified>(`/api/devices/${seg(id)}/reverify`, {
      method: 'POST',
      rawBody: bytes as BodyInit,
      headers: { 'content-type': 'application/json', 'custos-signature': signature },
    }),
};
