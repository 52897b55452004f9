import { DomainError } from '../../domain/errors.js';
import {
  type Instrument,
  type InstrumentInput,
  type InstrumentKind,
  type Provision,
  validateInstrument,
} from '../../domain/legal/index.js';
import { problemOf } from '../../domain/particulars.js';
import type { Principal } from '../../domain/policy/index.js';
import { createLegalRepo, INSTRUMENT_SORTS, type InstrumentSummary } from '../../store/legal.repo.js';
import type { Page, PageRequest } from '../../store/paging.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import type { Ports } from '../ports.js';
import { appendRecord } from '../records.js';
import { attributionOf, notFound } from '../registry/shared.js';
import { enforce, scopeOf } from '../scope.js';
import { instrumentContent, instrumentRecordId } from './content.js';

/** A registered version with the log index of its record. */
export type InstrumentWritten = Instrument & { readonly logIndex: number };

function checkSort(req: PageRequest): PageRequest {
  if (req.sort !== undefined && !Object.hasOwn(INSTRUMENT_SORTS.columns, req.sort)) {
    throw new DomainError('VALIDATION_FAILED', `cannot sort instruments by ${req.sort}`, [
      {
        field: 'querystring.sort',
        ...problemOf('FIELD_INVALID.oneOf', { allowed: Object.keys(INSTRUMENT_SORTS.columns) }),
        message: Object.keys(INSTRUMENT_SORTS.columns).join(', '),
      },
    ]);
  }
  return req;
}

/**
 * The legal register's use cases (issue 19 item 1, decision 0031). Instruments are written by
 * registry administrators and read by every signed-in user, as the directory of agreements is:
 * the texts are public law. Every version is stored for good and committed to the log in the
 * same transaction; a change never overwrites, it makes the next version.
 */
export function createInstrumentService(ports: Ports) {
  const k = ports.db.kysely;
  const repo = createLegalRepo(k);
  const registry = createRegistryRepo(ports.db);

  async function checkParties(parties: readonly string[]): Promise<void> {
    const unknown: string[] = [];
    for (const party of parties) {
      const known = (await registry.getState(party)) ?? (await registry.getOrganisation(party));
      if (!known) unknown.push(party);
    }
    if (unknown.length > 0) {
      throw new DomainError('UNKNOWN_REFERENCE', `unknown parties: ${unknown.join(', ')}`, {
        parties: unknown,
      });
    }
  }

  async function write(p: Principal, input: InstrumentInput, version: number): Promise<InstrumentWritten> {
    const instrument: Instrument = { ...input, version };
    const at = attributionOf(ports, p);
    return k.transaction().execute(async (tx) => {
      const held = await repo.refsHeldElsewhere(
        tx,
        input.id,
        input.provisions.map((x) => x.ref),
      );
      if (held.length > 0) {
        throw new DomainError('CONFLICT', `provision refs held by another instrument: ${held.join(', ')}`, {
          refs: held,
        });
      }
      if (!(await repo.insertVersion(tx, instrument, at))) {
        throw new DomainError('CONFLICT', `instrument ${input.id} changed meanwhile; read it again`);
      }
      const logIndex = await appendRecord(tx, ports, {
        kind: 'legal-instrument',
        id: instrumentRecordId(input.id, version),
        content: instrumentContent(instrument),
        subjectState: null,
        subjectOrg: null,
        at: at.at,
        by: at.by,
      });
      return { ...instrument, logIndex };
    });
  }

  return {
    /** Register a new instrument as version 1 (ALREADY_EXISTS if the id is taken). */
    async createInstrument(p: Principal, input: InstrumentInput): Promise<InstrumentWritten> {
      enforce(p, 'registry.write', 'all');
      validateInstrument(input);
      if ((await repo.currentVersion(k, input.id)) !== undefined) {
        throw new DomainError('ALREADY_EXISTS', `instrument ${input.id} already exists`);
      }
      await checkParties(input.parties);
      return write(p, input, 1);
    },

    /**
     * Change an instrument: the whole new text becomes the next version. `baseVersion` is the
     * version the change was made from; when another change came first, CONFLICT.
     */
    async changeInstrument(
      p: Principal,
      input: InstrumentInput,
      baseVersion: number | undefined,
    ): Promise<InstrumentWritten> {
      enforce(p, 'registry.write', 'all');
      validateInstrument(input);
      const current = await repo.currentVersion(k, input.id);
      if (current === undefined) return notFound();
      if (baseVersion !== undefined && baseVersion !== current) {
        throw new DomainError(
          'CONFLICT',
          `instrument ${input.id} is at version ${current}, not ${baseVersion}`,
        );
      }
      await checkParties(input.parties);
      return write(p, input, current + 1);
    },

    async getInstrument(p: Principal, id: string, version?: number): Promise<Instrument> {
      enforce(p, 'directory.read', await scopeOf(ports, p));
      return (await repo.getInstrument(id, version)) ?? notFound();
    },

    async listInstruments(
      p: Principal,
      filter: { kind?: InstrumentKind | undefined; party?: string | undefined },
      req: PageRequest,
    ): Promise<Page<InstrumentSummary>> {
      enforce(p, 'directory.read', await scopeOf(ports, p));
      return repo.pageInstruments(filter, checkSort(req));
    },

    /** The provision cited as `ref`, in the current version of the instrument that holds it. */
    async provisionByRef(
      p: Principal,
      ref: string,
    ): Promise<{ instrument: string; version: number; provision: Provision }> {
      enforce(p, 'directory.read', await scopeOf(ports, p));
      return (await repo.provisionByRef(ref)) ?? notFound();
    },
  };
}

export type InstrumentService = ReturnType<typeof createInstrumentService>;
