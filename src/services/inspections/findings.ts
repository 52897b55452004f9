import { DomainError } from '../../domain/errors.js';
import { isGlobalAdmin, type Principal } from '../../domain/policy/index.js';
import { createInspectionsRepo, type InspectionsRepo } from '../../store/inspections.repo.js';
import type { InspectionFindingRow, InspectionRow } from '../../store/schema.types.js';
import { isoNow, type Ports, type Random } from '../ports.js';
import { createInspectionAccess, notFound } from './access.js';
import { randomHex } from './ids.js';
import type { FindingCaseRequest, InspectionFinding, NewFinding } from './inspections.types.js';
import { parseList, toFinding } from './rows.js';

/** A finding as verification or an inspector states it, before it is stored. */
export type FindingCandidate = Omit<
  InspectionFindingRow,
  'id' | 'inspection_id' | 'created_at' | 'created_by' | 'case_id'
>;

/** How the findings open a case: the cases service, bound to its ports by the composer. */
export type FindingCaseOpener = (p: Principal, request: FindingCaseRequest) => Promise<{ caseId: string }>;

/**
 * Stores the candidates whose key the inspection does not have yet (a recomputed verification
 * finds the same things again) and answers the new findings' ids.
 */
export async function insertFindings(
  repo: InspectionsRepo,
  row: InspectionRow,
  findings: readonly FindingCandidate[],
  made: { readonly random: Random; readonly at: string; readonly by: string },
): Promise<string[]> {
  const existing = await repo.listFindingKeys(row.id);
  const ids: string[] = [];
  for (const f of findings.filter((x) => !existing.has(x.key))) {
    const id = `fnd-${randomHex(made.random, 6)}`;
    ids.push(id);
    await repo.insertFinding({
      ...f,
      id,
      inspection_id: row.id,
      case_id: null,
      created_at: made.at,
      created_by: made.by,
    });
  }
  return ids;
}

/** Findings of an inspection, from verification or stated by hand, and the cases they open (§7). */
export function createFindingService(
  ports: Pick<Ports, 'db' | 'clock' | 'random'>,
  openCaseFor: FindingCaseOpener,
) {
  const k = ports.db.kysely;
  const repo = createInspectionsRepo(k);
  const access = createInspectionAccess(ports);

  async function getFinding(p: Principal, id: string, findingId: string): Promise<InspectionFinding> {
    await access(p, id, 'read');
    const f = await repo.getFinding(id, findingId);
    return f ? toFinding(f) : notFound();
  }

  /** A finding opens a case owned by the caller's inspectorate and shared with its partner. */
  async function openCase(
    p: Principal,
    id: string,
    findingId: string,
    kind: 'anomaly' | 'discrepancy',
  ): Promise<InspectionFinding> {
    const { row } = await access(p, id, 'write');
    const finding = await getFinding(p, id, findingId);
    if (finding.caseId !== null)
      throw new DomainError('CONFLICT', `finding ${findingId} already opened case ${finding.caseId}`);
    const participants = parseList(row.participants);
    const owner = isGlobalAdmin(p) ? (participants[0] as string) : (p.organisationId as string);
    const { caseId } = await openCaseFor(p, {
      alarm: { source: 'verification', state: row.state, inspection: row.id, finding: finding.key },
      kind,
      state: row.state,
      mba: finding.mbas[0],
      inspectorate: owner,
      sharedWith: participants.filter((x) => x !== owner),
      by: p.userId,
      summary: `${finding.type} (${finding.severity}) in inspection ${row.id}: ${finding.description}`,
    });
    await repo.setFindingCase(findingId, caseId);
    return { ...finding, caseId };
  }

  return {
    async listFindings(p: Principal, id: string): Promise<InspectionFinding[]> {
      await access(p, id, 'read');
      return (await repo.listFindings(id)).map(toFinding);
    },

    async createFinding(p: Principal, id: string, input: NewFinding): Promise<InspectionFinding> {
      const { row } = await access(p, id, 'write');
      const mbas = input.mbas ?? parseList(row.mbas);
      const foreign = mbas.filter((m) => !parseList(row.mbas).includes(m));
      if (foreign.length > 0)
        throw new DomainError('UNKNOWN_MBA', `not covered by this inspection: ${foreign.join(', ')}`);
      const key = `manual:${randomHex(ports.random, 8)}`;
      const at = isoNow(ports.clock);
      const [fid] = await k.transaction().execute((tx) =>
        insertFindings(
          createInspectionsRepo(tx),
          row,
          [
            {
              key,
              type: input.type,
              severity: input.severity,
              stratum: input.stratum ?? null,
              items: JSON.stringify(input.items ?? []),
              mbas: JSON.stringify(mbas),
              value: null,
              sigma: null,
              description: input.description,
              source: 'manual',
            },
          ],
          { random: ports.random, at, by: p.userId },
        ),
      );
      if (input.openCase !== undefined) return openCase(p, id, fid as string, input.openCase);
      return getFinding(p, id, fid as string);
    },

    getFinding,
    openCase,
  };
}
