import type { Kysely, Transaction } from 'kysely';
import type { FacilityKind, InspectionType } from '../../domain/inspections/index.js';
import type { Schema } from '../../store/schema.types.js';
import type {
  InspectionFinding,
  InspectionStatus,
  NoticeTerms,
  SamplingAnswer,
} from './inspections.types.js';

export type Q = Kysely<Schema> | Transaction<Schema>;
export type InspectionRow = Schema['inspections'];
export type FindingRow = Schema['inspection_findings'];
export type DrawRow = Schema['sampling_draws'];

export function parseList(text: string): string[] {
  const v: unknown = JSON.parse(text);
  return Array.isArray(v) ? v.map(String) : [];
}

export function rowType(r: InspectionRow): InspectionType {
  return r.type as InspectionType;
}
export function rowKind(r: InspectionRow): FacilityKind {
  return r.facility_kind as FacilityKind;
}
export function rowStatus(r: InspectionRow): InspectionStatus {
  return r.status as InspectionStatus;
}
export function rowTerms(r: InspectionRow): NoticeTerms {
  return JSON.parse(r.notice_terms) as NoticeTerms;
}

export async function getInspectionRow(q: Q, id: string): Promise<InspectionRow | undefined> {
  return q.selectFrom('inspections').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listActivities(q: Q, id: string) {
  const rows = await q
    .selectFrom('inspection_activities')
    .select(['activity', 'inspectorate'])
    .where('inspection_id', '=', id)
    .orderBy('activity')
    .execute();
  return rows.map((r) => ({ activity: r.activity, inspectorate: r.inspectorate }));
}

export function toFinding(r: FindingRow): InspectionFinding {
  return {
    id: r.id,
    inspection: r.inspection_id,
    key: r.key,
    type: r.type,
    severity: r.severity as InspectionFinding['severity'],
    stratum: r.stratum,
    items: parseList(r.items),
    mbas: parseList(r.mbas),
    value: r.value,
    sigma: r.sigma,
    description: r.description,
    source: r.source as InspectionFinding['source'],
    caseId: r.case_id,
    createdAt: r.created_at,
  };
}

export async function listFindingRows(q: Q, inspectionId: string): Promise<FindingRow[]> {
  return q
    .selectFrom('inspection_findings')
    .selectAll()
    .where('inspection_id', '=', inspectionId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** The committed content of a sampling draw: everything an auditor needs to re-draw it. */
export function drawContent(r: DrawRow) {
  return {
    id: r.id,
    inspection: r.inspection_id,
    population: r.population,
    averageContent: r.average_content,
    goalQuantity: r.goal_quantity,
    nonDetectionProbability: r.non_detection_probability,
    defectLevel: r.defect_level,
    sampleSize: r.sample_size,
    defectsToDetect: r.defects_to_detect,
    method: r.method,
    seed: r.seed,
    itemIds: parseList(r.item_ids),
    sample: parseList(r.sample),
  };
}

export function toSamplingAnswer(
  r: DrawRow,
  detectionProbability: number,
  logIndex?: number,
): SamplingAnswer {
  return {
    id: r.id,
    inspectionId: r.inspection_id,
    sampleSize: r.sample_size,
    defectsToDetect: r.defects_to_detect,
    method: r.method as SamplingAnswer['method'],
    detectionProbability,
    sample: parseList(r.sample),
    seed: r.seed,
    ...(logIndex === undefined ? {} : { logIndex }),
  };
}

/** The committed content of a statement: the signed statement, the signature and the key id. */
export function statementContent(r: Schema['inspection_statements']) {
  return { statement: JSON.parse(r.statement) as unknown, signature: r.signature, keyId: r.key_id };
}
