import type { Instrument } from '../../domain/legal/index.js';
import { createLegalRepo, type InstitutionRoles } from '../../store/legal.repo.js';
import { registerContentLoader, registerRowLister } from '../record-content.js';

/** `instrument:<id>:v<version>`: each version of an instrument is one log record. */
export const instrumentRecordId = (id: string, version: number) => `instrument:${id}:v${version}`;
/** `institution-roles:<state>:v<version>`: each version of a state's roles is one log record. */
export const rolesRecordId = (state: string, version: number) => `institution-roles:${state}:v${version}`;

/** `<key>:v<n>` after `prefix`, or undefined. */
export function parseVersionedId(id: string, prefix: string): { key: string; version: number } | undefined {
  if (!id.startsWith(prefix)) return undefined;
  const rest = id.slice(prefix.length);
  const cut = rest.lastIndexOf(':v');
  const version = Number(rest.slice(cut + 2));
  if (cut <= 0 || !Number.isSafeInteger(version) || version < 1) return undefined;
  return { key: rest.slice(0, cut), version };
}

/** What a version commits: the whole instrument as stored, so `custos audit` rebuilds it from rows. */
export function instrumentContent(i: Instrument): Record<string, unknown> {
  return {
    v: 1,
    id: i.id,
    version: i.version,
    title: i.title,
    kind: i.kind,
    parties: i.parties,
    signature: i.signature ?? null,
    inForce: i.inForce ?? null,
    suspended: i.suspended ?? null,
    provisions: i.provisions,
  };
}

export function rolesContent(r: InstitutionRoles): Record<string, unknown> {
  return { v: 1, state: r.state, version: r.version, roles: r.roles };
}

registerContentLoader('legal-instrument', async (db, id) => {
  const ref = parseVersionedId(id, 'instrument:');
  const i = ref && (await createLegalRepo(db.kysely).getInstrument(ref.key, ref.version));
  return i ? instrumentContent(i) : undefined;
});
registerRowLister('legal-instrument', async (db) =>
  (await createLegalRepo(db.kysely).versionKeys()).map((k) => instrumentRecordId(k.id, k.version)),
);
registerContentLoader('institution-roles', async (db, id) => {
  const ref = parseVersionedId(id, 'institution-roles:');
  const r = ref && (await createLegalRepo(db.kysely).roles(ref.key, ref.version));
  return r ? rolesContent(r) : undefined;
});
registerRowLister('institution-roles', async (db) =>
  (await createLegalRepo(db.kysely).roleVersionKeys()).map((k) => rolesRecordId(k.state, k.version)),
);
