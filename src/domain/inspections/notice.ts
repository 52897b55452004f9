import { toEpochMs } from '../deadlines/index.js';
import { DomainError } from '../errors.js';

export const INSPECTION_TYPES = [
  'ad-hoc',
  'routine',
  'unannounced',
  'special',
  'complementary-access',
  'div',
] as const;
export type InspectionType = (typeof INSPECTION_TYPES)[number];

/**
 * Facility classes that drive notice (domain.md §7) and routine effort caps. The caller
 * classifies: `pu-or-u-above-5pct` is a facility handling Pu or U enriched above 5 %.
 */
export const FACILITY_KINDS = ['reactor', 'sealed-store', 'pu-or-u-above-5pct', 'other'] as const;
export type FacilityKind = (typeof FACILITY_KINDS)[number];

const HOUR_MS = 3_600_000;
const WEEK_HOURS = 168;

/** Purpose and notice rule of each type (domain.md §7; INFCIRC/153 paras 71-73, 83-84; INFCIRC/540 Art. 4). */
export const INSPECTION_TYPE_INFO: Readonly<Record<InspectionType, { purpose: string; notice: string }>> = {
  'ad-hoc': {
    purpose: 'verify the initial report; identify material in international transfers',
    notice: '≥ 24 h for transfers, ≥ 1 week otherwise',
  },
  routine: {
    purpose: 'reports vs records; location, identity, quantity of material; causes of MUF and SRD',
    notice: '≥ 24 h for Pu / U > 5 % facilities and sealed stores, ≥ 1 week otherwise',
  },
  unannounced: { purpose: 'part of routine inspections, chosen at random', notice: 'none' },
  special: {
    purpose: 'beyond routine scope or access; after consultation with the state',
    notice: 'as soon as possible after consultation',
  },
  'complementary-access': {
    purpose: 'assure absence of undeclared activities',
    notice: '≥ 24 h, or ≥ 2 h when combined with an inspection on the same site',
  },
  div: { purpose: 'design information verification', notice: 'as agreed' },
};

export interface NoticeInput {
  readonly type: InspectionType;
  readonly facilityKind: FacilityKind;
  /** Ad hoc inspection to identify material in an international transfer. */
  readonly forTransfer?: boolean;
  /** Complementary access on a site where an inspection takes place. */
  readonly combinedWithInspection?: boolean;
  /** ISO 8601 instants. Optional only for unannounced inspections. */
  readonly noticeGivenAt?: string;
  readonly startsAt: string;
  /** Special inspections: when the consultation with the state took place. */
  readonly consultationAt?: string;
  /** DIV: the notice agreed with the state, in hours (default 0: before the start). */
  readonly agreedNoticeHours?: number;
}

export interface NoticeCheck {
  readonly ok: true;
  readonly requiredHours: number;
  /** Hours between notice and start (undefined for an unannounced inspection without notice). */
  readonly givenHours?: number;
}

/**
 * Whether an inspection of this type is announced at all: an unannounced one needs no notice
 * (domain.md §7; INFCIRC/153 para 84). The server's check and the planning form both ask this.
 */
export function needsNotice(type: InspectionType): boolean {
  return type !== 'unannounced';
}

/** The minimum notice in hours for an inspection (domain.md §7). */
export function requiredNoticeHours(input: Omit<NoticeInput, 'noticeGivenAt' | 'startsAt'>): number {
  switch (input.type) {
    case 'ad-hoc':
      return input.forTransfer ? 24 : WEEK_HOURS;
    case 'routine':
      return input.facilityKind === 'pu-or-u-above-5pct' || input.facilityKind === 'sealed-store'
        ? 24
        : WEEK_HOURS;
    case 'unannounced':
    case 'special':
      return 0;
    case 'complementary-access':
      return input.combinedWithInspection ? 2 : 24;
    case 'div':
      return input.agreedNoticeHours ?? 0;
  }
}

function violated(input: NoticeInput, reason: string, requiredHours: number, givenHours?: number): never {
  throw new DomainError('NOTICE_RULE_VIOLATED', `${input.type} inspection: ${reason}`, {
    type: input.type,
    reason,
    rule: INSPECTION_TYPE_INFO[input.type].notice,
    requiredHours,
    ...(givenHours === undefined ? {} : { givenHours }),
  });
}

/**
 * Checks that the notice given for an inspection meets its rule; throws NOTICE_RULE_VIOLATED
 * with `{ type, reason, rule, requiredHours, givenHours }`. A notice is always due before the
 * start; a special inspection's notice must follow the consultation.
 */
export function checkNotice(input: NoticeInput): NoticeCheck {
  const requiredHours = requiredNoticeHours(input);
  const start = toEpochMs(input.startsAt, 'startsAt');
  if (input.noticeGivenAt === undefined) {
    if (!needsNotice(input.type)) return { ok: true, requiredHours };
    return violated(input, 'no notice given', requiredHours);
  }
  const given = toEpochMs(input.noticeGivenAt, 'noticeGivenAt');
  const givenHours = (start - given) / HOUR_MS;
  if (input.type === 'special') {
    if (input.consultationAt === undefined) return violated(input, 'no consultation recorded', 0, givenHours);
    if (given < toEpochMs(input.consultationAt, 'consultationAt')) {
      return violated(input, 'notice given before the consultation', 0, givenHours);
    }
  }
  if (givenHours < 0) return violated(input, 'notice given after the start', requiredHours, givenHours);
  if (givenHours < requiredHours) return violated(input, 'notice too short', requiredHours, givenHours);
  return { ok: true, requiredHours, givenHours };
}
