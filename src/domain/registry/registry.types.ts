/** The registry: the model everything else refers to (foundation issue). */
export const ORGANISATION_KINDS = [
  'state-authority',
  'inspectorate',
  'regional-inspectorate',
  'operator',
] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/** Organisations that inspect (and so own cases, plan inspections, sign statements and decisions). */
export const INSPECTORATE_KINDS = [
  'inspectorate',
  'regional-inspectorate',
] as const satisfies readonly OrganisationKind[];

export function isInspectorateKind(kind: string | null): boolean {
  return kind !== null && (INSPECTORATE_KINDS as readonly string[]).includes(kind);
}

export const AGREEMENT_TYPES = ['CSA', 'AP', 'VOA', 'INFCIRC66', 'REGIONAL'] as const;
export type AgreementType = (typeof AGREEMENT_TYPES)[number];

export const AGREEMENT_STATUSES = ['in-force', 'suspended', 'terminated', 'signed'] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];

export const FACILITY_TYPES = [
  'power-reactor',
  'research-reactor',
  'conversion',
  'enrichment',
  'fuel-fabrication',
  'reprocessing',
  'storage',
  'research',
  'lof',
] as const;
export type FacilityType = (typeof FACILITY_TYPES)[number];

export const KMP_KINDS = ['flow', 'inventory'] as const;
export type KmpKind = (typeof KMP_KINDS)[number];

export const ROLES = ['admin', 'submitter', 'reviewer', 'inspector', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface State {
  readonly code: string;
  readonly name: string;
}

export interface Organisation {
  readonly id: string;
  readonly name: string;
  readonly kind: OrganisationKind;
  /** The state an authority or operator belongs to; null for inspectorates. */
  readonly state: string | null;
}

export interface AgreementParty {
  readonly kind: 'state' | 'organisation';
  readonly ref: string;
}

export interface Agreement {
  readonly id: string;
  readonly type: AgreementType;
  readonly title: string;
  readonly entryIntoForce: string;
  readonly status: AgreementStatus;
  readonly parties: readonly AgreementParty[];
}

export interface Facility {
  readonly code: string;
  readonly name: string;
  readonly type: FacilityType;
  readonly state: string;
  readonly latitude: number;
  readonly longitude: number;
}

export interface Mba {
  readonly code: string;
  readonly facility: string;
  readonly description: string;
  /** Item MBAs (fuel assemblies counted as items) must show MUF = 0 exactly (domain.md §4). */
  readonly itemMba: boolean;
}

export interface Kmp {
  readonly code: string;
  readonly mba: string;
  readonly kind: KmpKind;
  readonly method: string;
  readonly randomRsd: number;
  readonly systematicRsd: number;
}

export interface SigningKey {
  readonly id: string;
  readonly organisation: string;
  readonly publicKey: string;
  readonly validFrom: string;
  readonly validTo: string | null;
  readonly revokedAt: string | null;
}

/** ISO 3166-1 alpha-2 shape; user-assigned codes (XA…XZ) are valid, which the demo world uses. */
export const STATE_CODE = /^[A-Z]{2}$/;
/** Registry codes: letters, digits, '-', '_' and '.', starting with a letter or digit. */
export const REGISTRY_CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
