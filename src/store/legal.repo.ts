import type { Kysely } from 'kysely';
import type {
  InstitutionalDuty,
  Instrument,
  InstrumentKind,
  LegalObligation,
  Provision,
} from '../domain/legal/index.js';
import type { DbOrTx } from './db.js';
import { countOf, orderTerms, type Page, type PageRequest, type SortColumns, textMatches } from './paging.js';
import type { LegalInstrumentVersionRow, LegalProvisionRow, Schema } from './schema.types.js';

/** An instrument in a list: its header, without provisions (those are read one instrument at a time). */
export interface InstrumentSummary {
  readonly id: string;
  readonly title: string;
  readonly kind: InstrumentKind;
  readonly version: number;
  readonly inForce: string | null;
  readonly updatedAt: string;
}

export const INSTRUMENT_SORTS: SortColumns = {
  columns: { id: 'id', title: 'title', kind: 'kind', inForce: 'in_force_date', updatedAt: 'updated_at' },
  nullable: ['inForce'],
  natural: ['id'],
};

/** One institution's duty in a state (issue 19 item 3). */
export interface InstitutionRole {
  readonly duty: InstitutionalDuty;
  readonly organisation: string;
  /** The provision that creates the duty, when one is cited. */
  readonly basis?: string;
}

export interface InstitutionRoles {
  readonly state: string;
  readonly version: number;
  readonly roles: readonly InstitutionRole[];
  readonly at: string;
  readonly by: string;
}

const CHUNK = 500;

function toInstrument(v: LegalInstrumentVersionRow, provisions: readonly LegalProvisionRow[]): Instrument {
  return {
    id: v.instrument_id,
    title: v.title,
    kind: v.kind as InstrumentKind,
    parties: JSON.parse(v.parties_json) as string[],
    ...(v.signature_date === null ? {} : { signature: v.signature_date }),
    ...(v.in_force_date === null ? {} : { inForce: v.in_force_date }),
    ...(v.suspended_date === null ? {} : { suspended: v.suspended_date }),
    provisions: [...provisions]
      .sort((a, b) => Number(a.position) - Number(b.position))
      .map(
        (p): Provision => ({
          ref: p.ref,
          text: p.text,
          ...(p.obligations_json === null
            ? {}
            : { obligations: JSON.parse(p.obligations_json) as LegalObligation[] }),
        }),
      ),
    version: Number(v.version),
  };
}

async function versionOf(q: DbOrTx, id: string, version: number): Promise<Instrument | undefined> {
  const v = await q
    .selectFrom('legal_instrument_versions')
    .selectAll()
    .where('instrument_id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!v) return undefined;
  const provisions = await q
    .selectFrom('legal_provisions')
    .selectAll()
    .where('instrument_id', '=', id)
    .where('version', '=', version)
    .orderBy('position')
    .execute();
  return toInstrument(v, provisions);
}

/** Who wrote a version, and when. */
export interface VersionAttribution {
  readonly at: string;
  readonly by: string;
}

/**
 * The legal register's storage (migration 0016). Every version stays; `legal_instruments` names
 * the current one, and moving it is a compare-and-set so two concurrent changes cannot both win.
 */
// long: one repository of the register's tables (instruments, versions, provisions, roles); to split by table next
export function createLegalRepo(k: Kysely<Schema>) {
  return {
    async currentVersion(q: DbOrTx, id: string): Promise<number | undefined> {
      const r = await q
        .selectFrom('legal_instruments')
        .select('version')
        .where('id', '=', id)
        .executeTakeFirst();
      return r === undefined ? undefined : Number(r.version);
    },

    async getInstrument(id: string, version?: number): Promise<Instrument | undefined> {
      const v = version ?? (await this.currentVersion(k, id));
      return v === undefined ? undefined : versionOf(k, id, v);
    },

    /** The attribution of a version (for the log record's time and author). */
    async versionAttribution(id: string, version: number): Promise<VersionAttribution | undefined> {
      const r = await k
        .selectFrom('legal_instrument_versions')
        .select(['created_at', 'created_by'])
        .where('instrument_id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return r && { at: r.created_at, by: r.created_by };
    },

    /** Refs among `refs` that another instrument holds. */
    async refsHeldElsewhere(q: DbOrTx, id: string, refs: readonly string[]): Promise<string[]> {
      const held: string[] = [];
      for (let i = 0; i < refs.length; i += CHUNK) {
        const rows = await q
          .selectFrom('legal_provision_refs')
          .select('ref')
          .where('ref', 'in', refs.slice(i, i + CHUNK))
          .where('instrument_id', '!=', id)
          .execute();
        held.push(...rows.map((r) => r.ref));
      }
      return held;
    },

    /**
     * Store `instrument` as its version: version 1 creates the instrument, a later one moves the
     * current version from `version − 1` (answers false when another change got there first).
     */
    async insertVersion(q: DbOrTx, i: Instrument, at: VersionAttribution): Promise<boolean> {
      const head = {
        version: i.version,
        title: i.title,
        kind: i.kind,
        in_force_date: i.inForce ?? null,
        updated_at: at.at,
      };
      if (i.version === 1) {
        await q
          .insertInto('legal_instruments')
          .values({ id: i.id, ...head })
          .execute();
      } else {
        const r = await q
          .updateTable('legal_instruments')
          .set(head)
          .where('id', '=', i.id)
          .where('version', '=', i.version - 1)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) return false;
      }
      await q
        .insertInto('legal_instrument_versions')
        .values({
          instrument_id: i.id,
          version: i.version,
          title: i.title,
          kind: i.kind,
          parties_json: JSON.stringify(i.parties),
          signature_date: i.signature ?? null,
          in_force_date: i.inForce ?? null,
          suspended_date: i.suspended ?? null,
          created_at: at.at,
          created_by: at.by,
        })
        .execute();
      const rows = i.provisions.map((p, position) => ({
        instrument_id: i.id,
        version: i.version,
        position,
        ref: p.ref,
        text: p.text,
        obligations_json: p.obligations === undefined ? null : JSON.stringify(p.obligations),
      }));
      for (let n = 0; n < rows.length; n += CHUNK) {
        await q
          .insertInto('legal_provisions')
          .values(rows.slice(n, n + CHUNK))
          .execute();
      }
      await q.deleteFrom('legal_instrument_parties').where('instrument_id', '=', i.id).execute();
      if (i.parties.length > 0) {
        await q
          .insertInto('legal_instrument_parties')
          .values(i.parties.map((party) => ({ instrument_id: i.id, party })))
          .execute();
      }
      // The citations this version holds: the ones it dropped are free for another instrument.
      await q.deleteFrom('legal_provision_refs').where('instrument_id', '=', i.id).execute();
      const refs = i.provisions.map((p) => ({ ref: p.ref, instrument_id: i.id }));
      for (let n = 0; n < refs.length; n += CHUNK) {
        await q
          .insertInto('legal_provision_refs')
          .values(refs.slice(n, n + CHUNK))
          .execute();
      }
      return true;
    },

    async pageInstruments(
      filter: { kind?: InstrumentKind | undefined; party?: string | undefined },
      req: PageRequest,
    ): Promise<Page<InstrumentSummary>> {
      let sel = k.selectFrom('legal_instruments');
      if (filter.kind) sel = sel.where('kind', '=', filter.kind);
      const party = filter.party;
      if (party) {
        sel = sel.where((eb) =>
          eb.exists(
            eb
              .selectFrom('legal_instrument_parties')
              .select('instrument_id')
              .whereRef('legal_instrument_parties.instrument_id', '=', 'legal_instruments.id')
              .where('party', '=', party),
          ),
        );
      }
      if (req.q) sel = sel.where(textMatches(['id', 'title'], req.q));
      let rows = sel.selectAll();
      for (const [e, d] of orderTerms(INSTRUMENT_SORTS, req)) rows = rows.orderBy(e, d);
      const [found, count] = await Promise.all([
        rows.limit(req.limit).offset(req.offset).execute(),
        sel.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
      ]);
      return {
        items: found.map((r) => ({
          id: r.id,
          title: r.title,
          kind: r.kind as InstrumentKind,
          version: Number(r.version),
          inForce: r.in_force_date,
          updatedAt: r.updated_at,
        })),
        total: countOf(count),
        limit: req.limit,
        offset: req.offset,
      };
    },

    /**
     * The current versions of the instruments `party` is party to (what binds a state): a state
     * is party to a handful, each bounded in size (domain/legal LIMITS).
     */
    async instrumentsOfParty(party: string): Promise<Instrument[]> {
      const rows = await k
        .selectFrom('legal_instrument_parties')
        .innerJoin('legal_instruments', 'legal_instruments.id', 'legal_instrument_parties.instrument_id')
        .select(['legal_instruments.id', 'legal_instruments.version'])
        .where('legal_instrument_parties.party', '=', party)
        .orderBy('legal_instruments.id')
        .execute();
      const out: Instrument[] = [];
      for (const r of rows) {
        const i = await versionOf(k, r.id, Number(r.version));
        if (i) out.push(i);
      }
      return out;
    },

    /** The provision cited as `ref` in the current version of the instrument that holds it. */
    async provisionByRef(
      ref: string,
    ): Promise<{ instrument: string; version: number; provision: Provision } | undefined> {
      const r = await k
        .selectFrom('legal_provision_refs')
        .innerJoin('legal_instruments', 'legal_instruments.id', 'legal_provision_refs.instrument_id')
        .innerJoin('legal_provisions', (j) =>
          j
            .onRef('legal_provisions.instrument_id', '=', 'legal_instruments.id')
            .onRef('legal_provisions.version', '=', 'legal_instruments.version')
            .onRef('legal_provisions.ref', '=', 'legal_provision_refs.ref'),
        )
        .select([
          'legal_instruments.id as instrument',
          'legal_instruments.version as version',
          'legal_provisions.ref as ref',
          'legal_provisions.text as text',
          'legal_provisions.obligations_json as obligations_json',
        ])
        .where('legal_provision_refs.ref', '=', ref)
        .executeTakeFirst();
      if (!r) return undefined;
      return {
        instrument: r.instrument,
        version: Number(r.version),
        provision: {
          ref: r.ref,
          text: r.text,
          ...(r.obligations_json === null
            ? {}
            : { obligations: JSON.parse(r.obligations_json) as LegalObligation[] }),
        },
      };
    },

    /** Every stored version's key, for the audit's check that each has its log record. */
    async versionKeys(): Promise<{ id: string; version: number }[]> {
      const rows = await k
        .selectFrom('legal_instrument_versions')
        .select(['instrument_id', 'version'])
        .orderBy('instrument_id')
        .orderBy('version')
        .execute();
      return rows.map((r) => ({ id: r.instrument_id, version: Number(r.version) }));
    },

    // ---- institutional roles (issue 19 item 3)

    async currentRolesVersion(q: DbOrTx, state: string): Promise<number> {
      const r = await q
        .selectFrom('institution_role_versions')
        .select((eb) => eb.fn.max('version').as('v'))
        .where('state', '=', state)
        .executeTakeFirst();
      return Number(r?.v ?? 0);
    },

    async roles(state: string, version?: number): Promise<InstitutionRoles | undefined> {
      const v = version ?? (await this.currentRolesVersion(k, state));
      const head = await k
        .selectFrom('institution_role_versions')
        .selectAll()
        .where('state', '=', state)
        .where('version', '=', v)
        .executeTakeFirst();
      if (!head) return undefined;
      const rows = await k
        .selectFrom('institution_roles')
        .selectAll()
        .where('state', '=', state)
        .where('version', '=', v)
        .orderBy('duty')
        .orderBy('organisation')
        .execute();
      return {
        state,
        version: v,
        roles: rows.map((r) => ({
          duty: r.duty as InstitutionalDuty,
          organisation: r.organisation,
          ...(r.basis === null ? {} : { basis: r.basis }),
        })),
        at: head.created_at,
        by: head.created_by,
      };
    },

    /** Store a state's roles as `version`; false when another change took that version first. */
    async insertRoles(q: DbOrTx, r: InstitutionRoles): Promise<boolean> {
      const taken = await q
        .selectFrom('institution_role_versions')
        .select('version')
        .where('state', '=', r.state)
        .where('version', '=', r.version)
        .executeTakeFirst();
      if (taken) return false;
      await q
        .insertInto('institution_role_versions')
        .values({ state: r.state, version: r.version, created_at: r.at, created_by: r.by })
        .execute();
      if (r.roles.length > 0) {
        await q
          .insertInto('institution_roles')
          .values(
            r.roles.map((x) => ({
              state: r.state,
              version: r.version,
              duty: x.duty,
              organisation: x.organisation,
              basis: x.basis ?? null,
            })),
          )
          .execute();
      }
      return true;
    },

    async roleVersionKeys(): Promise<{ state: string; version: number }[]> {
      const rows = await k
        .selectFrom('institution_role_versions')
        .select(['state', 'version'])
        .orderBy('state')
        .orderBy('version')
        .execute();
      return rows.map((r) => ({ state: r.state, version: Number(r.version) }));
    },

    /**
     * The organisations holding `duty` in the current roles of `state` (empty when the state has
     * assigned none: the caller then addresses every institution of the state, as before).
     */
    async holdersOf(q: DbOrTx, state: string, duty: InstitutionalDuty): Promise<string[]> {
      const v = await this.currentRolesVersion(q, state);
      if (v === 0) return [];
      const rows = await q
        .selectFrom('institution_roles')
        .select('organisation')
        .where('state', '=', state)
        .where('version', '=', v)
        .where('duty', '=', duty)
        .orderBy('organisation')
        .execute();
      return rows.map((r) => r.organisation);
    },
  };
}
