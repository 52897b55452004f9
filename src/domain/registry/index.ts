/** The registry model's door: what other folders use, by name. */
export { computeKeyId, isKeyValidAt } from './keys.js';
export type {
  Agreement,
  AgreementParty,
  AgreementStatus,
  AgreementType,
  Facility,
  FacilityType,
  Kmp,
  KmpKind,
  Mba,
  Organisation,
  OrganisationKind,
  Role,
  SigningKey,
  State,
} from './registry.types.js';
export {
  AGREEMENT_STATUSES,
  AGREEMENT_TYPES,
  FACILITY_TYPES,
  isInspectorateKind,
  KMP_KINDS,
  ORGANISATION_KINDS,
  REGISTRY_CODE,
  ROLES,
  STATE_CODE,
} from './registry.types.js';
