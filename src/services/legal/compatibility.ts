import { alarmCaseTitle } from '../../domain/cases/index.js';
import { DomainError } from '../../domain/errors.js';
import {
  type BindingProvision,
  buildMatrix,
  type CompatibilityEntry,
  type CompatibilityInput,
  type CompatibilityMatrix,
  type CompatibilityStatus,
  checkCompatibilityInput,
  checkStepOrder,
  entryOfStep,
  isGap,
  parseStepBody,
  type ReviewStep,
  type StepBody,
} from '../../domain/legal/index.js';
import { decide, inScope, type Principal } from '../../domain/policy/index.js';
import {
  insertStep,
  insertVersion,
  latestVersion,
  latestVersionsAcrossStates,
  latestVersionsOf,
  stepsOf,
  versionsOf,
} from '../../store/compatibility.repo.js';
import type { DbOrTx } from '../../store/db.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import type { CompatibilityStepRow } from '../../store/schema.types.js';
import type { CaseService } from '../cases/index.js';
import { isoNow, type Ports } from '../ports.js';
import { appendRecords, type NewRecord } from '../records.js';
import { checkSignature } from '../reports/submit.js';
import { enforce, scopeOf } from '../scope.js';
import {
  entryOf,
  stepContent,
  stepRecordId,
  versionContent,
  versionRecordId,
  versionRowOf,
} from './compatibility-records.js';
import type { ProvisionCatalogue } from './provisions.js';

/** How much of one provision's history a read returns (newest first). */
const HISTORY_LIMIT = 200;

export interface StepView {
  readonly seq: number;
  readonly step: ReviewStep;
  /** The exact signed text: with keyId and signature anyone verifies it offline. */
  readonly signed: string;
  readonly body: StepBody;
  readonly keyId: string;
  readonly signature: string;
  readonly organisation: string;
  readonly at: string;
  readonly by: string;
}

export interface Written {
  readonly entry: CompatibilityEntry;
  readonly logIndex: number;
  readonly recordId: string;
}

function stepView(r: CompatibilityStepRow): StepView {
  return {
    seq: Number(r.seq),
    step: r.step,
    signed: r.body,
    body: JSON.parse(r.body) as StepBody,
    keyId: r.key_id,
    signature: r.signature,
    organisation: r.organisation_id,
    at: r.at,
    by: r.by,
  };
}

function versionRecord(entry: CompatibilityEntry): NewRecord {
  return {
    kind: 'compatibility-entry',
    id: versionRecordId(entry.state, entry.version, entry.provision),
    content: versionContent(versionRowOf(entry)),
    subjectState: entry.state,
    subjectOrg: null,
    at: entry.at,
    by: entry.by,
  };
}

type Deps = { readonly ports: Ports; readonly catalogue: ProvisionCatalogue };

/** The state must exist and the caller read it (inspectorates: as their agreements allow). */
async function readable({ ports }: Deps, p: Principal, state: string): Promise<void> {
  enforce(p, 'data.read', await scopeOf(ports, p), { state });
  if (!(await createRegistryRepo(ports.db).getState(state)))
    throw new DomainError('NOT_FOUND', `no state ${state}`);
}

/** The provision must exist and bind the state (it is party to the provision's instrument). */
async function binding({ catalogue }: Deps, state: string, ref: string): Promise<BindingProvision> {
  const found = await catalogue.find(ref);
  if (!found) throw new DomainError('UNKNOWN_PROVISION', `no provision ${ref} in the legal register`);
  if (!found.parties.includes(state))
    throw new DomainError(
      'PROVISION_NOT_BINDING',
      `${state} is not party to ${found.provision.instrument}, the instrument of ${ref}`,
    );
  return found.provision;
}

async function writable(d: Deps, p: Principal, state: string, ref: string): Promise<BindingProvision> {
  enforce(p, 'law.write', await scopeOf(d.ports, p), { state });
  return binding(d, state, ref);
}

/** Inserts the next version in `tx`; CONFLICT when a concurrent change took that number. */
async function nextVersion(
  tx: DbOrTx,
  p: Principal,
  state: string,
  ref: string,
  input: CompatibilityInput,
  at: string,
  step: number | null,
): Promise<CompatibilityEntry> {
  const previous = await latestVersion(tx, state, ref);
  const entry: CompatibilityEntry = {
    state,
    provision: ref,
    version: previous === undefined ? 1 : Number(previous.version) + 1,
    status: input.status,
    domestic: input.domestic ?? null,
    note: input.note ?? null,
    evidence: input.evidence ?? null,
    step,
    at,
    by: p.userId,
  };
  if (!(await insertVersion(tx, versionRowOf(entry))))
    throw new DomainError('CONFLICT', 'the entry changed meanwhile; read it again');
  return entry;
}

/** Reading: a state's matrix, one provision's entry and history, one provision across states. */
function createCompatibilityReads(d: Deps) {
  const { ports, catalogue } = d;
  const k = ports.db.kysely;
  return {
    async matrix(p: Principal, state: string): Promise<CompatibilityMatrix> {
      await readable(d, p, state);
      const provisions = await catalogue.binding(state);
      const latest = await latestVersionsOf(
        k,
        state,
        provisions.map((x) => x.ref),
      );
      return buildMatrix(state, provisions, new Map(latest.map((r) => [r.provision, entryOf(r)])));
    },

    /** One provision's entry for a state, with its versions and workflow steps (newest first). */
    async entry(p: Principal, state: string, ref: string) {
      await readable(d, p, state);
      const provision = await binding(d, state, ref);
      const versions = (await versionsOf(k, state, ref, HISTORY_LIMIT)).map(entryOf);
      const steps = (await stepsOf(k, state, ref, HISTORY_LIMIT)).map(stepView);
      const current = versions[0] ?? null;
      return {
        state,
        provision,
        status: current?.status ?? ('not-reviewed' as const),
        entry: current,
        versions,
        steps,
      };
    },

    /**
     * The harmonization view: how every state party to the provision's instrument implements
     * it, limited to the states the caller may read (a state sees only itself).
     */
    async harmonization(p: Principal, ref: string) {
      const scope = await scopeOf(ports, p);
      if (decide(p, 'data.read', scope) === 'forbidden')
        throw new DomainError('FORBIDDEN', 'your roles do not allow data.read');
      const found = await catalogue.find(ref);
      if (!found) throw new DomainError('UNKNOWN_PROVISION', `no provision ${ref} in the legal register`);
      const states = [...new Set(found.parties)].filter((s) => inScope(scope, s)).sort();
      const latest = new Map(
        (await latestVersionsAcrossStates(k, ref, states)).map((r) => [r.state, entryOf(r)]),
      );
      const rows = states.map((state) => {
        const entry = latest.get(state) ?? null;
        return { state, status: entry?.status ?? ('not-reviewed' as const), entry };
      });
      const summary = { implemented: 0, partial: 0, missing: 0, conflicting: 0, 'not-reviewed': 0 };
      for (const r of rows) summary[r.status] += 1;
      return { provision: found.provision, rows, summary };
    },
  };
}

/** Writing: a direct change (PUT) and a signed workflow step, each one transaction with its records. */
function createCompatibilityWrites(d: Deps) {
  const { ports } = d;
  const k = ports.db.kysely;
  return {
    async put(p: Principal, state: string, ref: string, input: CompatibilityInput): Promise<Written> {
      await writable(d, p, state, ref);
      checkCompatibilityInput(input);
      const at = isoNow(ports.clock);
      return k.transaction().execute(async (tx) => {
        const entry = await nextVersion(tx, p, state, ref, input, at, null);
        const [logIndex] = await appendRecords(tx, ports, [versionRecord(entry)]);
        return { entry, logIndex: logIndex as number, recordId: versionRecordId(state, entry.version, ref) };
      });
    },

    /**
     * One signed step of the review workflow (review → amendment → adoption). The body is the
     * exact bytes the state signed (Custos-Signature, as for reports); a review or an adoption
     * also sets a new version of the entry, in the same transaction.
     */
    async step(
      p: Principal,
      state: string,
      ref: string,
      signed: { readonly body: Uint8Array; readonly signatureHeader: string | undefined },
    ) {
      await writable(d, p, state, ref);
      const body = parseStepBody(signed.body, { state, provision: ref });
      const at = isoNow(ports.clock);
      const sig = await checkSignature(ports, p, signed, at);
      if (sig.outcome !== 'VALID') throw new DomainError(sig.outcome, sig.message);
      return k.transaction().execute(async (tx) => {
        const [last] = await stepsOf(tx, state, ref, 1);
        const expected = last === undefined ? 1 : Number(last.seq) + 1;
        if (body.seq !== expected)
          throw new DomainError(
            'CONFLICT',
            `this step is number ${expected} of ${ref}, the body says ${body.seq}`,
            {
              expectedSeq: expected,
            },
          );
        checkStepOrder(last?.step, body.step);
        const row: CompatibilityStepRow = {
          state,
          provision: ref,
          seq: body.seq,
          step: body.step,
          body: new TextDecoder().decode(signed.body),
          key_id: sig.keyId,
          signature: sig.signature,
          organisation_id: p.organisationId as string,
          at,
          by: p.userId,
        };
        if (!(await insertStep(tx, row)))
          throw new DomainError('CONFLICT', `step ${body.seq} of ${ref} was taken meanwhile; read it again`);
        const records: NewRecord[] = [
          {
            kind: 'compatibility-step',
            id: stepRecordId(state, body.seq, ref),
            content: stepContent(row),
            subjectState: state,
            subjectOrg: row.organisation_id,
            at,
            by: p.userId,
          },
        ];
        const change = entryOfStep(body);
        const entry =
          change === undefined ? null : await nextVersion(tx, p, state, ref, change, at, body.seq);
        if (entry) records.push(versionRecord(entry));
        const [logIndex] = await appendRecords(tx, ports, records);
        return {
          step: stepView(row),
          entry,
          logIndex: logIndex as number,
          recordId: records[0]?.id as string,
        };
      });
    },
  };
}

/**
 * A state's domestic-law compatibility (issue 19 item 2, decision 0033): its matrix against the
 * provisions it is bound by, each entry's versions, the signed review workflow, the
 * harmonization view across states, and cases about gaps. Every change is one transaction with
 * its log record.
 */
export function createCompatibilityService(
  ports: Ports,
  catalogue: ProvisionCatalogue,
  cases: Pick<CaseService, 'open'>,
) {
  const d: Deps = { ports, catalogue };
  const k = ports.db.kysely;
  return {
    ...createCompatibilityReads(d),
    ...createCompatibilityWrites(d),
    /**
     * An inspectorate opens a case with the state about a gap or conflict (reusing the case
     * service: one case per state and provision, caseKeyForAlarm 'compatibility').
     */
    async openCase(p: Principal, state: string, ref: string, note: string | undefined) {
      enforce(p, 'inspect', await scopeOf(ports, p), { state });
      await binding(d, state, ref);
      const current = await latestVersion(k, state, ref);
      const status: CompatibilityStatus | undefined = current?.status;
      if (status === undefined || !isGap(status))
        throw new DomainError(
          'CONFLICT',
          `${state}'s entry for ${ref} is ${status ?? 'not reviewed'}: a case is opened about a missing, partial or conflicting provision`,
          { status: status ?? 'not-reviewed' },
        );
      const about = { provision: ref, alarm: { source: 'compatibility', status } };
      return cases.open(p, {
        kind: 'question',
        state,
        // The same words the browser recognises and says in the user's language.
        title: alarmCaseTitle(about)?.text ?? ref,
        about,
        ...(note === undefined ? {} : { note }),
        cause: { source: 'compatibility', state, provision: ref },
      });
    },
  };
}

export type CompatibilityService = ReturnType<typeof createCompatibilityService>;
