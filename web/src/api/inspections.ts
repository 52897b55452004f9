/** Inspections: planning, activities, verification results, statements and sampling plans. */
import type { InspectionStatement } from '../../../src/domain/inspections/index.js';
import { apiJson, queryString, seg } from './client.js';

/*
 * Hand-written until the route declares its response schema (docs/decisions/0013 lists which);
 * then the type comes from ./wire.js like the others.
 */

export interface Inspection {
  readonly id: string;
  readonly type: string;
  readonly purpose?: string;
  readonly noticeRule?: string;
  readonly facility: string;
  readonly state: string;
  readonly mbas: readonly string[];
  readonly participants: readonly string[];
  readonly startsAt: string;
  readonly noticeGivenAt?: string | null;
  readonly arrivedAt?: string | null;
  readonly status: string;
  readonly requiredNoticeHours?: number;
  readonly plannedManDays?: number;
  readonly activities?: readonly { activity: string; inspectorate: string }[];
}

export interface SamplingPlanRequest {
  readonly population: number;
  readonly averageContent: number;
  readonly goalQuantity: number;
  readonly nonDetectionProbability: number;
  readonly defectLevel: 'gross' | 'partial' | 'bias';
}

export interface SamplingPlan {
  readonly sampleSize: number;
  readonly defectsToDetect: number;
  readonly method: string;
  readonly detectionProbability?: number;
}

export interface EffortSummary {
  readonly facility: string;
  readonly year: number;
  readonly cap: { readonly effectiveKg: number; readonly manDays: number; readonly rule: string } | null;
  readonly routineInspections: number;
  readonly plannedManDays: number;
  readonly remainingManDays: number | null;
  readonly withinCap: boolean | null;
}

export interface NewInspectionBody {
  readonly type: string;
  readonly facility: string;
  readonly mbas?: string[];
  readonly participants: string[];
  readonly startsAt: string;
  readonly noticeGivenAt?: string;
  readonly plannedManDays?: number;
}

export interface Assignment {
  readonly activity: string;
  readonly inspectorate: string;
}

export interface StratumBody {
  readonly mba?: string;
  readonly activity?: string;
  readonly population: number;
  readonly operator: { random: number; systematic: number };
  readonly inspector: { random: number; systematic: number };
}

export interface ItemResult {
  readonly itemId: string;
  readonly declared: number;
  readonly measured?: number | null;
  readonly present?: boolean | null;
  readonly sealIntact?: boolean | null;
}

export interface StratumResult {
  readonly stratum: string;
  readonly activity: string;
  readonly items: readonly ItemResult[];
  readonly itemTests: readonly { id: string; difference: number; sigma: number; significant: boolean }[];
  readonly dStatistic: { readonly D: number; readonly variance: number } | null;
  readonly findings: readonly string[];
}

export const inspectionsApi = {
  list: () => apiJson<Inspection[]>('/api/inspections'),
  get: (id: string) => apiJson<Inspection>(`/api/inspections/${seg(id)}`),
  create: (body: NewInspectionBody) => apiJson<Inspection>('/api/inspections', { method: 'POST', body }),
  effort: (query: { facility: string; year: number }) =>
    apiJson<EffortSummary>(`/api/inspection-effort${queryString(query)}`),
  assign: (id: string, body: { activities: string[]; assignments: Assignment[] }) =>
    apiJson<Inspection>(`/api/inspections/${seg(id)}/activities`, { method: 'PUT', body }),
  defineStratum: (id: string, stratum: string, body: StratumBody) =>
    apiJson<unknown>(`/api/inspections/${seg(id)}/strata/${seg(stratum)}`, { method: 'PUT', body }),
  recordItems: (id: string, stratum: string, items: ItemResult[]) =>
    apiJson<StratumResult>(`/api/inspections/${seg(id)}/strata/${seg(stratum)}/items`, {
      method: 'POST',
      body: { items },
    }),
  statementDraft: (id: string) =>
    apiJson<InspectionStatement>(`/api/inspections/${seg(id)}/statements/draft`),
  submitStatement: (id: string, body: { statement: unknown; signature: string; keyId: string }) =>
    apiJson<unknown>(`/api/inspections/${seg(id)}/statements`, { method: 'POST', body }),
  findings: (id: string) => apiJson<unknown[]>(`/api/inspections/${seg(id)}/findings`),
  statements: (id: string) => apiJson<unknown[]>(`/api/inspections/${seg(id)}/statements`),
  samplingPlan: (body: SamplingPlanRequest) =>
    apiJson<SamplingPlan>('/api/sampling-plans', { method: 'POST', body }),
};
