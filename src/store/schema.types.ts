import type { Generated } from 'kysely';

/** Row types of every table. Times are RFC 3339 UTC strings, dates `YYYY-MM-DD`, flags 0/1. */
export interface StateRow {
  code: string;
  name: string;
  created_at: string;
  created_by: string;
}

export interface OrganisationRow {
  id: string;
  name: string;
  kind: string;
  state: string | null;
  created_at: string;
  created_by: string;
}

export interface AgreementRow {
  id: string;
  type: string;
  title: string;
  entry_into_force: string;
  status: string;
  created_at: string;
  created_by: string;
}

export interface AgreementPartyRow {
  agreement_id: string;
  /** 'state' (an ISO code) or 'organisation' (an organisation id). */
  party_kind: string;
  party_ref: string;
}

export interface FacilityRow {
  code: string;
  name: string;
  type: string;
  state: string;
  latitude: number;
  longitude: number;
  created_at: string;
  created_by: string;
}

export interface MbaRow {
  code: string;
  facility: string;
  description: string;
  item_mba: number;
  created_at: string;
  created_by: string;
}

export interface KmpRow {
  mba: string;
  code: string;
  kind: string;
  method: string;
  random_rsd: number;
  systematic_rsd: number;
  created_at: string;
  created_by: string;
}

export interface SigningKeyRow {
  id: string;
  organisation_id: string;
  public_key: string;
  valid_from: string;
  valid_to: string | null;
  revoked_at: string | null;
  created_at: string;
  created_by: string;
}

export interface UserRow {
  id: string;
  login: string;
  name: string;
  organisation_id: string | null;
  roles: string;
  password_hash: string | null;
  created_at: string;
  created_by: string;
}

export interface ApiTokenRow {
  id: string;
  user_id: string;
  token_hash: string;
  label: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface SessionRow {
  id_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
}

export interface LogEntryRow {
  idx: number;
  leaf: Uint8Array;
  kind: string;
  record_id: string;
  created_at: string;
}

export interface LogHashRow {
  id: number;
  hash: Uint8Array;
}

export interface LogSequenceRow {
  id: number;
  next_index: number;
}

export interface LogStateRow {
  id: number;
  integrated_size: number;
  root: Uint8Array;
  /** The note of the latest checkpoint (text), or '' before the first one. */
  checkpoint: string;
  /** -1 before the first checkpoint. */
  checkpoint_size: number;
  checkpoint_at: string;
}

export interface LogCheckpointRow {
  size: number;
  root: Uint8Array;
  note: string;
  created_at: string;
}

export interface RecordRow {
  id: string;
  kind: string;
  log_index: number;
  salt: Uint8Array;
  subject_state: string | null;
  subject_org: string | null;
  created_at: string;
  created_by: string;
}

export interface WitnessStateRow {
  origin: string;
  size: number;
  root: Uint8Array;
  updated_at: string;
}

export interface LogCosignatureRow {
  size: number;
  witness: string;
  line: string;
  created_at: string;
}

export interface KvRow {
  key: string;
  value: string;
}

export interface Schema {
  states: StateRow;
  organisations: OrganisationRow;
  agreements: AgreementRow;
  agreement_parties: AgreementPartyRow;
  facilities: FacilityRow;
  mbas: MbaRow;
  kmps: KmpRow;
  signing_keys: SigningKeyRow;
  users: UserRow;
  api_tokens: ApiTokenRow;
  sessions: SessionRow;
  log_entries: LogEntryRow;
  log_hashes: LogHashRow;
  log_sequence: LogSequenceRow;
  log_state: LogStateRow;
  log_checkpoints: LogCheckpointRow;
  records: RecordRow;
  kv: KvRow;
  witness_state: WitnessStateRow;
  log_cosignatures: LogCosignatureRow;
}

export type { Generated };
