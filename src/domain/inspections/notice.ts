import { toEpochMs } from '../deadlines/index.js';
import { DomainError } from '../errors.js';
import {
  findObligation,
  type Instrument,
  type LegalObligation,
  MODEL_INSTRUMENTS,
  type ProvisionBasis,
} from '../legal/index.js';

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
  /** The provision the notice rule comes from (issue 19). */
  readonly basis: ProvisionBasis;
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

type NoticeRuleObligation = Extract<LegalObligation, { kind: 'notice' | 'access' }>;

/** The circumstance of an inspection that selects its notice rule (domain/legal NOTICE_CONDITIONS). */
function conditionOf(input: Omit<NoticeInput, 'noticeGivenAt' | 'startsAt'>) {
  switch (input.type) {
    case 'ad-hoc':
      return input.forTransfer ? 'transfer' : 'otherwise';
    case 'routine':
      return input.facilityKind === 'pu-or-u-above-5pct' || input.facilityKind === 'sealed-store'
        ? 'strategic-facility'
        : 'otherwise';
    case 'complementary-access':
      return input.combinedWithInspection ? 'combined-with-inspection' : 'otherwise';
    default:
      return 'otherwise';
  }
}

/**
 * The notice rule of an inspection and the provision it comes from (domain.md §7; INFCIRC/153
 * paras 83-84, INFCIRC/540 Art. 4.b): the rule for its circumstance in the instruments binding the
 * state (in the order they apply), else the model texts' (decision 0031); failing a rule for the
 * circumstance, the subject's general rule. Complementary access reads access provisions, every
 * other type notice provisions.
 */
export function noticeRuleFor(
  input: Omit<NoticeInput, 'noticeGivenAt' | 'startsAt'>,
  instruments: readonly Instrument[] = [],
): { readonly obligation: NoticeRuleObligation; readonly basis: ProvisionBasis } {
  const kind = input.type === 'complementary-access' ? 'access' : 'notice';
  const rule =
    (when: string) =>
    (o: LegalObligation): o is NoticeRuleObligation =>
      o.kind === kind && o.subject === input.type && (o.when ?? 'otherwise') === when;
  const condition = conditionOf(input);
  const found =
    findObligation(instruments, rule(condition)) ??
    findObligation(MODEL_INSTRUMENTS, rule(condition)) ??
    findObligation(instruments, rule('otherwise')) ??
    findObligation(MODEL_INSTRUMENTS, rule('otherwise'));
  // The model texts state a rule for every type, so this cannot be missing.
  if (!found) throw new Error(`no notice rule for ${input.type} in the model texts`);
  return found;
}

/** The minimum notice in hours for an inspection, and the provision it comes from. */
export function requiredNotice(
  input: Omit<NoticeInput, 'noticeGivenAt' | 'startsAt'>,
  instruments: readonly Instrument[] = [],
): { readonly hours: number; readonly basis: ProvisionBasis } {
  const { obligation, basis } = noticeRuleFor(input, instruments);
  const lead = obligation.kind === 'notice' ? obligation.leadTime : obligation.noticePeriod;
  if ('hours' in lead) return { hours: lead.hours, basis };
  // "As agreed" (DIV): the notice agreed with the state; none and "after consultation" (special
  // inspections, whose own check is that the notice follows the consultation) need no lead time.
  return { hours: lead.as === 'agreed' ? (input.agreedNoticeHours ?? 0) : 0, basis };
}

/** Why a notice breaks its rule: a code the browser words, and the English the API has always given. */
const NOTICE_REASONS = {
  NO_NOTICE: 'no notice given',
  NO_CONSULTATION: 'no consultation recorded',
  NOTICE_BEFORE_CONSULTATION: 'notice given before the consultation',
  NOTICE_AFTER_START: 'notice given after the start',
  NOTICE_TOO_SHORT: 'notice too short',
} as const;

function violated(
  input: NoticeInput,
  reasonCode: keyof typeof NOTICE_REASONS,
  requiredHours: number,
  basis: ProvisionBasis,
  givenHours?: number,
): never {
  const reason = NOTICE_REASONS[reasonCode];
  throw new DomainError('NOTICE_RULE_VIOLATED', `${input.type} inspection: ${reason} (${basis.ref})`, {
    type: input.type,
    reason,
    reasonCode,
    rule: INSPECTION_TYPE_INFO[input.type].notice,
    basis,
    requiredHours,
    ...(givenHours === undefined ? {} : { givenHours }),
  });
}

/**
 * Checks that the notice given for an inspection meets its rule; throws NOTICE_RULE_VIOLATED
 * with `{ type, reason, rule, basis, requiredHours, givenHours }`; the rule is read from the
 * provisions `instruments` state (those binding the inspected state), the model texts' otherwise. A notice is always due before the
 * start; a special inspection's notice must follow the consultation.
 */
export function checkNotice(input: NoticeInput, instruments: readonly Instrument[] = []): NoticeCheck {
  const { hours: requiredHours, basis } = requiredNotice(input, instruments);
  const start = toEpochMs(input.startsAt, 'startsAt');
  if (input.noticeGivenAt === undefined) {
    if (!needsNotice(input.type)) return { ok: true, requiredHours, basis };
    return violated(input, 'NO_NOTICE', requiredHours, basis);
  }
  const given = toEpochMs(input.noticeGivenAt, 'noticeGivenAt');
  const givenHours = (start - given) / HOUR_MS;
  if (input.type === 'special') {
    if (input.consultationAt === undefined) return violated(input, 'NO_CONSULTATION', 0, basis, givenHours);
    if (given < toEpochMs(input.consultationAt, 'consultationAt')) {
      return violated(input, 'NOTICE_BEFORE_CONSULTATION', 0, basis, givenHours);
    }
  }
  if (givenHours < 0) return violated(input, 'NOTICE_AFTER_START', requiredHours, basis, givenHours);
  if (givenHours < requiredHours)
    return violated(input, 'NOTICE_TOO_SHORT', requiredHours, basis, givenHours);
  return { ok: true, requiredHours, basis, givenHours };
}
