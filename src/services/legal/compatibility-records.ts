import type { CompatibilityEntry, DomesticProvision } from '../../domain/legal/index.js';
import { getStep, getVersion, listStepKeys, listVersionKeys } from '../../store/compatibility.repo.js';
import type { CompatibilityStepRow, CompatibilityVersionRow } from '../../store/schema.types.js';
import { registerContentLoader, registerRowLister } from '../record-content.js';

/**
 * How the two compatibility record kinds (decision 0033) are named and rebuilt from their rows,
 * so `custos audit` recomputes their commitments: an entry version, and a signed workflow step.
 * Importing this module registers them; the service and the audit import it.
 */

const ENTRY = 'compatibility-entry:';
const STEP = 'compatibility-step:';

/** `compatibility-entry:<state>:<version>:<ref>`: the ref goes last, as it may hold any ':'. */
export const versionRecordId = (state: string, version: number, provision: string) =>
  `${ENTRY}${state}:${version}:${provision}`;
export const stepRecordId = (state: string, seq: number, provision: string) =>
  `${STEP}${state}:${seq}:${provision}`;

export interface RecordKey {
  readonly state: string;
  readonly n: number;
  readonly provision: string;
}

export function parseCompatibilityRecordId(id: string): RecordKey | undefined {
  const prefix = id.startsWith(ENTRY) ? ENTRY : id.startsWith(STEP) ? STEP : undefined;
  if (prefix === undefined) return undefined;
  const m = /^([A-Z]{2}):([1-9][0-9]{0,8}):(.+)$/s.exec(id.slice(prefix.length));
  if (!m) return undefined;
  return { state: m[1] as string, n: Number(m[2]), provision: m[3] as string };
}

export function domesticOf(r: CompatibilityVersionRow): DomesticProvision | null {
  if (r.act === null || r.section === null || r.text === null) return null;
  return {
    act: r.act,
    section: r.section,
    text: r.text,
    ...(r.in_force_from === null ? {} : { inForceFrom: r.in_force_from }),
    ...(r.in_force_to === null ? {} : { inForceTo: r.in_force_to }),
    ...(r.institution === null ? {} : { institution: r.institution }),
  };
}

export function entryOf(r: CompatibilityVersionRow): CompatibilityEntry {
  return {
    state: r.state,
    provision: r.provision,
    version: Number(r.version),
    status: r.status,
    domestic: domesticOf(r),
    note: r.note,
    evidence: r.evidence,
    step: r.step === null ? null : Number(r.step),
    at: r.at,
    by: r.by,
  };
}

export function versionRowOf(e: CompatibilityEntry): CompatibilityVersionRow {
  return {
    state: e.state,
    provision: e.provision,
    version: e.version,
    status: e.status,
    act: e.domestic?.act ?? null,
    section: e.domestic?.section ?? null,
    text: e.domestic?.text ?? null,
    in_force_from: e.domestic?.inForceFrom ?? null,
    in_force_to: e.domestic?.inForceTo ?? null,
    institution: e.domestic?.institution ?? null,
    note: e.note,
    evidence: e.evidence,
    step: e.step,
    at: e.at,
    by: e.by,
  };
}

/** The committed content of one version: the entry as stored, nothing derived. */
export function versionContent(r: CompatibilityVersionRow): Record<string, unknown> {
  return { v: 1, ...entryOf(r) };
}

/** The committed content of one step: the exact signed text, with key and signature to verify it. */
export function stepContent(r: CompatibilityStepRow): Record<string, unknown> {
  return {
    v: 1,
    state: r.state,
    provision: r.provision,
    seq: Number(r.seq),
    step: r.step,
    signed: r.body,
    keyId: r.key_id,
    signature: r.signature,
    organisation: r.organisation_id,
    at: r.at,
    by: r.by,
  };
}

registerContentLoader('compatibility-entry', async (db, id) => {
  const key = id.startsWith(ENTRY) ? parseCompatibilityRecordId(id) : undefined;
  const row = key && (await getVersion(db.kysely, key.state, key.provision, key.n));
  return row ? versionContent(row) : undefined;
});

registerContentLoader('compatibility-step', async (db, id) => {
  const key = id.startsWith(STEP) ? parseCompatibilityRecordId(id) : undefined;
  const row = key && (await getStep(db.kysely, key.state, key.provision, key.n));
  return row ? stepContent(row) : undefined;
});

registerRowLister('compatibility-entry', async (db) =>
  (await listVersionKeys(db.kysely)).map((r) => versionRecordId(r.state, Number(r.version), r.provision)),
);
registerRowLister('compatibility-step', async (db) =>
  (await listStepKeys(db.kysely)).map((r) => stepRecordId(r.state, Number(r.seq), r.provision)),
);
