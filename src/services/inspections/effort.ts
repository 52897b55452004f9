import {
  computeRoutineEffortCap,
  type FacilityKind,
  type InspectionType,
} from '../../domain/inspections/index.js';
import type { Principal } from '../../domain/policy/index.js';
import { createInspectionsRepo, type InspectionsRepo } from '../../store/inspections.repo.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import type { InspectionRow } from '../../store/schema.types.js';
import type { Ports } from '../ports.js';
import { enforce, scopeOf } from '../scope.js';
import { notFound } from './access.js';
import { defaultFacilityKind } from './facility-kind.js';
import type { EffortSummary } from './inspections.types.js';

/** Routine effort counts routine inspections and the unannounced ones that are part of them (§7). */
export const ROUTINE_TYPES: readonly InspectionType[] = ['routine', 'unannounced'];

export interface EffortBasis {
  readonly facilityKind: FacilityKind;
  readonly inventoryEkg: number;
  readonly throughputEkg: number;
}

export function yearOf(instant: string): number {
  return new Date(Date.parse(instant)).getUTCFullYear();
}

/**
 * A facility's routine effort in a year against its cap (domain.md §7). Without a basis given,
 * the cap comes from the inventory and throughput of the latest inspection that stated them.
 */
export async function summariseEffort(
  repo: InspectionsRepo,
  facility: string,
  year: number,
  basis?: EffortBasis,
): Promise<EffortSummary> {
  return effortOf(await repo.listInspectionsOfFacility(facility, ROUTINE_TYPES, year), facility, year, basis);
}

/**
 * The effort of many facility-years (a page of inspections) from one read: keyed by
 * `effortKey(facility, year)`.
 */
export async function summariseEfforts(
  repo: InspectionsRepo,
  years: readonly { readonly facility: string; readonly year: number }[],
): Promise<Map<string, EffortSummary>> {
  const distinct = [...new Map(years.map((y) => [effortKey(y.facility, y.year), y])).values()];
  const rows = await repo.listInspectionsOfFacilityYears(distinct, ROUTINE_TYPES);
  return new Map(distinct.map((y) => [effortKey(y.facility, y.year), effortOf(rows, y.facility, y.year)]));
}

export const effortKey = (facility: string, year: number): string => `${year}\u0000${facility}`;

/** The summary from the routine inspections read around the year (others are left out here). */
function effortOf(
  read: readonly InspectionRow[],
  facility: string,
  year: number,
  basis?: EffortBasis,
): EffortSummary {
  const rows = read
    .filter((r) => r.facility === facility && ROUTINE_TYPES.includes(r.type) && yearOf(r.starts_at) === year)
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

export function createEffortService(ports: Pick<Ports, 'db'>) {
  const repo = createInspectionsRepo(ports.db.kysely);
  const registry = createRegistryRepo(ports.db);
  return {
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
      return summariseEffort(repo, facility.code, q.year, basis);
    },
  };
}
