import type { ElementCode, Milligrams } from '../reports/report.types.js';

/** +1 for an increase, −1 for a decrease (domain.md §3). */
export type CodeSign = 1 | -1;
export type CodeSigns = Readonly<Record<string, CodeSign>>;

/**
 * The Custos inventory change code set (domain.md §3). It is data: an agreement may pass its own
 * set (a regional agreement may add codes); the engine only reads signs from it.
 */
export const DEFAULT_CODE_SIGNS: CodeSigns = Object.freeze({
  RD: 1,
  RF: 1,
  RN: 1,
  RS: 1,
  NP: 1,
  GA: 1,
  DU: 1,
  DQ: 1,
  SD: -1,
  SF: -1,
  SN: -1,
  NL: -1,
  LD: -1,
  TW: -1,
  LA: -1,
  EU: -1,
  EQ: -1,
  TU: -1,
});

/** Material categories of domain.md §5. */
export type MaterialCategory = 'PU' | 'HEU' | 'LEU' | 'NATURAL' | 'DEPLETED' | 'THORIUM' | 'U233';

/** Whether a significant quantity is counted on the element weight or on the fissile isotope. */
export type SqBasis = 'element' | 'fissile';

export interface SignificantQuantity {
  readonly category: MaterialCategory;
  readonly basis: SqBasis;
  readonly mg: Milligrams;
}

const KG = 1_000_000;
const TONNE = 1_000 * KG;

/** IAEA Safeguards Glossary significant quantities (domain.md §5), in milligrams. */
export const SIGNIFICANT_QUANTITIES: Readonly<Record<MaterialCategory, SignificantQuantity>> = Object.freeze({
  PU: { category: 'PU', basis: 'element', mg: 8 * KG },
  U233: { category: 'U233', basis: 'fissile', mg: 8 * KG },
  HEU: { category: 'HEU', basis: 'fissile', mg: 25 * KG },
  LEU: { category: 'LEU', basis: 'fissile', mg: 75 * KG },
  NATURAL: { category: 'NATURAL', basis: 'element', mg: 10 * TONNE },
  DEPLETED: { category: 'DEPLETED', basis: 'element', mg: 20 * TONNE },
  THORIUM: { category: 'THORIUM', basis: 'element', mg: 20 * TONNE },
});

/**
 * Timeliness goals in months (domain.md §5): 1 month for unirradiated direct-use material,
 * 3 months for irradiated direct-use material, 12 months for indirect-use material.
 */
export function timelinessMonths(category: MaterialCategory, irradiated = false): number {
  switch (category) {
    case 'PU':
    case 'HEU':
    case 'U233':
      return irradiated ? 3 : 1;
    default:
      return 12;
  }
}

/** Enrichment threshold of HEU (domain.md §5: ≥ 20 % U-235). */
export const HEU_THRESHOLD = 0.2;
/** U-235 fraction of natural uranium (domain.md §1). */
export const NATURAL_U235_FRACTION = 0.00711;

/**
 * Material category of a balance from its element code and fissile/element ratio. The element
 * code decides for P, N, D and T; for E the isotope code J means U-233 (domain.md §1) and the
 * ratio separates HEU (≥ 20 %) from LEU.
 */
export function categorise(element: ElementCode, fissileRatio: number, isotope?: string): MaterialCategory {
  switch (element) {
    case 'P':
      return 'PU';
    case 'N':
      return 'NATURAL';
    case 'D':
      return 'DEPLETED';
    case 'T':
      return 'THORIUM';
    case 'E':
      if (isotope === 'J') return 'U233';
      return fissileRatio >= HEU_THRESHOLD ? 'HEU' : 'LEU';
  }
}

/**
 * Effective kilograms (domain.md §4). `fissileMg` gives the enrichment of uranium; when it is
 * absent Custos decides: N counts at natural enrichment, D as depleted, and E conservatively at
 * enrichment 1 (so a notice requirement is never missed for want of an isotope weight).
 */
export function computeEkg(element: ElementCode, weightMg: Milligrams, fissileMg?: Milligrams): number {
  const kg = weightMg / KG;
  if (element === 'P') return kg;
  if (element === 'T') return kg * 0.00005;
  let enrichment: number;
  if (fissileMg !== undefined && weightMg > 0) enrichment = fissileMg / weightMg;
  else if (element === 'N') enrichment = NATURAL_U235_FRACTION;
  else if (element === 'D') enrichment = 0.005;
  else enrichment = 1;
  if (enrichment >= 0.01) return kg * enrichment * enrichment;
  if (enrichment > 0.005) return kg * 0.0001;
  return kg * 0.00005;
}
