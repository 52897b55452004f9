import type {
  Agreement,
  AgreementParty,
  Facility,
  Kmp,
  Mba,
  Organisation,
  SigningKey,
  State,
} from '../../domain/registry/index.js';
import type { Schema } from '../schema.types.js';

/** Registry rows to domain objects (the enum-like columns are typed with the domain's unions). */
export function toState(r: Schema['states']): State {
  return { code: r.code, name: r.name };
}
export function toOrganisation(r: Schema['organisations']): Organisation {
  return { id: r.id, name: r.name, kind: r.kind, state: r.state };
}
export function toFacility(r: Schema['facilities']): Facility {
  return {
    code: r.code,
    name: r.name,
    type: r.type,
    state: r.state,
    latitude: r.latitude,
    longitude: r.longitude,
  };
}
export function toMba(r: Schema['mbas']): Mba {
  return { code: r.code, facility: r.facility, description: r.description, itemMba: r.item_mba === 1 };
}
export function toKmp(r: Schema['kmps']): Kmp {
  return {
    code: r.code,
    mba: r.mba,
    kind: r.kind,
    method: r.method,
    randomRsd: r.random_rsd,
    systematicRsd: r.systematic_rsd,
  };
}
export function toSigningKey(r: Schema['signing_keys']): SigningKey {
  return {
    id: r.id,
    organisation: r.organisation_id,
    publicKey: r.public_key,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    revokedAt: r.revoked_at,
  };
}

/** An agreement with its parties (those of other agreements in `parties` are ignored), in a stable order. */
export function toAgreement(
  r: Schema['agreements'],
  parties: readonly Schema['agreement_parties'][],
): Agreement {
  return {
    id: r.id,
    type: r.type,
    title: r.title,
    entryIntoForce: r.entry_into_force,
    status: r.status,
    parties: parties
      .filter((p) => p.agreement_id === r.id)
      .map((p): AgreementParty => ({ kind: p.party_kind, ref: p.party_ref }))
      .sort((x, y) => (x.kind + x.ref).localeCompare(y.kind + y.ref)),
  };
}
