import { DomainError, type ErrorDetail } from '../errors.js';
import { problemOf } from '../particulars.js';
import { isIsoDate } from '../reports/dates.js';
import {
  COMPATIBILITY_STATUSES,
  type CompatibilityStatus,
  type DomesticProvision,
  domesticProblems,
  INSTITUTIONS,
  type Institution,
  REVIEW_STEPS,
  type ReviewStep,
  type StepBody,
} from './compatibility.js';

/** Lengths a domestic provision and a note may take: a section's text, not a whole act. */
export const TEXT_LIMITS = { act: 300, section: 200, text: 20_000, note: 4_000, evidence: 2_000 } as const;

export const STEP_BODY_TYPE = 'custos/compatibility-step';
const STEP_FIELDS = new Set([
  'v',
  'type',
  'state',
  'provision',
  'seq',
  'step',
  'status',
  'domestic',
  'adoptedOn',
  'note',
]);
const DOMESTIC_FIELDS = new Set(['act', 'section', 'text', 'inForceFrom', 'inForceTo', 'institution']);

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a domestic provision field by field, adding a detail per problem. */
function readDomestic(
  v: unknown,
  field: string,
  add: (d: ErrorDetail) => void,
): DomesticProvision | undefined {
  if (!isObj(v)) {
    add({
      field,
      ...problemOf('FIELD_TYPE.provision', {}),
      message: 'must be an object {act, section, text, …}',
    });
    return undefined;
  }
  let ok = true;
  for (const k of Object.keys(v))
    if (!DOMESTIC_FIELDS.has(k)) {
      add({
        field: `${field}.${k}`,
        ...problemOf('FIELD_UNKNOWN', {}),
        message: 'not a field of a domestic provision',
      });
      ok = false;
    }
  const text = (k: 'act' | 'section' | 'text'): string => {
    const s = v[k];
    if (typeof s !== 'string' || s.trim() === '') {
      add({ field: `${field}.${k}`, ...problemOf('REQUIRED.text', {}), message: 'a non-empty string' });
      ok = false;
      return '';
    }
    if (s.length > TEXT_LIMITS[k]) {
      add({
        field: `${field}.${k}`,
        ...problemOf('TOO_LONG', { max: TEXT_LIMITS[k] }),
        message: `at most ${TEXT_LIMITS[k]} characters`,
      });
      ok = false;
    }
    return s;
  };
  const date = (k: 'inForceFrom' | 'inForceTo'): string | undefined => {
    const s = v[k];
    if (s === undefined) return undefined;
    if (typeof s !== 'string' || !isIsoDate(s)) {
      add({ field: `${field}.${k}`, ...problemOf('DATE_INVALID', {}), message: 'a date YYYY-MM-DD' });
      ok = false;
      return undefined;
    }
    return s;
  };
  const d = {
    act: text('act'),
    section: text('section'),
    text: text('text'),
    inForceFrom: date('inForceFrom'),
    inForceTo: date('inForceTo'),
    institution: v.institution as Institution | undefined,
  };
  if (d.institution !== undefined && !(INSTITUTIONS as readonly unknown[]).includes(d.institution)) {
    add({
      field: `${field}.institution`,
      ...problemOf('FIELD_INVALID.oneOf', { allowed: INSTITUTIONS }),
      message: `one of ${INSTITUTIONS.join(', ')}`,
    });
    ok = false;
  }
  const out: DomesticProvision = {
    act: d.act,
    section: d.section,
    text: d.text,
    ...(d.inForceFrom === undefined ? {} : { inForceFrom: d.inForceFrom }),
    ...(d.inForceTo === undefined ? {} : { inForceTo: d.inForceTo }),
    ...(d.institution === undefined ? {} : { institution: d.institution }),
  };
  for (const p of domesticProblems(out, field)) {
    add(p);
    ok = false;
  }
  return ok ? out : undefined;
}

/** What each step must and must not carry, beyond the common fields. */
function stepRules(body: Obj, step: ReviewStep, add: (d: ErrorDetail) => void): void {
  const need = (k: string, why: string) => {
    if (body[k] === undefined) add({ field: k, ...problemOf('REQUIRED.step', { step }), message: why });
  };
  const refuse = (k: string, why: string) => {
    if (body[k] !== undefined) add({ field: k, ...problemOf('NOT_ALLOWED.step', { step }), message: why });
  };
  if (step === 'review') {
    need('status', 'a review says what it found: implemented, partial, missing or conflicting');
    refuse('adoptedOn', 'only an adoption has an adoption date');
  } else if (step === 'amendment') {
    need('domestic', 'an amendment proposes a domestic provision {act, section, text}');
    refuse('status', 'a proposal is not law yet: its adoption sets the status');
    refuse('adoptedOn', 'only an adoption has an adoption date');
  } else {
    need('domestic', 'an adoption carries the adopted text {act, section, text}');
    need('adoptedOn', 'an adoption carries its date');
  }
}

/**
 * Reads the signed bytes of a workflow step, every problem at once (architecture.md habit 2).
 * The body must name the state and provision of the URL it is sent to, so a signature given for
 * one provision cannot be replayed onto another.
 */
export function parseStepBody(bytes: Uint8Array, expected: { state: string; provision: string }): StepBody {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new DomainError('VALIDATION_FAILED', 'the step is not UTF-8 JSON', [
      { ...problemOf('MALFORMED.body', {}), message: 'the body is not UTF-8 JSON' },
    ]);
  }
  if (!isObj(json))
    throw new DomainError('VALIDATION_FAILED', 'the step is not a JSON object', [
      { ...problemOf('MALFORMED.bodyNotObject', {}), message: 'the body is not a JSON object' },
    ]);
  const problems: ErrorDetail[] = [];
  const add = (d: ErrorDetail) => problems.push(d);
  for (const k of Object.keys(json))
    if (!STEP_FIELDS.has(k))
      add({ field: k, ...problemOf('FIELD_UNKNOWN', {}), message: 'not a field of a step' });
  if (json.v !== 1)
    add({ field: 'v', ...problemOf('FIELD_INVALID.mustBe', { value: '1' }), message: 'must be 1' });
  if (json.type !== STEP_BODY_TYPE)
    add({
      field: 'type',
      ...problemOf('FIELD_INVALID.mustBe', { value: STEP_BODY_TYPE }),
      message: `must be "${STEP_BODY_TYPE}"`,
    });
  if (json.state !== expected.state)
    add({
      field: 'state',
      ...problemOf('FIELD_CONFLICT.address', { value: expected.state }),
      message: `must be ${expected.state}, the state of the URL`,
    });
  if (json.provision !== expected.provision)
    add({
      field: 'provision',
      ...problemOf('FIELD_CONFLICT.address', { value: expected.provision }),
      message: 'must be the provision ref of the URL',
    });
  const seq = json.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1)
    add({
      field: 'seq',
      ...problemOf('FIELD_INVALID.wholeFrom', { min: 1 }),
      message: 'the step number, an integer from 1',
    });
  const step = json.step;
  const knownStep = (REVIEW_STEPS as readonly unknown[]).includes(step);
  if (!knownStep)
    add({
      field: 'step',
      ...problemOf('FIELD_INVALID.oneOf', { allowed: REVIEW_STEPS }),
      message: `one of ${REVIEW_STEPS.join(', ')}`,
    });
  else stepRules(json, step as ReviewStep, add);
  const status = json.status;
  if (status !== undefined && !(COMPATIBILITY_STATUSES as readonly unknown[]).includes(status))
    add({
      field: 'status',
      ...problemOf('FIELD_INVALID.oneOf', { allowed: COMPATIBILITY_STATUSES }),
      message: `one of ${COMPATIBILITY_STATUSES.join(', ')}`,
    });
  const domestic = json.domestic === undefined ? undefined : readDomestic(json.domestic, 'domestic', add);
  const adoptedOn = json.adoptedOn;
  if (adoptedOn !== undefined && (typeof adoptedOn !== 'string' || !isIsoDate(adoptedOn)))
    add({ field: 'adoptedOn', ...problemOf('DATE_INVALID', {}), message: 'a date YYYY-MM-DD' });
  const note = json.note;
  if (note !== undefined && (typeof note !== 'string' || note.length > TEXT_LIMITS.note))
    add({
      field: 'note',
      ...problemOf('FIELD_INVALID.textAtMost', { max: TEXT_LIMITS.note }),
      message: `a string of at most ${TEXT_LIMITS.note} characters`,
    });
  if (problems.length > 0)
    throw new DomainError('VALIDATION_FAILED', `the step has ${problems.length} problem(s)`, problems);
  return {
    v: 1,
    type: STEP_BODY_TYPE,
    state: expected.state,
    provision: expected.provision,
    seq: seq as number,
    step: step as ReviewStep,
    ...(status === undefined ? {} : { status: status as CompatibilityStatus }),
    ...(domestic === undefined ? {} : { domestic }),
    ...(adoptedOn === undefined ? {} : { adoptedOn: adoptedOn as string }),
    ...(note === undefined ? {} : { note: note as string }),
  };
}
