/**
 * Federation between nodes (issue 17, decisions 0027/0028): this node's identity, its peers with
 * delivery state, arrangements, dead letters (the node's administrators), a state's sharing
 * ledger, and a record's provenance with the chain file the browser verifies.
 */
import { apiJson, seg } from './client.js';
import type { Reply, RequestBody } from './wire.js';

export type NodeIdentity = Reply<'/api/node', 'get'>;
export type Peer = Reply<'/api/peers', 'get'>[number];
export type PeerBody = RequestBody<'/api/peers', 'post'>;
export type Arrangement = Reply<'/api/arrangements', 'get'>[number];
export type ArrangementBody = RequestBody<'/api/arrangements', 'post'>;
export type ForwardableKind = ArrangementBody['kinds'][number];
export type DeadLetters = Reply<'/api/federation/dead-letters', 'get'>;
export type DeadLetter = DeadLetters['items'][number];
export type SharingLedger = Reply<'/api/states/{code}/sharing', 'get'>;
export type LedgerEntry = SharingLedger['items'][number];
export type SharingPeriod = SharingLedger['arrangements'][number];
export type Provenance = Reply<'/api/records/{id}/provenance', 'get'>;
export type ChainFile = Reply<'/api/records/{id}/provenance/chain', 'get'>;
export type SplitView = Reply<'/api/federation/split-views', 'get'>[number];
export type SplitViewAction = RequestBody<'/api/federation/split-views/{id}/decision', 'post'>['action'];

export const federationApi = {
  node: () => apiJson<NodeIdentity>('/api/node'),
  peers: () => apiJson<Peer[]>('/api/peers'),
  createPeer: (body: PeerBody) =>
    apiJson<Reply<'/api/peers', 'post', 201>>('/api/peers', { method: 'POST', body }),
  revokePeer: (id: string) =>
    apiJson<Reply<'/api/peers/{id}/revoke', 'post'>>(`/api/peers/${seg(id)}/revoke`, {
      method: 'POST',
      body: {},
    }),
  arrangements: () => apiJson<Arrangement[]>('/api/arrangements'),
  createArrangement: (body: ArrangementBody) =>
    apiJson<Reply<'/api/arrangements', 'post', 201>>('/api/arrangements', { method: 'POST', body }),
  endArrangement: (id: string, to?: string) =>
    apiJson<Reply<'/api/arrangements/{id}/end', 'post'>>(`/api/arrangements/${seg(id)}/end`, {
      method: 'POST',
      body: to ? { to } : {},
    }),
  deadLetters: (limit: number, offset: number) =>
    apiJson<DeadLetters>(`/api/federation/dead-letters?limit=${limit}&offset=${offset}`),
  sharing: (state: string, after: number, limit: number) =>
    apiJson<SharingLedger>(`/api/states/${seg(state)}/sharing?after=${after}&limit=${limit}`),
  splitViews: () => apiJson<SplitView[]>('/api/federation/split-views'),
  /** The evidence file, checked offline by `custos proof verify-split-view <file>` (decision 0043). */
  splitViewEvidenceUrl: (id: string) => `/api/federation/split-views/${seg(id)}/evidence`,
  decideSplitView: (id: string, action: SplitViewAction) =>
    apiJson<Reply<'/api/federation/split-views/{id}/decision', 'post'>>(
      `/api/federation/split-views/${seg(id)}/decision`,
      { method: 'POST', body: { action } },
    ),
  provenance: (id: string) => apiJson<Provenance>(`/api/records/${seg(id)}/provenance`),
  chain: (id: string) => apiJson<ChainFile>(`/api/records/${seg(id)}/provenance/chain`),
};
