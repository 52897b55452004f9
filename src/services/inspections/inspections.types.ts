import type { CaseKind } from '../../domain/cases/index.js';
import type {
  DefectLevel,
  DStatistic,
  EffortCap,
  FacilityKind,
  InspectionType,
  ItemTest,
  MethodErrors,
} from '../../domain/inspections/index.js';
import type { ProvisionBasis } from '../../domain/legal/index.js';
import type { Principal } from '../../domain/policy/index.js';
import type { Ports } from '../ports.js';

type InspectionStatus = 'scheduled' | 'in-progress';

export interface NoticeTerms {
  readonly forTransfer?: boolean;
  readonly combinedWithInspection?: boolean;
  readonly consultationAt?: string;
  readonly agreedNoticeHours?: number;
}

export interface NewInspection extends NoticeTerms {
  readonly type: InspectionType;
  readonly facility: string;
  /** Defaults to all MBAs of the facility. */
  readonly mbas?: readonly string[];
  /** One or two inspectorates (organisation ids); the caller's organisation among them. */
  readonly participants: readonly string[];
  readonly startsAt: string;
  readonly noticeGivenAt?: string;
  /** Defaults from the facility type (reactors → reactor; reprocessing → Pu; else other). */
  readonly facilityKind?: FacilityKind;
  readonly plannedManDays?: number;
  /** The facility's inventory and annual throughput in ekg, the basis of the effort cap. */
  readonly inventoryEkg?: number;
  readonly throughputEkg?: number;
  readonly activities?: readonly string[];
  readonly assignments?: readonly { readonly activity: string; readonly inspectorate: string }[];
}

export interface Schedule extends NoticeTerms {
  readonly startsAt: string;
  readonly noticeGivenAt?: string;
}

export interface EffortSummary {
  readonly facility: string;
  readonly year: number;
  /** Null when no inventory/throughput basis was given for the facility this year. */
  readonly cap: EffortCap | null;
  /** Routine and unannounced inspections of the facility starting that year. */
  readonly routineInspections: number;
  readonly plannedManDays: number;
  readonly remainingManDays: number | null;
  readonly withinCap: boolean | null;
}

export interface Inspection {
  readonly id: string;
  readonly type: InspectionType;
  readonly purpose: string;
  readonly noticeRule: string;
  /** The provision the notice rule was applied from (issue 19); absent for older inspections. */
  readonly noticeBasis?: ProvisionBasis;
  readonly facility: string;
  readonly state: string;
  readonly mbas: readonly string[];
  readonly participants: readonly string[];
  readonly startsAt: string;
  readonly noticeGivenAt: string | null;
  readonly arrivedAt: string | null;
  readonly status: InspectionStatus;
  /** Inspectorate view only (the state sees notices, findings and statements). */
  readonly facilityKind?: FacilityKind;
  readonly terms?: NoticeTerms;
  readonly requiredNoticeHours?: number;
  readonly plannedManDays?: number;
  readonly activities?: readonly { readonly activity: string; readonly inspectorate: string }[];
  readonly effort?: EffortSummary;
  readonly createdAt: string;
}

export interface Designation {
  readonly id: string;
  readonly inspectorate: string;
  readonly state: string;
  readonly inspector: string;
  readonly receivedOn: string;
  readonly answerDueOn: string;
  readonly status: 'pending' | 'accepted' | 'rejected' | 'unanswered';
  readonly decidedOn: string | null;
  readonly lateAnswer: boolean;
  readonly designated: boolean;
}

export interface SamplingRequest {
  readonly population: number;
  readonly averageContent: number;
  readonly goalQuantity: number;
  readonly nonDetectionProbability: number;
  readonly defectLevel: DefectLevel;
  readonly itemIds?: readonly string[];
  readonly seed?: string;
  readonly inspectionId?: string;
}

export interface SamplingAnswer {
  readonly sampleSize: number;
  readonly defectsToDetect: number;
  readonly method: 'attribute' | 'nda-variables' | 'da-variables';
  readonly detectionProbability: number;
  /** Present when item ids were given: the logged draw. */
  readonly id?: string;
  readonly sample?: readonly string[];
  readonly seed?: string;
  readonly logIndex?: number;
  readonly inspectionId?: string | null;
}

export interface StratumInput {
  readonly mba?: string;
  /** The joint activity whose results these are; defaults to nda-measurement. */
  readonly activity?: string;
  readonly population: number;
  readonly operator: MethodErrors;
  readonly inspector: MethodErrors;
  readonly goalQuantity?: number;
  /** A logged draw: only its sampled items may then be recorded. */
  readonly samplingPlanId?: string;
}

export interface ItemInput {
  readonly itemId: string;
  readonly declared: number;
  readonly measured?: number | null;
  readonly present?: boolean | null;
  readonly sealIntact?: boolean | null;
}

export interface StratumResult {
  readonly stratum: string;
  readonly mba: string | null;
  readonly activity: string;
  readonly recordedBy: readonly string[];
  readonly population: number;
  readonly operator: MethodErrors;
  readonly inspector: MethodErrors;
  readonly goalQuantity: number | null;
  readonly samplingPlanId: string | null;
  readonly items: readonly (ItemInput & { readonly recordedOrg: string })[];
  readonly itemTests: readonly ItemTest[];
  readonly dStatistic: DStatistic | null;
  readonly findings: readonly string[];
}

export interface InspectionFinding {
  readonly id: string;
  readonly inspection: string;
  readonly key: string;
  readonly type: string;
  readonly severity: 'low' | 'medium' | 'high';
  readonly stratum: string | null;
  readonly items: readonly string[];
  readonly mbas: readonly string[];
  readonly value: number | null;
  readonly sigma: number | null;
  readonly description: string;
  readonly source: 'verification' | 'manual';
  readonly caseId: string | null;
  readonly createdAt: string;
}

export interface NewFinding {
  readonly type: string;
  readonly severity: 'low' | 'medium' | 'high';
  readonly items?: readonly string[];
  readonly mbas?: readonly string[];
  readonly stratum?: string;
  readonly description: string;
  /** Open a case at once (anomaly or discrepancy). */
  readonly openCase?: 'anomaly' | 'discrepancy';
}

/** What the case service needs to open a case for a finding (the cases issue's alarm shape). */
export interface FindingCaseRequest {
  readonly alarm: {
    readonly source: 'verification';
    readonly state: string;
    readonly inspection: string;
    readonly finding: string;
  };
  readonly kind: Extract<CaseKind, 'anomaly' | 'discrepancy'>;
  readonly state: string;
  readonly mba: string | undefined;
  /** The inspectorate that owns the case (the one opening it) and its partner. */
  readonly inspectorate: string;
  readonly sharedWith: readonly string[];
  readonly by: string;
  readonly summary: string;
}

/** The seam to the cases service: opens (or finds, by alarm key) the case and answers its id. */
export type CaseOpener = (
  ports: Ports,
  principal: Principal,
  request: FindingCaseRequest,
) => Promise<{ caseId: string }>;
