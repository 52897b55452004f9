import { DomainError, type ErrorDetail } from '../errors.js';
import { problemOf } from '../particulars.js';
import { INSTITUTION_KINDS, type InstitutionKind } from './legal.types.js';

/**
 * Domestic-law compatibility (issue 19 item 2, decision 0033): how each state's own law implements
 * the international provisions it is bound by. An entry maps one international provision (by its
 * citable ref, e.g. `INFCIRC/153 para 62`) to the domestic act and section that implement it, with
 * a status; a review workflow (review → amendment → adoption) records the three steps states take
 * to make their law compatible, each step signed by the state. Pure: rows and clock come in.
 */

export const COMPATIBILITY_STATUSES = ['implemented', 'partial', 'missing', 'conflicting'] as const;
export type CompatibilityStatus = (typeof COMPATIBILITY_STATUSES)[number];

/** What needs work: everything short of implemented. */
export const GAP_STATUSES = [
  'partial',
  'missing',
  'conflicting',
] as const satisfies readonly CompatibilityStatus[];

export function isGap(status: CompatibilityStatus): boolean {
  return (GAP_STATUSES as readonly string[]).includes(status);
}

/** The institution a domestic provision makes responsible: the register's institution kinds. */
export const INSTITUTIONS = INSTITUTION_KINDS;
export type Institution = InstitutionKind;

/**
 * The three steps states take (issue 19 item 2): review existing law, propose an amendment, and
 * its adoption (with date and text). A new review may follow any step: law keeps changing.
 */
export const REVIEW_STEPS = ['review', 'amendment', 'adoption'] as const;
export type ReviewStep = (typeof REVIEW_STEPS)[number];

/** A provision ref: citable text such as `INFCIRC/540 Art. 2.a.(ix)`; no control characters. */
export const PROVISION_REF_MAX = 120;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/;

export function isProvisionRef(ref: string): boolean {
  return ref.length > 0 && ref.length <= PROVISION_REF_MAX && ref.trim() === ref && !CONTROL.test(ref);
}

export interface DomesticProvision {
  readonly act: string;
  readonly section: string;
  readonly text: string;
  readonly inForceFrom?: string;
  readonly inForceTo?: string;
  readonly institution?: Institution;
}

/** One version of a state's entry for one provision. Versions are never changed, only added. */
export interface CompatibilityEntry {
  readonly state: string;
  readonly provision: string;
  readonly version: number;
  readonly status: CompatibilityStatus;
  readonly domestic: DomesticProvision | null;
  readonly note: string | null;
  readonly evidence: string | null;
  /** The workflow step that set this version, or null when it was set directly. */
  readonly step: number | null;
  readonly at: string;
  readonly by: string;
}

/** What a state says of a provision: the body of `PUT …/compatibility/:ref`. */
export interface CompatibilityInput {
  readonly status: CompatibilityStatus;
  readonly domestic?: DomesticProvision;
  readonly note?: string;
  readonly evidence?: string;
}

/** A provision of an instrument a state is bound by, as the matrix lists it. */
export interface BindingProvision {
  readonly ref: string;
  readonly instrument: string;
  readonly text: string;
}

export interface MatrixRow {
  readonly provision: BindingProvision;
  /** 'not-reviewed' when the state has said nothing of this provision yet. */
  readonly status: CompatibilityStatus | 'not-reviewed';
  readonly entry: CompatibilityEntry | null;
}

export interface CompatibilityMatrix {
  readonly state: string;
  readonly rows: MatrixRow[];
  /** Rows whose status is missing, partial or conflicting. */
  readonly gaps: MatrixRow[];
  readonly summary: Readonly<Record<CompatibilityStatus | 'not-reviewed', number>>;
}

/**
 * The matrix: every binding provision, in the order given, with the state's latest entry or
 * `not-reviewed`. Entries for provisions no longer binding are left out (the state's history
 * keeps them).
 */
export function buildMatrix(
  state: string,
  provisions: readonly BindingProvision[],
  latest: ReadonlyMap<string, CompatibilityEntry>,
): CompatibilityMatrix {
  const summary = { implemented: 0, partial: 0, missing: 0, conflicting: 0, 'not-reviewed': 0 };
  const rows: MatrixRow[] = [];
  const gaps: MatrixRow[] = [];
  for (const provision of provisions) {
    const entry = latest.get(provision.ref) ?? null;
    const row: MatrixRow = { provision, status: entry?.status ?? 'not-reviewed', entry };
    summary[row.status] += 1;
    rows.push(row);
    if (entry && isGap(entry.status)) gaps.push(row);
  }
  return { state, rows, gaps, summary };
}

/** Problems of an entry that its shape cannot show: dates in order. Every problem at once. */
export function domesticProblems(d: DomesticProvision | undefined, field = 'domestic'): ErrorDetail[] {
  if (d?.inForceFrom === undefined || d.inForceTo === undefined) return [];
  return d.inForceTo < d.inForceFrom
    ? [
        {
          field: `${field}.inForceTo`,
          ...problemOf('DATE_ORDER.endsBeforeStart', {}),
          message: 'inForceTo is before inForceFrom',
        },
      ]
    : [];
}

export function checkCompatibilityInput(input: CompatibilityInput): void {
  const problems = domesticProblems(input.domestic);
  if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', 'the entry is not valid', problems);
}

/** The signed body of one workflow step (Custos-Signature over its exact bytes). */
export interface StepBody {
  readonly v: 1;
  readonly type: 'custos/compatibility-step';
  readonly state: string;
  readonly provision: string;
  /** The step's number in this provision's thread (1, 2, …): replaying a signed step fails. */
  readonly seq: number;
  readonly step: ReviewStep;
  /** review: what the review found (required); adoption: the status after it (default implemented). */
  readonly status?: CompatibilityStatus;
  /** review: the existing law reviewed; amendment: the proposed text; adoption: the adopted text. */
  readonly domestic?: DomesticProvision;
  /** adoption: the date the amendment was adopted. */
  readonly adoptedOn?: string;
  readonly note?: string;
}

/** Which step may follow which: a review starts every cycle, an adoption adopts a proposal. */
export function allowedNextSteps(previous: ReviewStep | undefined): ReviewStep[] {
  switch (previous) {
    case undefined:
    case 'adoption':
      return ['review'];
    case 'review':
      return ['review', 'amendment'];
    case 'amendment':
      return ['review', 'amendment', 'adoption'];
  }
}

export function checkStepOrder(previous: ReviewStep | undefined, next: ReviewStep): void {
  const allowed = allowedNextSteps(previous);
  if (!allowed.includes(next)) {
    throw new DomainError(
      'INVALID_TRANSITION',
      `a ${next} cannot follow ${previous === undefined ? 'nothing' : `a ${previous}`}`,
      { from: previous ?? null, to: next, allowed },
    );
  }
}

/**
 * The entry a step sets, or undefined when it sets none: a review records what it found, an
 * adoption makes the adopted text the domestic provision (in force from its adoption unless the
 * text says otherwise); a proposed amendment is not law yet and changes nothing.
 */
export function entryOfStep(body: StepBody): CompatibilityInput | undefined {
  switch (body.step) {
    case 'amendment':
      return undefined;
    case 'review':
      return {
        status: body.status as CompatibilityStatus,
        ...(body.domestic === undefined ? {} : { domestic: body.domestic }),
        ...(body.note === undefined ? {} : { note: body.note }),
      };
    case 'adoption': {
      const d = body.domestic as DomesticProvision;
      return {
        status: body.status ?? 'implemented',
        domestic: { ...d, inForceFrom: d.inForceFrom ?? (body.adoptedOn as string) },
        ...(body.note === undefined ? {} : { note: body.note }),
      };
    }
  }
}
