import { DomainError, type ErrorDetail } from '../../domain/errors.js';
import {
  type InspectionStatement,
  type StatementFacts,
  statementBytes,
  verifyStatementSignature,
} from '../../domain/inspections/index.js';
import { problemOf } from '../../domain/particulars.js';
import { isGlobalAdmin, type Principal } from '../../domain/policy/index.js';
import { isKeyValidAt } from '../../domain/registry/index.js';
import { canonicalizeRecord } from '../../log/index.js';
import { createInspectionsRepo, type InspectionsRepo } from '../../store/inspections.repo.js';
import { createRecordsRepo } from '../../store/records.repo.js';
import { createRegistryRepo, type RegistryRepo } from '../../store/registry.repo.js';
import type { InspectionRow, InspectionStatementRow } from '../../store/schema.types.js';
import { isoNow, type Ports } from '../ports.js';
import { appendRecord } from '../records.js';
import { createInspectionAccess, invalid } from './access.js';
import { listForwardedStatements } from './forwarded.js';
import { parseList, statementContent, toFinding } from './rows.js';

// The statement and its signature check are pure (the web app verifies with them too).
export {
  type InspectionStatement,
  type StatementFacts,
  statementBytes,
  verifyStatementSignature,
} from '../../domain/inspections/index.js';

/** How far a statement's own signing time may run ahead of the node's clock (clock skew). */
const SIGNED_AT_SKEW_MS = 5 * 60_000;

/** Refuses a statement whose facts differ from the record, naming each differing field. */
export function checkStatementFacts(statement: InspectionStatement, facts: StatementFacts): void {
  const given = canonicalizeRecord({ ...statement, conclusion: undefined, signedAt: undefined });
  const expected = canonicalizeRecord(facts);
  if (Buffer.from(given).equals(Buffer.from(expected))) return;
  const details = (Object.keys(facts) as (keyof StatementFacts)[])
    .filter(
      (k) =>
        !Buffer.from(canonicalizeRecord(statement[k] ?? null)).equals(
          Buffer.from(canonicalizeRecord(facts[k] ?? null)),
        ),
    )
    .map(
      (k): ErrorDetail => ({
        field: `statement.${k}`,
        ...problemOf('NOT_AS_RECORDED', {}),
        message: 'differs from the record',
      }),
    );
  throw new DomainError(
    'VALIDATION_FAILED',
    'the statement does not match the recorded inspection; fetch the draft again',
    details,
  );
}

/** The inspectorate that signs: the caller's own, or (a global admin) the one it names. */
function signerOf(p: Principal, row: InspectionRow, organisation: string | undefined): string {
  const org = isGlobalAdmin(p) ? organisation : p.organisationId;
  if (org === undefined || org === null || !parseList(row.participants).includes(org)) {
    throw new DomainError('FORBIDDEN', 'only a participating inspectorate signs its own statement');
  }
  if (organisation !== undefined && organisation !== org) {
    throw new DomainError('FORBIDDEN', 'an inspectorate signs only its own statement');
  }
  return org;
}

async function statementFacts(
  repo: InspectionsRepo,
  row: InspectionRow,
  organisation: string,
): Promise<StatementFacts> {
  const findings = (await repo.listFindings(row.id))
    .map(toFinding)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((f) => ({ id: f.id, type: f.type, severity: f.severity, items: f.items, mbas: f.mbas }));
  return {
    v: 1,
    type: 'custos/inspection-statement',
    inspection: row.id,
    inspectorate: organisation,
    state: row.state,
    facility: row.facility,
    mbas: parseList(row.mbas),
    inspectionType: row.type,
    startsAt: row.starts_at,
    activities: await repo.listActivities(row.id),
    findings,
  };
}

/** The signer's key that verifies the signature, valid when Custos receives the statement. */
async function verifyingKey(
  registry: RegistryRepo,
  org: string,
  input: { statement: InspectionStatement; signature: string; keyId?: string },
  at: string,
) {
  const keys = await registry.listSigningKeys(org);
  let candidates = keys;
  if (input.keyId !== undefined) {
    candidates = keys.filter((x) => x.id === input.keyId);
    if (candidates.length === 0)
      throw new DomainError('KEY_UNKNOWN', `${input.keyId} is not a key of ${org}`);
  }
  // The key must be valid when Custos receives the statement: a revoked key signs nothing new.
  const valid = candidates.filter((x) => isKeyValidAt(x, at));
  if (valid.length === 0) throw new DomainError('KEY_NOT_VALID', `${org} has no signing key valid at ${at}`);
  const key = valid.find((x) => verifyStatementSignature(input.statement, input.signature, x.publicKey));
  if (!key) {
    throw new DomainError(
      'SIGNATURE_INVALID',
      `the signature does not verify with a registered key of ${org}`,
    );
  }
  return key;
}

/**
 * Statements (domain.md §7): each inspectorate signs its own conclusions over the recorded facts;
 * the signed statement is committed to the log and anyone can verify it offline.
 */
export function createStatementService(ports: Pick<Ports, 'db' | 'clock' | 'random' | 'events'>) {
  const k = ports.db.kysely;
  const repo = createInspectionsRepo(k);
  const records = createRecordsRepo(ports.db);
  const registry = createRegistryRepo(ports.db);
  const access = createInspectionAccess(ports);
  return {
    async draftStatement(p: Principal, id: string, organisation?: string): Promise<InspectionStatement> {
      const { row } = await access(p, id, 'write');
      const org = signerOf(p, row, organisation);
      return { ...(await statementFacts(repo, row, org)), conclusion: '', signedAt: isoNow(ports.clock) };
    },

    async submitStatement(
      p: Principal,
      id: string,
      input: { statement: InspectionStatement; signature: string; keyId?: string },
    ) {
      const { row } = await access(p, id, 'write');
      const org = signerOf(p, row, input.statement.inspectorate);
      checkStatementFacts(input.statement, await statementFacts(repo, row, org));
      const at = isoNow(ports.clock);
      const signedAt = Date.parse(input.statement.signedAt);
      if (Number.isNaN(signedAt) || signedAt > Date.parse(at) + SIGNED_AT_SKEW_MS) {
        invalid('signedAt must be a time not after now', [
          {
            field: 'statement.signedAt',
            ...problemOf('OUT_OF_RANGE.notAfterNow', {}),
            message: input.statement.signedAt,
          },
        ]);
      }
      if (await repo.getStatement(id, org)) {
        throw new DomainError('ALREADY_EXISTS', `${org} has already signed its statement`);
      }
      const key = await verifyingKey(registry, org, input, at);
      const stmtRow: InspectionStatementRow = {
        inspection_id: id,
        organisation_id: org,
        statement: Buffer.from(statementBytes(input.statement)).toString('utf8'),
        signature: input.signature,
        key_id: key.id,
        received_at: at,
        created_by: p.userId,
      };
      const logIndex = await k.transaction().execute(async (tx) => {
        await createInspectionsRepo(tx).insertStatement(stmtRow);
        return appendRecord(tx, ports, {
          kind: 'inspection-statement',
          id: `inspection-statement:${id}:${org}`,
          content: statementContent(stmtRow),
          subjectState: row.state,
          subjectOrg: org,
          at,
          by: p.userId,
        });
      });
      await ports.events.publish({
        type: 'inspection.statement',
        state: row.state,
        organisation: org,
        at,
        // Only those who may open the inspection hear of it: the state and the participants.
        data: {
          inspection: id,
          inspectorate: org,
          keyId: key.id,
          logIndex,
          inspectorates: parseList(row.participants),
        },
      });
      return {
        inspection: id,
        organisation: org,
        statement: input.statement,
        signature: input.signature,
        keyId: key.id,
        publicKey: key.publicKey,
        receivedAt: at,
        logIndex,
      };
    },

    /**
     * Everything needed to verify each statement offline: statement, signature, public key. With
     * the statements forwarded by peers under an arrangement (decision 0044), each marked with its
     * origin and never merged with this node's own: readable by whoever reads the state's data,
     * also when the inspection itself is another node's.
     */
    async listStatements(p: Principal, id: string) {
      const forwarded = await listForwardedStatements(ports, p, id);
      try {
        await access(p, id, 'read');
      } catch (err) {
        if (err instanceof DomainError && err.code === 'NOT_FOUND' && forwarded.length > 0) return forwarded;
        throw err;
      }
      const out = [];
      for (const r of await repo.listStatements(id)) {
        const key = await registry.getSigningKey(r.key_id);
        const logIndex = (await records.find(`inspection-statement:${id}:${r.organisation_id}`))?.log_index;
        out.push({
          inspection: id,
          organisation: r.organisation_id,
          statement: JSON.parse(r.statement) as InspectionStatement,
          signedBytes: r.statement,
          signature: r.signature,
          keyId: r.key_id,
          publicKey: key?.publicKey ?? null,
          receivedAt: r.received_at,
          logIndex: logIndex ?? null,
          origin: null,
        });
      }
      return [...out, ...forwarded];
    },
  };
}
