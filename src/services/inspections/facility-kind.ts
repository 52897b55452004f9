import type { FacilityKind } from '../../domain/inspections/index.js';
import type { FacilityType } from '../../domain/registry/index.js';

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
