import { DomainError, type ErrorDetail } from '../../domain/errors.js';
import {
  checkNotice,
  computeRoutineEffortCap,
  computeSamplingPlan,
  decideDesignation,
  drawSample,
  type FacilityKind,
  findingsFromVerification,
  INSPECTION_TYPE_INFO,
  type InspectionType,
  JOINT_ACTIVITIES,
  type JointActivity,
  type MethodErrors,
  validateAssignments,
} from '../../domain/inspections/index.js';
import {
  computeStateScope,
  inScope,
  isGlobalAdmin,
  isInspectorate,
  type Principal,
} from '../../domain/policy/index.js';
import { type FacilityType, isKeyValidAt } from '../../domain/registry/index.js';
import {
  createInspectionsRepo,
  type InspectionsRepo,
  type StratumValues,
} from '../../store/inspections.repo.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import type {
  InspectionFindingRow,
  InspectionItemRow,
  InspectionRow,
  InspectionStatementRow,
  InspectorDesignationRow,
  SamplingDrawRow,
} from '../../store/schema.types.js';
import { isoNow, type Ports } from '../ports.js';
import { appendRecord } from '../records.js';
import './records.js';
import { enforce, scopeOf } from '../scope.js';
import { openCaseForFinding } from './cases.js';
import type {
  CaseOpener,
  Designation,
  EffortSummary,
  Inspection,
  InspectionFinding,
  ItemInput,
  NewFinding,
  NewInspection,
  NoticeTerms,
  SamplingAnswer,
  SamplingRequest,
  Schedule,
  StratumInput,
  StratumResult,
} from './inspections.types.js';
import { drawContent, parseList, parseTerms, statementContent, toFinding, toSamplingAnswer } from './rows.js';
import {
  checkStatementFacts,
  type InspectionStatement,
  type StatementFacts,
  statementBytes,
  verifyStatementSignature,
} from './statement.js';

/** How far a statement's own signing time may run ahead of the node's clock (clock skew). */
const SIGNED_AT_SKEW_MS = 5 * 60_000;
/** Routine effort counts routine inspections and the unannounced ones that are part of them (§7). */
const ROUTINE_TYPES: readonly InspectionType[] = ['routine', 'unannounced'];

/**
 * Custos decides the default facility class from the registry type; the planner overrides it
 * (e.g. a storage that is a sealed store, or a facility handling U above 5 %).
 */
export function defaultFacilityKind(type: FacilityType): FacilityKind {
  switch (type) {
    case 'power-reactor':
    case 'research-reactor':
      return 'reactor';
    case 'reprocessing':
      return 'pu-or-u-above-5pct';
    default:
      return 'other';
  }
}

function notFound(): never {
  throw new DomainError('NOT_FOUND', 'no such resource');
}

function invalid(message: string, details: ErrorDetail[] = []): never {
  throw new DomainError('VALIDATION_FAILED', message, details);
}

function yearOf(instant: string): number {
  return new Date(Date.parse(instant)).getUTCFullYear();
}

function hex(ports: Ports, n: number): string {
  return Buffer.from(ports.random.bytes(n)).toString('hex');
}

function isJointActivity(activity: string): activity is JointActivity {
  return (JOINT_ACTIVITIES as readonly string[]).includes(activity);
}

function flag(v: boolean | null | undefined): number | null {
  return v === undefined || v === null ? null : v ? 1 : 0;
}

function noticeInput(
  type: InspectionType,
  facilityKind: FacilityKind,
  terms: NoticeTerms,
  s: { startsAt: string; noticeGivenAt?: string },
) {
  return {
    type,
    facilityKind,
    startsAt: s.startsAt,
    ...(s.noticeGivenAt === undefined ? {} : { noticeGivenAt: s.noticeGivenAt }),
    ...(terms.forTransfer === undefined ? {} : { forTransfer: terms.forTransfer }),
    ...(terms.combinedWithInspection === undefined
      ? {}
      : { combinedWithInspection: terms.combinedWithInspection }),
    ...(terms.consultationAt === undefined ? {} : { consultationAt: terms.consultationAt }),
    ...(terms.agreedNoticeHours === undefined ? {} : { agreedNoticeHours: terms.agreedNoticeHours }),
  };
}

function pickTerms(t: NoticeTerms): NoticeTerms {
  return {
    ...(t.forTransfer === undefined ? {} : { forTransfer: t.forTransfer }),
    ...(t.combinedWithInspection === undefined ? {} : { combinedWithInspection: t.combinedWithInspection }),
    ...(t.consultationAt === undefined ? {} : { consultationAt: t.consultationAt }),
    ...(t.agreedNoticeHours === undefined ? {} : { agreedNoticeHours: t.agreedNoticeHours }),
  };
}

type View = 'inspectorate' | 'state';

export interface InspectionServiceOptions {
  /** How a finding opens a case; default the cases service (openCaseForFinding). */
  readonly openCase?: CaseOpener;
}

/** Inspection use cases (issue 7). Each write is one transaction; policy first, then data. */
export function createInspectionService(ports: Ports, options: InspectionServiceOptions = {}) {
  const k = ports.db.kysely;
  const repo = createInspectionsRepo(k);
  const registry = createRegistryRepo(ports.db);
  const now = () => isoNow(ports.clock);

  /**
   * Who sees an inspection: its participating inspectorates (all of it), and the state it is in
   * (notices, findings, statements; an unannounced inspection only once the team has arrived).
   * Anyone else gets 404, so its existence is not revealed.
   */
  async function access(p: Principal, id: string, mode: 'read' | 'write') {
    const row = await repo.getInspection(id);
    const scope = await scopeOf(ports, p);
    if (!row) {
      enforce(p, mode === 'write' ? 'inspect' : 'data.read', scope);
      return notFound();
    }
    if (isGlobalAdmin(p)) return { row, view: 'inspectorate' as View };
    if (mode === 'write' || isInspectorate(p)) {
      enforce(p, mode === 'write' ? 'inspect' : 'data.read', scope, { state: row.state });
      if (!isInspectorate(p) || !parseList(row.participants).includes(p.organisationId ?? '')) notFound();
      return { row, view: 'inspectorate' as View };
    }
    enforce(p, 'data.read', scope, { state: row.state });
    if (row.type === 'unannounced' && row.arrived_at === null) notFound();
    return { row, view: 'state' as View };
  }

  async function effortFor(
    facility: string,
    year: number,
    basis?: { facilityKind: FacilityKind; inventoryEkg: number; throughputEkg: number },
  ): Promise<EffortSummary> {
    const rows = (await repo.listInspectionsOfFacility(facility, ROUTINE_TYPES))
      .filter((r) => yearOf(r.starts_at) === year)
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
    const latest = [...rows].reverse().find((r) => r.inventory_ekg !== null || r.throughput_ekg !== null);
    const input =
      basis ??
      (latest && {
        facilityKind: latest.facility_kind,
        inventoryEkg: latest.inventory_ekg ?? 0,
        throughputEkg: latest.throughput_ekg ?? 0,
      });
    const cap = input ? computeRoutineEffortCap(input) : null;
    const planned = rows.reduce((s, r) => s + r.planned_man_days, 0);
    const overCount = cap?.maxRoutineInspections !== undefined && rows.length > cap.maxRoutineInspections;
    return {
      facility,
      year,
      cap,
      routineInspections: rows.length,
      plannedManDays: planned,
      remainingManDays: cap ? cap.manDays - planned : null,
      withinCap: cap ? planned <= cap.manDays && !overCount : null,
    };
  }

  async function toInspection(row: InspectionRow, view: View): Promise<Inspection> {
    const type = row.type;
    const base = {
      id: row.id,
      type,
      purpose: INSPECTION_TYPE_INFO[type].purpose,
      noticeRule: INSPECTION_TYPE_INFO[type].notice,
      facility: row.facility,
      state: row.state,
      mbas: parseList(row.mbas),
      participants: parseList(row.participants),
      startsAt: row.starts_at,
      noticeGivenAt: row.notice_given_at,
      arrivedAt: row.arrived_at,
      status: row.status,
      createdAt: row.created_at,
    };
    if (view === 'state') return base;
    return {
      ...base,
      facilityKind: row.facility_kind,
      terms: parseTerms(row.notice_terms),
      requiredNoticeHours: row.required_notice_hours,
      plannedManDays: row.planned_man_days,
      activities: await repo.listActivities(row.id),
      ...(ROUTINE_TYPES.includes(type)
        ? { effort: await effortFor(row.facility, yearOf(row.starts_at)) }
        : {}),
    };
  }

  function checkParticipantShape(participants: readonly string[]): void {
    if (
      participants.length < 1 ||
      participants.length > 2 ||
      new Set(participants).size !== participants.length
    ) {
      throw new DomainError('ASSIGNMENT_INVALID', 'an inspection has one or two distinct inspectorates', [
        { field: 'participants', code: 'NOT_ONE_OR_TWO_PARTICIPANTS', message: participants.join(', ') },
      ]);
    }
  }

  /** "One job, one person": joint plans via the domain rule; a single inspectorate does all. */
  function resolveAssignments(
    participants: readonly string[],
    activities: readonly string[],
    assignments: readonly { activity: string; inspectorate: string }[] | undefined,
  ): { activity: JointActivity; inspectorate: string }[] {
    const sole = participants.length === 1 ? participants[0] : undefined;
    if (sole !== undefined) {
      const filled = assignments ?? activities.map((activity) => ({ activity, inspectorate: sole }));
      // The domain rule wants two participants; a lone inspectorate is checked against itself.
      const plan = validateAssignments({
        participants: [sole, `${sole}\u0000`],
        activities,
        assignments: filled,
      });
      return [...plan.entries()].map(([activity, inspectorate]) => ({ activity, inspectorate }));
    }
    const plan = validateAssignments({ participants, activities, assignments: assignments ?? [] });
    return [...plan.entries()].map(([activity, inspectorate]) => ({ activity, inspectorate }));
  }

  async function publishNotice(row: InspectionRow, at: string): Promise<void> {
    await ports.events.publish({
      type: 'inspection.notice',
      state: row.state,
      organisation: null,
      at,
      data: {
        inspection: row.id,
        type: row.type,
        facility: row.facility,
        mbas: parseList(row.mbas),
        participants: parseList(row.participants),
        startsAt: row.starts_at,
        noticeGivenAt: row.notice_given_at,
        arrivedAt: row.arrived_at,
      },
    });
  }

  /** The inspectorate that owns an activity's results; a joint inspection must have assigned it. */
  async function checkAssignee(p: Principal, row: InspectionRow, activity: string): Promise<void> {
    const assigned = (await repo.listActivities(row.id)).find((a) => a.activity === activity);
    const participants = parseList(row.participants);
    if (!assigned) {
      if (participants.length === 2) {
        throw new DomainError(
          'ASSIGNMENT_INVALID',
          `activity ${activity} is not assigned in this joint inspection`,
          [{ field: 'activity', code: 'UNASSIGNED', message: activity }],
        );
      }
      return;
    }
    if (!isGlobalAdmin(p) && assigned.inspectorate !== p.organisationId) {
      throw new DomainError(
        'ASSIGNMENT_INVALID',
        `activity ${activity} is assigned to ${assigned.inspectorate}: one job, one person`,
        [{ field: 'activity', code: 'ASSIGNED_TO_PARTNER', message: assigned.inspectorate }],
      );
    }
  }

  async function insertFindings(
    q: InspectionsRepo,
    row: InspectionRow,
    by: string,
    findings: readonly Omit<
      InspectionFindingRow,
      'id' | 'inspection_id' | 'created_at' | 'created_by' | 'case_id'
    >[],
  ): Promise<string[]> {
    const existing = await q.listFindingKeys(row.id);
    const at = now();
    const fresh = findings.filter((f) => !existing.has(f.key));
    const ids: string[] = [];
    for (const f of fresh) {
      const id = `fnd-${hex(ports, 6)}`;
      ids.push(id);
      await q.insertFinding({
        ...f,
        id,
        inspection_id: row.id,
        case_id: null,
        created_at: at,
        created_by: by,
      });
    }
    return ids;
  }

  async function stratumResult(
    q: InspectionsRepo,
    row: InspectionRow,
    stratum: string,
    by?: string,
  ): Promise<StratumResult> {
    const s = await q.getStratum(row.id, stratum);
    if (!s) return notFound();
    const items = await q.listItems(row.id, stratum);
    const operator: MethodErrors = { random: s.operator_random, systematic: s.operator_systematic };
    const inspector: MethodErrors = { random: s.inspector_random, systematic: s.inspector_systematic };
    const measured = items.flatMap((it) =>
      it.measured === null ? [] : [{ id: it.item_id, declared: it.declared, measured: it.measured }],
    );
    const mbas = s.mba !== null ? [s.mba] : parseList(row.mbas);
    let itemTests: StratumResult['itemTests'] = [];
    let dStatistic: StratumResult['dStatistic'] = null;
    const candidates: Parameters<typeof insertFindings>[3][number][] = [];
    if (measured.length > 0 && measured.length <= s.population) {
      const v = findingsFromVerification({
        stratum,
        population: s.population,
        items: measured,
        operator,
        inspector,
        ...(s.goal_quantity === null ? {} : { goalQuantity: s.goal_quantity }),
      });
      itemTests = v.itemTests;
      dStatistic = v.dStatistic;
      for (const f of v.findings) {
        candidates.push({
          key: f.key,
          type: f.type,
          severity: f.severity,
          stratum,
          items: JSON.stringify(f.items),
          mbas: JSON.stringify(mbas),
          value: f.value,
          sigma: f.sigma,
          description:
            f.items.length === 1 && !f.key.endsWith(':D')
              ? `item ${f.items[0]}: d = ${f.value.toFixed(3)} (σ = ${f.sigma.toFixed(3)}, ${(Math.abs(f.value) / (f.sigma || 1)).toFixed(1)}σ)`
              : `stratum ${stratum}: D = ${f.value.toFixed(3)} (σ_D = ${f.sigma.toFixed(3)}) over ${f.items.length} items`,
          source: 'verification',
        });
      }
    }
    // Custos decides: a missing item is a gross defect (domain.md §6: "item empty"), a broken seal
    // a medium-severity anomaly; both are attribute results, independent of the variables tests.
    for (const it of items) {
      if (it.present === 0) {
        candidates.push({
          key: `${stratum}:item-absent:${it.item_id}`,
          type: 'item-absent',
          severity: 'high',
          stratum,
          items: JSON.stringify([it.item_id]),
          mbas: JSON.stringify(mbas),
          value: null,
          sigma: null,
          description: `item ${it.item_id} not found`,
          source: 'verification',
        });
      }
      if (it.seal_intact === 0) {
        candidates.push({
          key: `${stratum}:seal-broken:${it.item_id}`,
          type: 'seal-broken',
          severity: 'medium',
          stratum,
          items: JSON.stringify([it.item_id]),
          mbas: JSON.stringify(mbas),
          value: null,
          sigma: null,
          description: `seal on item ${it.item_id} not intact`,
          source: 'verification',
        });
      }
    }
    if (by !== undefined) await insertFindings(q, row, by, candidates);
    const keys = new Set(candidates.map((c) => c.key));
    const findings = (await q.listFindings(row.id)).filter((f) => keys.has(f.key)).map((f) => f.id);
    return {
      stratum,
      mba: s.mba,
      activity: s.activity,
      recordedBy: [...new Set(items.map((it) => it.recorded_org))].sort(),
      population: s.population,
      operator,
      inspector,
      goalQuantity: s.goal_quantity,
      samplingPlanId: s.sampling_draw_id,
      items: items.map((it) => ({
        itemId: it.item_id,
        declared: it.declared,
        measured: it.measured,
        present: it.present === null ? null : it.present === 1,
        sealIntact: it.seal_intact === null ? null : it.seal_intact === 1,
        recordedOrg: it.recorded_org,
      })),
      itemTests,
      dStatistic,
      findings,
    };
  }

  async function statementFacts(row: InspectionRow, organisation: string): Promise<StatementFacts> {
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
    const opener = options.openCase ?? openCaseForFinding;
    const participants = parseList(row.participants);
    const owner = isGlobalAdmin(p) ? (participants[0] as string) : (p.organisationId as string);
    const { caseId } = await opener(ports, p, {
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
    /** Plan and schedule: checks the notice rule (NOTICE_RULE_VIOLATED) and notifies the state. */
    async createInspection(p: Principal, input: NewInspection): Promise<Inspection> {
      const facility = await registry.getFacility(input.facility);
      const scope = await scopeOf(ports, p);
      enforce(p, 'inspect', scope, { state: facility?.state ?? '\0' });
      if (!facility) return notFound();
      checkParticipantShape(input.participants);
      if (!isGlobalAdmin(p) && !input.participants.includes(p.organisationId ?? '')) {
        throw new DomainError('FORBIDDEN', 'your inspectorate must be one of the participants');
      }
      const agreements = await registry.listAgreements();
      const problems: ErrorDetail[] = [];
      for (const [i, id] of input.participants.entries()) {
        const org = await registry.getOrganisation(id);
        const kindOk = org?.kind === 'inspectorate' || org?.kind === 'regional-inspectorate';
        const orgScope =
          org &&
          computeStateScope(
            {
              userId: '',
              login: '',
              organisationId: org.id,
              organisationKind: org.kind,
              state: null,
              roles: new Set(),
            },
            agreements,
          );
        if (!org || !kindOk || !orgScope || !inScope(orgScope, facility.state)) {
          problems.push({
            field: `participants[${i}]`,
            code: 'NOT_AN_INSPECTORATE_OF_STATE',
            message: `${id} is not an inspectorate with an agreement in force for ${facility.state}`,
          });
        }
      }
      if (problems.length > 0) {
        throw new DomainError(
          'UNKNOWN_REFERENCE',
          'participants must be inspectorates of the state',
          problems,
        );
      }
      const facilityMbas = (await registry.listMbas({ facility: facility.code })).map((m) => m.code);
      const mbas = input.mbas ? [...new Set(input.mbas)] : facilityMbas;
      const foreign = mbas.filter((m) => !facilityMbas.includes(m));
      if (foreign.length > 0) {
        throw new DomainError('UNKNOWN_MBA', `not MBAs of ${facility.code}: ${foreign.join(', ')}`);
      }
      const facilityKind = input.facilityKind ?? defaultFacilityKind(facility.type);
      const terms = pickTerms(input);
      const notice = checkNotice(noticeInput(input.type, facilityKind, terms, input));
      const activities = resolveAssignments(input.participants, input.activities ?? [], input.assignments);
      if (input.inventoryEkg !== undefined || input.throughputEkg !== undefined) {
        computeRoutineEffortCap({
          facilityKind,
          inventoryEkg: input.inventoryEkg ?? 0,
          throughputEkg: input.throughputEkg ?? 0,
        });
      }
      const at = now();
      const row: InspectionRow = {
        id: `ins-${hex(ports, 6)}`,
        type: input.type,
        facility: facility.code,
        state: facility.state,
        facility_kind: facilityKind,
        mbas: JSON.stringify(mbas),
        participants: JSON.stringify(input.participants),
        starts_at: input.startsAt,
        notice_given_at: input.noticeGivenAt ?? null,
        arrived_at: null,
        notice_terms: JSON.stringify(terms),
        required_notice_hours: notice.requiredHours,
        planned_man_days: input.plannedManDays ?? 0,
        inventory_ekg: input.inventoryEkg ?? null,
        throughput_ekg: input.throughputEkg ?? null,
        status: 'scheduled',
        created_at: at,
        created_by: p.userId,
      };
      await k.transaction().execute(async (tx) => {
        const r = createInspectionsRepo(tx);
        await r.insertInspection(row);
        await r.replaceActivities(row.id, activities);
      });
      // INFCIRC/153 para 83-84: the state is told in advance, except of unannounced inspections.
      if (row.type !== 'unannounced') await publishNotice(row, at);
      return toInspection(row, 'inspectorate');
    },

    /** Move the start or the notice; the notice rule is checked again and the state told again. */
    async scheduleInspection(p: Principal, id: string, s: Schedule): Promise<Inspection> {
      const { row } = await access(p, id, 'write');
      if (row.arrived_at !== null) throw new DomainError('INVALID_TRANSITION', 'the inspection has started');
      const terms = pickTerms({ ...parseTerms(row.notice_terms), ...pickTerms(s) });
      const notice = checkNotice(noticeInput(row.type, row.facility_kind, terms, s));
      const updated: InspectionRow = {
        ...row,
        starts_at: s.startsAt,
        notice_given_at: s.noticeGivenAt ?? null,
        notice_terms: JSON.stringify(terms),
        required_notice_hours: notice.requiredHours,
      };
      await repo.updateSchedule(id, {
        starts_at: updated.starts_at,
        notice_given_at: updated.notice_given_at,
        notice_terms: updated.notice_terms,
        required_notice_hours: updated.required_notice_hours,
      });
      if (row.type !== 'unannounced') await publishNotice(updated, now());
      return toInspection(updated, 'inspectorate');
    },

    /** The team arrives; for an unannounced inspection this is when the state learns of it. */
    async recordArrival(p: Principal, id: string, arrivedAt?: string): Promise<Inspection> {
      const { row } = await access(p, id, 'write');
      if (row.arrived_at !== null) throw new DomainError('INVALID_TRANSITION', 'arrival already recorded');
      const at = arrivedAt ?? now();
      await repo.markArrived(id, at);
      const updated: InspectionRow = { ...row, arrived_at: at, status: 'in-progress' };
      if (row.type === 'unannounced') await publishNotice(updated, now());
      return toInspection(updated, 'inspectorate');
    },

    async getInspection(p: Principal, id: string): Promise<Inspection> {
      const { row, view } = await access(p, id, 'read');
      return toInspection(row, view);
    },

    async listInspections(
      p: Principal,
      filter: { state?: string; facility?: string },
    ): Promise<Inspection[]> {
      const scope = await scopeOf(ports, p);
      enforce(p, 'data.read', scope, filter.state === undefined ? {} : { state: filter.state });
      const out: Inspection[] = [];
      for (const row of await repo.listInspections(filter)) {
        if (!inScope(scope, row.state)) continue;
        if (isGlobalAdmin(p)) out.push(await toInspection(row, 'inspectorate'));
        else if (isInspectorate(p)) {
          if (parseList(row.participants).includes(p.organisationId ?? '')) {
            out.push(await toInspection(row, 'inspectorate'));
          }
        } else if (!(row.type === 'unannounced' && row.arrived_at === null)) {
          out.push(await toInspection(row, 'state'));
        }
      }
      return out;
    },

    /** Annual routine effort of a facility against its cap (domain.md §7), for planning. */
    async getEffort(
      p: Principal,
      q: {
        facility: string;
        year: number;
        facilityKind?: FacilityKind;
        inventoryEkg?: number;
        throughputEkg?: number;
      },
    ): Promise<EffortSummary> {
      const facility = await registry.getFacility(q.facility);
      enforce(p, 'inspect', await scopeOf(ports, p), { state: facility?.state ?? '\0' });
      if (!facility) return notFound();
      const basis =
        q.inventoryEkg !== undefined || q.throughputEkg !== undefined
          ? {
              facilityKind: q.facilityKind ?? defaultFacilityKind(facility.type),
              inventoryEkg: q.inventoryEkg ?? 0,
              throughputEkg: q.throughputEkg ?? 0,
            }
          : undefined;
      return effortFor(facility.code, q.year, basis);
    },

    async assignActivities(
      p: Principal,
      id: string,
      input: {
        activities: readonly string[];
        assignments?: readonly { activity: string; inspectorate: string }[];
      },
    ): Promise<Inspection> {
      const { row } = await access(p, id, 'write');
      const rows = resolveAssignments(parseList(row.participants), input.activities, input.assignments);
      await k.transaction().execute((tx) => createInspectionsRepo(tx).replaceActivities(id, rows));
      return toInspection(row, 'inspectorate');
    },

    // ---- sampling plans (domain.md §6)
    async createSamplingPlan(p: Principal, input: SamplingRequest): Promise<SamplingAnswer> {
      let row: InspectionRow | undefined;
      if (input.inspectionId !== undefined) row = (await access(p, input.inspectionId, 'write')).row;
      else enforce(p, 'inspect', await scopeOf(ports, p));
      const plan = computeSamplingPlan(input);
      if (input.itemIds === undefined) {
        return {
          sampleSize: plan.sampleSize,
          defectsToDetect: plan.defectsToDetect,
          method: plan.method,
          detectionProbability: plan.detectionProbability,
        };
      }
      if (input.itemIds.length !== input.population) {
        invalid('itemIds must list the whole population', [
          {
            field: 'itemIds',
            code: 'COUNT_MISMATCH',
            message: `${input.itemIds.length} ids for N = ${input.population}`,
          },
        ]);
      }
      const seed = input.seed ?? hex(ports, 16);
      const sample = drawSample(input.itemIds, plan.sampleSize, seed);
      const at = now();
      const draw: SamplingDrawRow = {
        id: `spl-${hex(ports, 6)}`,
        inspection_id: row?.id ?? null,
        organisation_id: p.organisationId,
        state: row?.state ?? null,
        population: input.population,
        average_content: input.averageContent,
        goal_quantity: input.goalQuantity,
        non_detection_probability: input.nonDetectionProbability,
        defect_level: input.defectLevel,
        sample_size: plan.sampleSize,
        defects_to_detect: plan.defectsToDetect,
        method: plan.method,
        seed,
        item_ids: JSON.stringify(input.itemIds),
        sample: JSON.stringify(sample),
        created_at: at,
        created_by: p.userId,
      };
      const logIndex = await k.transaction().execute(async (tx) => {
        await createInspectionsRepo(tx).insertDraw(draw);
        return appendRecord(tx, ports, {
          kind: 'sampling-draw',
          id: `sampling-draw:${draw.id}`,
          content: drawContent(draw),
          subjectState: draw.state,
          subjectOrg: draw.organisation_id,
          at,
          by: p.userId,
        });
      });
      return toSamplingAnswer(draw, plan.detectionProbability, logIndex);
    },

    async getSamplingPlan(p: Principal, id: string): Promise<SamplingAnswer & { itemIds: string[] }> {
      enforce(p, 'inspect', await scopeOf(ports, p));
      const draw = await repo.getDraw(id);
      if (!draw) return notFound();
      if (draw.inspection_id !== null) await access(p, draw.inspection_id, 'write');
      else if (!isGlobalAdmin(p) && draw.organisation_id !== p.organisationId) notFound();
      const plan = computeSamplingPlan({
        population: draw.population,
        averageContent: draw.average_content,
        goalQuantity: draw.goal_quantity,
        nonDetectionProbability: draw.non_detection_probability,
        defectLevel: draw.defect_level,
      });
      const logIndex = await repo.logIndexOf(`sampling-draw:${id}`);
      return {
        ...toSamplingAnswer(draw, plan.detectionProbability, logIndex),
        itemIds: parseList(draw.item_ids),
      };
    },

    // ---- verification data (domain.md §6)
    async defineStratum(
      p: Principal,
      id: string,
      stratum: string,
      input: StratumInput,
    ): Promise<StratumResult> {
      const { row } = await access(p, id, 'write');
      const activity = input.activity ?? 'nda-measurement';
      if (!isJointActivity(activity)) {
        return invalid('unknown activity', [
          { field: 'activity', code: 'UNKNOWN_ACTIVITY', message: activity },
        ]);
      }
      await checkAssignee(p, row, activity);
      if (input.mba !== undefined && !parseList(row.mbas).includes(input.mba)) {
        throw new DomainError('UNKNOWN_MBA', `${input.mba} is not covered by this inspection`);
      }
      if (input.samplingPlanId !== undefined) {
        const draw = await repo.getDraw(input.samplingPlanId);
        if (!draw || draw.inspection_id !== row.id) {
          throw new DomainError(
            'UNKNOWN_REFERENCE',
            `sampling plan ${input.samplingPlanId} is not a draw of this inspection`,
          );
        }
        if (draw.population !== input.population) {
          invalid('population differs from the sampling plan', [
            { field: 'population', code: 'NOT_AS_PLANNED', message: String(draw.population) },
          ]);
        }
      }
      const existing = await repo.getStratum(id, stratum);
      if (existing && existing.activity !== activity) await checkAssignee(p, row, existing.activity);
      const values: StratumValues = {
        mba: input.mba ?? null,
        activity,
        population: input.population,
        operator_random: input.operator.random,
        operator_systematic: input.operator.systematic,
        inspector_random: input.inspector.random,
        inspector_systematic: input.inspector.systematic,
        goal_quantity: input.goalQuantity ?? null,
        sampling_draw_id: input.samplingPlanId ?? null,
      };
      return k.transaction().execute(async (tx) => {
        const r = createInspectionsRepo(tx);
        if (existing) await r.updateStratum(id, stratum, values);
        else {
          await r.insertStratum({
            ...values,
            inspection_id: id,
            stratum,
            created_at: now(),
            created_by: p.userId,
          });
        }
        return stratumResult(r, row, stratum, p.userId);
      });
    },

    /** Record (or correct) item results; recomputes the stratum's tests and adds new findings. */
    async recordItems(
      p: Principal,
      id: string,
      stratum: string,
      items: readonly ItemInput[],
    ): Promise<StratumResult> {
      const { row } = await access(p, id, 'write');
      const s = await repo.getStratum(id, stratum);
      if (!s) throw new DomainError('NOT_FOUND', `stratum ${stratum} is not defined; define it first`);
      await checkAssignee(p, row, s.activity);
      const problems: ErrorDetail[] = [];
      const seen = new Set<string>();
      let sample: Set<string> | undefined;
      if (s.sampling_draw_id !== null) {
        const draw = await repo.getDraw(s.sampling_draw_id);
        sample = new Set(draw ? parseList(draw.sample) : []);
      }
      items.forEach((it, i) => {
        if (seen.has(it.itemId))
          problems.push({ field: `items[${i}].itemId`, code: 'DUPLICATE', message: it.itemId });
        seen.add(it.itemId);
        // Custos decides: with a logged draw, only drawn items are verified (the draw is the audit trail).
        if (sample && !sample.has(it.itemId)) {
          problems.push({ field: `items[${i}].itemId`, code: 'NOT_IN_SAMPLE', message: it.itemId });
        }
      });
      if (problems.length > 0) invalid(`${problems.length} problem(s) in the items`, problems);
      const at = now();
      return k.transaction().execute(async (tx) => {
        const r = createInspectionsRepo(tx);
        const rows: InspectionItemRow[] = items.map((it) => ({
          inspection_id: id,
          stratum,
          item_id: it.itemId,
          declared: it.declared,
          measured: it.measured ?? null,
          present: flag(it.present),
          seal_intact: flag(it.sealIntact),
          recorded_by: p.userId,
          recorded_org: p.organisationId ?? 'admin',
          recorded_at: at,
        }));
        await r.replaceItems(id, stratum, rows);
        const measured = await r.countMeasuredItems(id, stratum);
        if (measured > s.population) {
          invalid('more measured items than the stratum population', [
            { field: 'items', code: 'OUT_OF_RANGE', message: `${measured} > N = ${s.population}` },
          ]);
        }
        return stratumResult(r, row, stratum, p.userId);
      });
    },

    /** Results are shared: both participants see every stratum, whoever recorded it. */
    async getVerification(p: Principal, id: string): Promise<StratumResult[]> {
      const { row, view } = await access(p, id, 'read');
      if (view === 'state') notFound();
      const out: StratumResult[] = [];
      for (const stratum of await repo.listStratumNames(id))
        out.push(await stratumResult(repo, row, stratum));
      return out;
    },

    // ---- findings
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
      const key = `manual:${hex(ports, 8)}`;
      const [fid] = await k.transaction().execute((tx) =>
        insertFindings(createInspectionsRepo(tx), row, p.userId, [
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
        ]),
      );
      if (input.openCase !== undefined) return openCase(p, id, fid as string, input.openCase);
      return getFinding(p, id, fid as string);
    },

    getFinding,
    openCase,

    // ---- statements (domain.md §7: each inspectorate signs its own conclusions)
    async draftStatement(p: Principal, id: string, organisation?: string): Promise<InspectionStatement> {
      const { row } = await access(p, id, 'write');
      const org = signerOf(p, row, organisation);
      return { ...(await statementFacts(row, org)), conclusion: '', signedAt: now() };
    },

    async submitStatement(
      p: Principal,
      id: string,
      input: { statement: InspectionStatement; signature: string; keyId?: string },
    ) {
      const { row } = await access(p, id, 'write');
      const org = signerOf(p, row, input.statement.inspectorate);
      checkStatementFacts(input.statement, await statementFacts(row, org));
      const at = now();
      const signedAt = Date.parse(input.statement.signedAt);
      if (Number.isNaN(signedAt) || signedAt > Date.parse(at) + SIGNED_AT_SKEW_MS) {
        invalid('signedAt must be a time not after now', [
          { field: 'statement.signedAt', code: 'OUT_OF_RANGE', message: input.statement.signedAt },
        ]);
      }
      const existing = await repo.getStatement(id, org);
      if (existing) throw new DomainError('ALREADY_EXISTS', `${org} has already signed its statement`);
      const keys = await registry.listSigningKeys(org);
      let candidates = keys;
      if (input.keyId !== undefined) {
        candidates = keys.filter((x) => x.id === input.keyId);
        if (candidates.length === 0)
          throw new DomainError('KEY_UNKNOWN', `${input.keyId} is not a key of ${org}`);
      }
      // The key must be valid when Custos receives the statement: a revoked key signs nothing new.
      const valid = candidates.filter((x) => isKeyValidAt(x, at));
      if (valid.length === 0)
        throw new DomainError('KEY_NOT_VALID', `${org} has no signing key valid at ${at}`);
      const key = valid.find((x) => verifyStatementSignature(input.statement, input.signature, x.publicKey));
      if (!key) {
        throw new DomainError(
          'SIGNATURE_INVALID',
          `the signature does not verify with a registered key of ${org}`,
        );
      }
      const canonical = Buffer.from(statementBytes(input.statement)).toString('utf8');
      const stmtRow: InspectionStatementRow = {
        inspection_id: id,
        organisation_id: org,
        statement: canonical,
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
        data: { inspection: id, inspectorate: org, keyId: key.id, logIndex },
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

    /** Everything needed to verify each statement offline: statement, signature, public key. */
    async listStatements(p: Principal, id: string) {
      await access(p, id, 'read');
      const out = [];
      for (const r of await repo.listStatements(id)) {
        const key = await registry.getSigningKey(r.key_id);
        const logIndex = await repo.logIndexOf(`inspection-statement:${id}:${r.organisation_id}`);
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
        });
      }
      return out;
    },

    // ---- designations (INFCIRC/153 para 85)
    async proposeDesignation(
      p: Principal,
      input: { state: string; inspector: string },
    ): Promise<Designation> {
      enforce(p, 'inspect', await scopeOf(ports, p), { state: input.state });
      if (!isInspectorate(p) || p.organisationId === null) {
        throw new DomainError('FORBIDDEN', 'an inspectorate proposes its inspectors');
      }
      if (!(await registry.getState(input.state))) return notFound();
      const at = now();
      const row: InspectorDesignationRow = {
        id: `des-${hex(ports, 6)}`,
        inspectorate: p.organisationId,
        state: input.state,
        inspector: input.inspector,
        received_on: at.slice(0, 10),
        decision: null,
        decided_on: null,
        decided_by: null,
        created_at: at,
        created_by: p.userId,
      };
      await repo.insertDesignation(row);
      return toDesignation(row, at);
    },

    async decideDesignation(
      p: Principal,
      id: string,
      decision: 'accepted' | 'rejected',
    ): Promise<Designation> {
      const row = await repo.getDesignation(id);
      const scope = await scopeOf(ports, p);
      enforce(p, 'data.read', scope, { state: row?.state ?? '\0' });
      if (!row) return notFound();
      if (
        !isGlobalAdmin(p) &&
        !(p.organisationKind === 'state-authority' && p.state === row.state && p.roles.has('admin'))
      ) {
        throw new DomainError('FORBIDDEN', "the state's authority (admin) accepts or rejects a designation");
      }
      if (row.decision !== null)
        throw new DomainError('INVALID_TRANSITION', `designation already ${row.decision}`);
      const at = now();
      const updated = { ...row, decision, decided_on: at.slice(0, 10), decided_by: p.userId };
      await repo.recordDesignationDecision(id, {
        decision,
        decided_on: updated.decided_on,
        decided_by: p.userId,
      });
      return toDesignation(updated, at);
    },

    async listDesignations(p: Principal, filter: { state?: string }): Promise<Designation[]> {
      const scope = await scopeOf(ports, p);
      enforce(p, 'data.read', scope, filter.state === undefined ? {} : { state: filter.state });
      const at = now();
      return (await repo.listDesignations(filter))
        .filter(
          (r) =>
            isGlobalAdmin(p) ||
            (isInspectorate(p) ? r.inspectorate === p.organisationId : inScope(scope, r.state)),
        )
        .map((r) => toDesignation(r, at));
    },
  };
}

function toDesignation(r: InspectorDesignationRow, at: string): Designation {
  const status = decideDesignation({
    receivedOn: r.received_on,
    today: at.slice(0, 10),
    ...(r.decision !== null && r.decided_on !== null
      ? { answer: { decision: r.decision, on: r.decided_on } }
      : {}),
  });
  return {
    id: r.id,
    inspectorate: r.inspectorate,
    state: r.state,
    inspector: r.inspector,
    receivedOn: r.received_on,
    answerDueOn: status.answerDueOn,
    status: status.status,
    decidedOn: r.decided_on,
    lateAnswer: status.lateAnswer ?? false,
    designated: status.designated,
  };
}

export type InspectionService = ReturnType<typeof createInspectionService>;
