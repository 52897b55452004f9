import type { ProvisionBasis } from '../../domain/legal/index.js';
import type {
  InspectionFindingRow,
  InspectionStatementRow,
  SamplingDrawRow,
} from '../../store/schema.types.js';
import type { InspectionFinding, NoticeTerms, SamplingAnswer } from './inspections.types.js';

/** How the inspection rows read as the service's answers and as committed record content. */

/** A JSON array column (mbas, participants, item ids) as a list of strings. */
export function parseList(text: string): string[] {
  const v: unknown = JSON.parse(text);
  return Array.isArray(v) ? v.map(String) : [];
}

/** The notice terms column: written by this service from a `NoticeTerms`. */
/** The notice terms as stored, without the basis kept beside them (noticeBasisOf). */
export function parseTerms(text: string): NoticeTerms {
  const { basis: _b, ...terms } = JSON.parse(text) as NoticeTerms & { basis?: unknown };
  return terms;
}

/** The provision the notice was judged under; absent for inspections planned before issue 19. */
export function noticeBasisOf(text: string): ProvisionBasis | undefined {
  return (JSON.parse(text) as { basis?: ProvisionBasis }).basis;
}

export function toFinding(r: InspectionFindingRow): InspectionFinding {
  return {
    id: r.id,
    inspection: r.inspection_id,
    key: r.key,
    type: r.type,
    severity: r.severity,
    stratum: r.stratum,
    items: parseList(r.items),
    mbas: parseList(r.mbas),
    value: r.value,
    sigma: r.sigma,
    description: r.description,
    source: r.source,
    caseId: r.case_id,
    createdAt: r.created_at,
  };
}

/** The committed content of a sampling draw: everything an auditor needs to re-draw it. */
export function drawContent(r: SamplingDrawRow) {
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
  r: SamplingDrawRow,
  detectionProbability: number,
  logIndex?: number,
): SamplingAnswer {
  return {
    id: r.id,
    inspectionId: r.inspection_id,
    sampleSize: r.sample_size,
    defectsToDetect: r.defects_to_detect,
    method: r.method,
    detectionProbability,
    sample: parseList(r.sample),
    seed: r.seed,
    ...(logIndex === undefined ? {} : { logIndex }),
  };
}

/** The committed content of a statement: the signed statement, the signature and the key id. */
export function statementContent(r: InspectionStatementRow) {
  return { statement: JSON.parse(r.statement) as unknown, signature: r.signature, keyId: r.key_id };
}
