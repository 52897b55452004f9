import type { Generated } from 'kysely';
import type { AttachmentType, CaseActor, CaseKind, CaseStatus } from '../domain/cases/index.js';
import type {
  DefectLevel,
  FacilityKind,
  Finding,
  InspectionType,
  JointActivity,
  SamplingPlan,
} from '../domain/inspections/index.js';
import type { CompatibilityStatus, Institution, ReviewStep } from '../domain/legal/index.js';
import type { RecordKind } from '../domain/record-kinds.js';
import type {
  AgreementParty,
  AgreementStatus,
  AgreementType,
  FacilityType,
  KmpKind,
  OrganisationKind,
} from '../domain/registry/index.js';
import type { ReportType } from '../domain/reports/index.js';

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
  kind: OrganisationKind;
  state: string | null;
  created_at: string;
  created_by: string;
}

export interface AgreementRow {
  id: string;
  type: AgreementType;
  title: string;
  entry_into_force: string;
  status: AgreementStatus;
  created_at: string;
  created_by: string;
}

export interface AgreementPartyRow {
  agreement_id: string;
  /** 'state' (an ISO code) or 'organisation' (an organisation id). */
  party_kind: AgreementParty['kind'];
  party_ref: string;
}

export interface FacilityRow {
  code: string;
  name: string;
  type: FacilityType;
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
  kind: KmpKind;
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

/** A user's own settings (migration 0013): the web app's language. */
export interface UserPreferenceRow {
  user_id: string;
  locale: string;
  updated_at: string;
}

/** The legal register (migration 0016, decision 0031). */
export interface LegalInstrumentRow {
  id: string;
  /** The current version. */
  version: number;
  title: string;
  kind: string;
  in_force_date: string | null;
  updated_at: string;
}

export interface LegalInstrumentVersionRow {
  instrument_id: string;
  version: number;
  title: string;
  kind: string;
  parties_json: string;
  signature_date: string | null;
  in_force_date: string | null;
  suspended_date: string | null;
  created_at: string;
  created_by: string;
}

export interface LegalProvisionRow {
  instrument_id: string;
  version: number;
  position: number;
  ref: string;
  text: string;
  obligations_json: string | null;
}

export interface LegalInstrumentPartyRow {
  instrument_id: string;
  party: string;
}

export interface LegalProvisionRefRow {
  ref: string;
  instrument_id: string;
}

export interface InstitutionRoleVersionRow {
  state: string;
  version: number;
  created_at: string;
  created_by: string;
}

export interface InstitutionRoleRow {
  state: string;
  version: number;
  duty: string;
  organisation: string;
  basis: string | null;
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

/** Record kinds committed to the log: the closed list is the domain's (the browser names them). */
export type { RecordKind };

export interface LogEntryRow {
  idx: number;
  leaf: Uint8Array;
  kind: RecordKind;
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
  kind: RecordKind;
  log_index: number;
  salt: Uint8Array;
  /**
   * The id the record's leaf carries (decision 0021): 32 random hex digits for leaves of form v2;
   * for leaves written before the node moved to v2, the record id itself (what those leaves hold).
   */
  leaf_id: string;
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

export interface ReportRow {
  id: string;
  state: string;
  organisation_id: string;
  mba: string;
  type: ReportType;
  report_number: number;
  report_date: string;
  period_from: string | null;
  period_to: string | null;
  pit: string | null;
  reporting_person: string;
  line_count: number;
  note: string | null;
  notice_json: string | null;
  body_sha256: string;
  body_format: string;
  key_id: string;
  signature: string;
  warnings_json: string;
  submitted_at: string;
  submitted_by: string;
  log_index: number;
}

export interface ReportBodyRow {
  report_id: string;
  /** The signed bytes, encoded by `codec` (store/body-codec.ts). */
  body: Uint8Array;
  codec: Generated<string>;
}

/** One line of a stored report; its MBA, type and number are the report row's (migration 0008). */
export interface ReportLineRow {
  report_id: string;
  line: number;
  date: string | null;
  code: string | null;
  entry: string | null;
  item: string | null;
  batch: string | null;
  kmp: string | null;
  element: string;
  weight_mg: number;
  fissile_mg: number | null;
  isotope: string | null;
  basis: string | null;
  form: string | null;
  counterpart_state: string | null;
  counterpart_mba: string | null;
  notice: string | null;
  corrects_report: number | null;
  corrects_line: number | null;
  deletes_report: number | null;
  deletes_line: number | null;
}

/**
 * An original ICR line that later lines corrected or deleted, with the line now in force
 * (domain/accounting/effective.ts); lines without a row here are in force as accepted.
 */
export interface IcrRevisionRow {
  mba: string;
  origin_report: number;
  origin_line: number;
  current_report: number;
  current_line: number;
  /** 1 when the last revision deleted the line: nothing of it is in force. */
  deleted: number;
}

export interface ReportRejectionRow {
  id: string;
  state: string | null;
  organisation_id: string;
  mba: string | null;
  type: string | null;
  report_number: number | null;
  period_from: string | null;
  period_to: string | null;
  pit: string | null;
  body_sha256: string;
  codes_json: string;
  details_json: string;
  submitted_at: string;
  submitted_by: string;
  log_index: number;
  /** A summary of refusals counted past the hourly quota (decision 0023): how many, since when. */
  summary_count: number | null;
  summary_from: string | null;
}

export interface NoticeRow {
  reference: string;
  report_id: string;
  direction: string;
  state: string;
  mba: string;
  other_state: string;
  other_mba: string | null;
  element: string;
  weight_mg: number;
  fissile_mg: number | null;
  preparation_date: string;
  dispatch_date: string;
  arrival_date: string;
  submitted_at: string;
}

/** Inspections (issue 7; migration 0006). JSON arrays are stored as text. */
export interface InspectionRow {
  id: string;
  type: InspectionType;
  facility: string;
  state: string;
  facility_kind: FacilityKind;
  mbas: string;
  participants: string;
  starts_at: string;
  notice_given_at: string | null;
  arrived_at: string | null;
  notice_terms: string;
  required_notice_hours: number;
  planned_man_days: number;
  inventory_ekg: number | null;
  throughput_ekg: number | null;
  /** 'in-progress' once the team has arrived. */
  status: 'scheduled' | 'in-progress';
  created_at: string;
  created_by: string;
}

export interface InspectionActivityRow {
  inspection_id: string;
  activity: JointActivity;
  inspectorate: string;
}

export interface InspectorDesignationRow {
  id: string;
  inspectorate: string;
  state: string;
  inspector: string;
  received_on: string;
  decision: 'accepted' | 'rejected' | null;
  decided_on: string | null;
  decided_by: string | null;
  created_at: string;
  created_by: string;
}

export interface SamplingDrawRow {
  id: string;
  inspection_id: string | null;
  organisation_id: string | null;
  state: string | null;
  population: number;
  average_content: number;
  goal_quantity: number;
  non_detection_probability: number;
  defect_level: DefectLevel;
  sample_size: number;
  defects_to_detect: number;
  method: SamplingPlan['method'];
  seed: string;
  item_ids: string;
  sample: string;
  created_at: string;
  created_by: string;
}

export interface InspectionStratumRow {
  inspection_id: string;
  stratum: string;
  mba: string | null;
  activity: JointActivity;
  population: number;
  operator_random: number;
  operator_systematic: number;
  inspector_random: number;
  inspector_systematic: number;
  goal_quantity: number | null;
  sampling_draw_id: string | null;
  created_at: string;
  created_by: string;
}

export interface InspectionItemRow {
  inspection_id: string;
  stratum: string;
  item_id: string;
  declared: number;
  measured: number | null;
  present: number | null;
  seal_intact: number | null;
  recorded_by: string;
  recorded_org: string;
  recorded_at: string;
}

export interface InspectionFindingRow {
  id: string;
  inspection_id: string;
  key: string;
  /** A verification finding type, item-absent, seal-broken, or a manual finding's own word. */
  type: string;
  severity: Finding['severity'];
  stratum: string | null;
  items: string;
  mbas: string;
  value: number | null;
  sigma: number | null;
  description: string;
  source: 'verification' | 'manual';
  case_id: string | null;
  created_at: string;
  created_by: string;
}

export interface InspectionStatementRow {
  inspection_id: string;
  organisation_id: string;
  statement: string;
  signature: string;
  key_id: string;
  received_at: string;
  created_by: string;
}

/** A login-throttle counter (decision 0022); `key` is '<p|a|l|k>:' + SHA-256 hex. */
export interface AuthThrottleRow {
  key: string;
  failures: number;
  /** Start of the counting window, or (p:) the last failure, or (k:) the last success. */
  since: string;
  expires_at: string;
}

/** Refusals of one principal in one UTC hour (decision 0023). */
export interface RefusalCountRow {
  principal: string;
  /** The hour, 'YYYY-MM-DDTHH'. */
  period: string;
  state: string | null;
  organisation_id: string;
  /** Refusals seen in the period; the first ones were logged one by one. */
  seen: number;
  /** Refusals past the quota: counted here, logged as one refusal-summary record. */
  counted: number;
  codes_json: string;
  first_at: string | null;
  last_at: string | null;
  /** SHA-256 hex chain over the counted bodies' SHA-256: h = SHA-256(h ‖ body hash), from 64 zeros. */
  bodies_chain: string;
  /** The refusal record that logged the count, once the hour is over. */
  summary_id: string | null;
}

export interface KvRow {
  key: string;
  value: string;
}

// ---- cases and notifications (0005-cases)
export interface CaseRow {
  id: string;
  case_key: string | null;
  kind: CaseKind;
  state: string;
  mba: string | null;
  inspectorate: string;
  title: string;
  /** JSON: what the case is about (report, lines, transfer, period, finding, obligation). */
  about: string;
  status: CaseStatus;
  due_date: string | null;
  event_count: number;
  opened_at: string;
  opened_by: string;
  updated_at: string;
}

export interface CaseShareRow {
  case_id: string;
  inspectorate: string;
}

export interface CaseTransitionRow {
  case_id: string;
  seq: number;
  from_status: CaseStatus | null;
  to_status: CaseStatus;
  at: string;
  by: string;
  actor_kind: CaseActor['kind'];
  actor_org: string | null;
  note: string | null;
  note_internal: number;
  due_date: string | null;
  linked_report: string | null;
  /** JSON {keyId, signature} of the deciding inspectorate, or null (attested by the log only). */
  signature: string | null;
}

export interface CaseMessageRow {
  case_id: string;
  seq: number;
  at: string;
  by: string;
  actor_kind: CaseActor['kind'];
  actor_org: string | null;
  body: string;
  internal: number;
  /** JSON [{hash, name, contentType, size}]. */
  attachments: string;
}

export interface CaseAttachmentRow {
  hash: string;
  content_type: AttachmentType;
  size: number;
  bytes: Uint8Array;
  created_at: string;
  created_by: string;
}

/** A file a declaration commits to by hash (migration 0027): a site map, Art. 2.a.(iii). */
export interface DeclarationAttachmentRow {
  state: string;
  /** SHA-256 of the bytes, 64 lowercase hex digits (the item says `sha256:<hash>`). */
  hash: string;
  content_type: string;
  size: number;
  bytes: Uint8Array;
  created_at: string;
  created_by: string;
}

export interface EventRow {
  id: Generated<number>;
  type: string;
  state: string | null;
  organisation: string | null;
  /** JSON array of organisation ids that may see it, or null for everyone. */
  audience: string | null;
  at: string;
  data: string;
}

export interface InboxRow {
  id: Generated<number>;
  user_id: string;
  event_id: number;
  created_at: string;
  read_at: string | null;
}

/** A user's number of unread inbox items (decision 0103). */
export interface InboxUnreadRow {
  user_id: string;
  n: number;
}

export interface NotificationKeyRow {
  key: string;
  event_id: number | null;
  created_at: string;
}

export interface WebhookRow {
  id: string;
  organisation_id: string;
  url: string;
  secret: string;
  /** JSON array of event types, empty = all. */
  events: string;
  /** JSON object of extra headers. */
  headers: string;
  /** pending (not verified), verified, disabled. */
  status: 'pending' | 'verified' | 'disabled';
  created_at: string;
  created_by: string;
  verified_at: string | null;
}

export interface WebhookDeliveryRow {
  id: string;
  webhook_id: string;
  event_id: number;
  event_type: string;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  next_attempt_at: string | null;
  lease_until: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

/** Exact sums of effective ICR lines per MBA, bucket, element, code and KMP (migration 0009). */
export interface EvalCellRow {
  mba: string;
  bucket: string;
  element: string;
  code: string;
  kmp: string;
  n: number;
  w: number;
  f: number;
  sw: number;
  /** Σ weight², decimal text (beyond 2^53). */
  sq: string;
  srd: number;
  srd_f: number;
  abs: number;
  iso_j: number;
}

export interface EvalInventoryRow {
  mba: string;
  pit: string;
  element: string;
  kmp: string;
  n: number;
  w: number;
  f: number;
  sq: string;
  abs: number;
  iso_j: number;
}

export interface EvalEntryRow {
  mba: string;
  origin_report: number;
  origin_line: number;
  last_report: number;
  last_line: number;
  anchor_report: number | null;
  anchor_line: number | null;
  anchor_deleted: number;
}

export interface EvalVersionRow {
  mba: string;
  report: number;
  line: number;
  origin_report: number;
  origin_line: number;
}

/** A transfer line in force (migration 0010, docs/decisions/0016); the line itself is in report_lines. */
export interface EvalTransferRow {
  /** 48-bit hash of the match key of the line in force (domain/transfers matchHash). */
  mkey: number;
  mba: string;
  origin_report: number;
  origin_line: number;
  /** 1 shipment (SD, SF), 0 receipt. */
  ship: number;
  /** 0 matched, 1 discrepant, 2 lone (pending or unmatched by its deadline). */
  status: number;
  /** Notice finding: null, 1 NOTICE_MISSING, 2 NOTICE_LATE. */
  notice: number | null;
  /** The notice flow of an international line (direction, state, other state); null otherwise. */
  flow: string | null;
}

/**
 * How often an MBA's derived state changed (migration 0060, decision 0108): bumped in the
 * transaction that writes its cells, inventories, transfer rows or counts; evaluations and the
 * case-opening pass compare it with what they last saw.
 */
export interface EvalMarkRow {
  mba: string;
  version: number;
}

/** Lines per MBA, kind, day and element (migration 0010; kinds: store/transfers.repo.ts COUNT_KIND). */
export interface EvalTransferCountRow {
  mba: string;
  kind: number;
  day: string;
  element: string;
  n: number;
}

/**
 * ICR lines in force per MBA, KMP, day and inventory change code (migration 0042): what gate
 * monitoring compares a device's counts with.
 */
export interface EvalKmpDayRow {
  mba: string;
  kmp: string;
  day: string;
  code: string;
  n: number;
}

/**
 * The first acceptance of one subject (an ICR's period, a PIT) of an MBA's reports of a type
 * (migration 0046): what its reporting obligations are judged by.
 */
export interface ObligationFirstRow {
  mba: string;
  state: string;
  type: string;
  /** period_from|period_to|pit, each '' when absent (the key cannot hold nulls). */
  subject: string;
  period_from: string | null;
  period_to: string | null;
  pit: string | null;
  first_at: string;
}

/** A row of eval_transfers in a notice flow, by the date of its line in force (migration 0043). */
export interface EvalNoticeLineRow {
  flow: string;
  day: string;
  mba: string;
  origin_report: number;
  origin_line: number;
}

/** An entry of eval_notice_lines whose line in force names an advance notice, by that reference (migration 0047). */
export interface EvalNoticeRefRow {
  notice: string;
  flow: string;
  day: string;
  mba: string;
  origin_report: number;
  origin_line: number;
}

/** A line that corrected or deleted an ICR line, under the original its chain leads to (migration 0044). */
export interface IcrRevisionLineRow {
  mba: string;
  origin_report: number;
  origin_line: number;
  report_number: number;
  line: number;
}

export interface EvalBuiltRow {
  mba: string;
  built_at: string;
}

export interface EvalStatusRow {
  id: number;
  built: number;
}

/** An Additional Protocol declaration, locked once submitted (migration 0017, decision 0032). */
export interface DeclarationRow {
  id: string;
  state: string;
  organisation_id: string;
  article: string;
  period_from: string;
  period_to: string;
  /** The declaration this one amends; each is amended at most once (a chain). */
  supplements: string | null;
  item_count: number;
  body_sha256: string;
  key_id: string;
  signature: string;
  submitted_at: string;
  submitted_by: string;
  log_index: number;
}

export interface DeclarationBodyRow {
  declaration_id: string;
  /** The signed bytes as received. */
  body: Uint8Array;
}

/** One declared item; the columns beside fields_json are what the cross-checks join on. */
export interface DeclarationItemRow {
  declaration_id: string;
  idx: number;
  state: string;
  article: string;
  annex_ref: string | null;
  element: string | null;
  /** Quantity (kg or items) in thousandths, exact. */
  quantity_milli: number | null;
  /** The other State: destination of an export, origin of an import. */
  counterpart: string | null;
  item_date: string | null;
  fields_json: string;
}

/** Federation (migration 0014, decision 0027). */
export interface FedPeerRow {
  id: string;
  name: string;
  url: string;
  /** The log origin named by `log_key`. */
  origin: string;
  /** The peer's log verifier key (C2SP `<origin>+<keyid>+<base64>`). */
  log_key: string;
  /** The peer's node key: base64 of the raw Ed25519 public key. */
  node_key: string;
  /** First 16 hex digits of SHA-256 of the raw node key: the RFC 9421 keyid. */
  key_id: string;
  status: 'active' | 'revoked';
  created_at: string;
  created_by: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

export interface FedNonceRow {
  key_id: string;
  nonce: string;
  expires_at: string;
}

export interface FedArrangementRow {
  id: string;
  peer_id: string;
  direction: 'send' | 'receive';
  /** JSON array of state codes. */
  states: string;
  /** JSON array of record kinds. */
  kinds: string;
  from_date: string;
  created_at: string;
  created_by: string;
  /** The end (exclusive), null while the arrangement is open (migration 0025). */
  to_date: string | null;
  ended_at: string | null;
  ended_by: string | null;
}

export interface FedArrangementScopeRow {
  arrangement_id: string;
  peer_id: string;
  direction: 'send' | 'receive';
  state: string;
  kind: string;
  from_date: string;
  to_date: string | null;
}

/** A send arrangement's backlog of earlier records, queued a chunk at a time (migration 0051). */
export interface FedBackfillRow {
  arrangement_id: string;
  /** The first log index not yet looked at. */
  next_index: number;
  /** The arrangement's own record: the backlog ends before it. */
  until_index: number;
  created_at: string;
}

/** A peer's acknowledged outbox rows: their number and the latest time (decision 0096). */
export interface FedDeliveredRow {
  peer_id: string;
  delivered: number;
  last_at: string | null;
}

export interface FedOutboxRow {
  peer_id: string;
  log_index: number;
  record_id: string;
  kind: string;
  state: string;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  /** JSON of the receiver's signed acknowledgement. */
  ack: string | null;
}

export interface FedInboxRow {
  source: string;
  idx: number;
  peer_id: string;
  record_id: string;
  kind: string;
  state: string;
  leaf: Uint8Array;
  leaf_hash: string;
  salt: Uint8Array;
  proof: string;
  received_index: number;
  received_at: string;
  /** Canonical JSON of the committed content, for kinds stored nowhere else (migration 0025). */
  content: string | null;
}

export interface FedDeadLetterRow {
  direction: 'outbound' | 'inbound';
  peer_id: string;
  source: string;
  idx: number;
  record_id: string;
  code: string;
  reason: string;
  at: string;
}

export interface FedLeaseRow {
  name: string;
  holder: string;
  until: string;
}

/** A signed checkpoint of a log seen by this node (migration 0024, decision 0043). */
/** A third log's verifier key, pinned from the peer exchange that first named it (decision 0054). */
export interface FedLogRow {
  origin: string;
  /** C2SP verifier key */
  log_key: string;
  /** The log's base URL, as the peer gave it (consistency proofs are fetched there), or null. */
  url: string | null;
  /** `exchange:<peer id>` */
  via: string;
  learned_at: string;
}

export interface FedCheckpointRow {
  origin: string;
  size: number;
  /** base64 of the root hash */
  root: string;
  note: string;
  /** This node's cosignature line over the checkpoint (C2SP tlog-cosignature), when it cosigned. */
  cosignature: string | null;
  /** Where it was seen: `log` (fetched from the log), `bundle`, `exchange:<peer id>`, `own`. */
  via: string;
  seen_at: string;
  retired_at: string | null;
}

/** Two inconsistent signed checkpoints of one log, and what the administrator decided. */
export interface FedSplitViewRow {
  id: string;
  origin: string;
  /** The peer whose log it is; null for this node's own log. */
  peer_id: string | null;
  /** The evidence file (custos/split-view@v1 JSON with the log's verifier key). */
  evidence: string;
  /** 1 when the evidence proves the split view offline; 0 when the log could not produce a proof. */
  proven: number;
  /** Why, as a stable code (the page words it): see SPLIT_VIEW_CAUSES (services/federation). */
  cause: 'same-size' | 'other-history' | 'no-proof' | 'bad-proof';
  /** The same in English, with the sizes and roots, for the log and the API's readers. */
  reason: string;
  via: string;
  detected_at: string;
  status: 'open' | 'resumed' | 'revoked';
  decided_at: string | null;
  decided_by: string | null;
  note: string | null;
}

// ---- remote monitoring (migration 0015, decision 0029)

export interface DeviceRow {
  id: string;
  kind: string;
  facility: string;
  /** The facility's state, kept on the row so scope filters need no join. */
  state: string;
  kmp: string | null;
  containment: string | null;
  /** JSON array of organisation ids. */
  owners: string;
  /** JSON array of organisation ids granted joint use. */
  joint_use: string;
  /** base64 of the raw 32-byte Ed25519 public key. */
  public_key: string;
  key_id: string;
  heartbeat_seconds: number;
  status: string;
  changes: number;
  head_seq: number;
  head_hash: string;
  last_event_at: string | null;
  last_seen_at: string | null;
  /** JSON of the CoK fold state (decision 0030). */
  cok: string;
  /** When the CoK timer looks at the device next (migration 0020); null: at once. */
  cok_check_after?: string | null;
  /**
   * How many events of the device are stored, kept by the batch commit that stores them (migration
   * 0057, decision 0105): its event list's total. Left out on registration (the column's 0).
   */
  event_count?: number;
  registered_at: string;
  registered_by: string;
}

export interface DevicePartyRow {
  device: string;
  organisation: string;
  role: 'owner' | 'joint';
}

export interface DeviceChangeRow {
  device: string;
  n: number;
  action: string;
  snapshot: string;
  at: string;
  by: string;
  log_index: number;
}

export interface DeviceBatchRow {
  device: string;
  seq: number;
  hash: string;
  prev: string;
  key_id: string;
  signature: string;
  bytes: Uint8Array;
  events: number;
  first_event_at: string;
  last_event_at: string;
  received_at: string;
  log_index: number;
}

export interface DeviceEventRow {
  device: string;
  at: string;
  seq: number;
  idx: number;
  type: string;
  data: string | null;
}

export interface DeviceRefusalRow {
  device: string;
  at: string;
  code: string;
  details: string;
  seq: number | null;
  body_sha256: string;
  transport: string;
}

export interface DeviceIntervalRow {
  device: string;
  reason: string;
  status: string;
  from_at: string;
  to_at: string | null;
  detail: string;
  closed_by: string | null;
  /** JSON `{ code, values }` of the chain's problem, for a chain-broken interval (migration 0031). */
  particulars?: string | null;
}

export interface DeviceAlarmRow {
  device: string;
  code: string;
  at: string;
  state: string;
  detail: string;
  raised_at: string;
  /** 1 once its case is opened or found open (migration 0020). */
  case_opened?: number;
  /** JSON values of the alarm, e.g. a gate's counts (migration 0031). */
  particulars?: string | null;
}

/** One opening of a seal, by facility and containment (migration 0021, decision 0038). */
export interface DeviceSealOpeningRow {
  device: string;
  facility: string;
  containment: string;
  from_at: string;
  /** null while the seal is open. */
  to_at: string | null;
}

/** An activity a state declared at a containment (migration 0023): camera triggers in it are explained. */
export interface DeclaredActivityRow {
  id: string;
  state: string;
  facility: string;
  containment: string;
  from_at: string;
  to_at: string;
  description: string;
  declared_at: string;
  /** The declaring user's id. */
  declared_by: string;
  log_index: number;
}

/** A gate monitor's items on one UTC day (migration 0021, decision 0038). */
export interface DeviceGateDayRow {
  device: string;
  /** YYYY-MM-DD. */
  day: string;
  counted_in: number;
  counted_out: number;
  /** When the day is next compared with the declarations; far ahead once compared. */
  check_after: string;
}

/** One version of a state's compatibility entry for one provision (migration 0018, decision 0033). */
export interface CompatibilityVersionRow {
  state: string;
  provision: string;
  version: number;
  status: CompatibilityStatus;
  act: string | null;
  section: string | null;
  text: string | null;
  in_force_from: string | null;
  in_force_to: string | null;
  institution: Institution | null;
  note: string | null;
  evidence: string | null;
  /** The workflow step (its seq) that set this version, or null when set directly. */
  step: number | null;
  at: string;
  by: string;
}

/** One signed step of the review workflow: the exact signed bytes (UTF-8 JSON), key and signature. */
export interface CompatibilityStepRow {
  state: string;
  provision: string;
  seq: number;
  step: ReviewStep;
  body: string;
  key_id: string;
  signature: string;
  organisation_id: string;
  at: string;
  by: string;
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
  user_preferences: UserPreferenceRow;
  legal_instruments: LegalInstrumentRow;
  legal_instrument_versions: LegalInstrumentVersionRow;
  legal_provisions: LegalProvisionRow;
  legal_instrument_parties: LegalInstrumentPartyRow;
  legal_provision_refs: LegalProvisionRefRow;
  institution_role_versions: InstitutionRoleVersionRow;
  institution_roles: InstitutionRoleRow;
  api_tokens: ApiTokenRow;
  sessions: SessionRow;
  log_entries: LogEntryRow;
  log_hashes: LogHashRow;
  log_sequence: LogSequenceRow;
  log_state: LogStateRow;
  log_checkpoints: LogCheckpointRow;
  records: RecordRow;
  kv: KvRow;
  auth_throttle: AuthThrottleRow;
  refusal_counts: RefusalCountRow;
  reports: ReportRow;
  report_bodies: ReportBodyRow;
  report_lines: ReportLineRow;
  icr_revisions: IcrRevisionRow;
  icr_revision_lines: IcrRevisionLineRow;
  report_rejections: ReportRejectionRow;
  notices: NoticeRow;
  witness_state: WitnessStateRow;
  log_cosignatures: LogCosignatureRow;
  inspections: InspectionRow;
  inspection_activities: InspectionActivityRow;
  inspector_designations: InspectorDesignationRow;
  sampling_draws: SamplingDrawRow;
  inspection_strata: InspectionStratumRow;
  inspection_items: InspectionItemRow;
  inspection_findings: InspectionFindingRow;
  inspection_statements: InspectionStatementRow;
  cases: CaseRow;
  case_shares: CaseShareRow;
  case_transitions: CaseTransitionRow;
  case_messages: CaseMessageRow;
  case_attachments: CaseAttachmentRow;
  declaration_attachments: DeclarationAttachmentRow;
  events: EventRow;
  inbox: InboxRow;
  inbox_unread_counts: InboxUnreadRow;
  notification_keys: NotificationKeyRow;
  webhooks: WebhookRow;
  webhook_deliveries: WebhookDeliveryRow;
  eval_cells: EvalCellRow;
  eval_inventories: EvalInventoryRow;
  eval_entries: EvalEntryRow;
  eval_versions: EvalVersionRow;
  eval_transfers: EvalTransferRow;
  eval_transfer_counts: EvalTransferCountRow;
  eval_marks: EvalMarkRow;
  eval_kmp_days: EvalKmpDayRow;
  eval_notice_lines: EvalNoticeLineRow;
  eval_notice_refs: EvalNoticeRefRow;
  obligation_firsts: ObligationFirstRow;
  eval_built: EvalBuiltRow;
  eval_status: EvalStatusRow;
  declarations: DeclarationRow;
  declaration_bodies: DeclarationBodyRow;
  declaration_items: DeclarationItemRow;
  fed_peers: FedPeerRow;
  fed_nonces: FedNonceRow;
  fed_arrangements: FedArrangementRow;
  fed_arrangement_scope: FedArrangementScopeRow;
  fed_outbox: FedOutboxRow;
  fed_delivered: FedDeliveredRow;
  fed_backfills: FedBackfillRow;
  fed_inbox: FedInboxRow;
  fed_dead_letters: FedDeadLetterRow;
  fed_lease: FedLeaseRow;
  fed_checkpoints: FedCheckpointRow;
  fed_logs: FedLogRow;
  fed_split_views: FedSplitViewRow;
  devices: DeviceRow;
  device_parties: DevicePartyRow;
  device_changes: DeviceChangeRow;
  device_batches: DeviceBatchRow;
  device_events: DeviceEventRow;
  device_refusals: DeviceRefusalRow;
  device_intervals: DeviceIntervalRow;
  device_alarms: DeviceAlarmRow;
  device_seal_openings: DeviceSealOpeningRow;
  device_gate_days: DeviceGateDayRow;
  device_declared_activities: DeclaredActivityRow;
  compatibility_versions: CompatibilityVersionRow;
  compatibility_steps: CompatibilityStepRow;
}

export type { Generated };
