import { DomainError, type ErrorDetail } from '../errors.js';
import { problemOf } from '../particulars.js';
import {
  DEADLINE_ANCHORS,
  type DeadlineRule,
  INSTITUTION_KINDS,
  INSTITUTIONAL_DUTIES,
  INSTRUMENT_KINDS,
  type InstrumentInput,
  type LeadTime,
  type LegalObligation,
  NOTICE_CONDITIONS,
  NOTICE_SUBJECTS,
} from './legal.types.js';

type Problem = ErrorDetail;

/** Instrument ids follow registry codes: letters, digits, '.', '_' and '-'. */
export const INSTRUMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** A report type an obligation names: ICR, PIL, AP_INITIAL … */
export const REPORT_TYPE_NAME = /^[A-Z][A-Z0-9_]{0,39}$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Bounds that keep one instrument a document, not a data dump (memory stays bounded). */
export const LIMITS = {
  provisions: 2000,
  obligationsPerProvision: 20,
  parties: 200,
  refLength: 200,
  textLength: 20_000,
  titleLength: 300,
  maxDays: 3660,
  maxHours: 8760,
} as const;

function isDate(v: string): boolean {
  const m = DATE_RE.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === v && Number(m[1]) >= 1900;
}

const LEAD_TIMES = ['none', 'agreed', 'after-consultation'] as const;
const OBLIGATION_KINDS = ['report', 'notice', 'access', 'duty'] as const;

function checkDeadline(rule: DeadlineRule, field: string, out: Problem[]): void {
  if (!(DEADLINE_ANCHORS as readonly string[]).includes(rule.anchor)) {
    out.push({
      field,
      ...problemOf('FIELD_FORMAT.notOneOf', { value: String(rule.anchor), allowed: DEADLINE_ANCHORS }),
      message: `unknown anchor ${String(rule.anchor)}`,
    });
    return;
  }
  if (rule.anchor === 'annual') {
    // 29 February is refused: a yearly deadline must exist every year.
    const days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    const ok =
      Number.isInteger(rule.month) &&
      rule.month >= 1 &&
      rule.month <= 12 &&
      Number.isInteger(rule.day) &&
      rule.day >= 1 &&
      rule.day <= (days[rule.month - 1] ?? 0);
    if (!ok)
      out.push({
        field,
        ...problemOf('OUT_OF_RANGE.annualDay', {}),
        message: 'an annual deadline needs a real month and day',
      });
    return;
  }
  if (rule.anchor === 'without-delay') return;
  if (!Number.isInteger(rule.days) || Math.abs(rule.days) > LIMITS.maxDays) {
    out.push({
      field: `${field}.days`,
      ...problemOf('OUT_OF_RANGE.wholeDays', { max: LIMITS.maxDays }),
      message: `whole days, at most ${LIMITS.maxDays}`,
    });
  } else if (rule.days < 0 && rule.anchor !== 'event') {
    out.push({
      field: `${field}.days`,
      ...problemOf('OUT_OF_RANGE.beforeAnchor', {}),
      message: 'only an event deadline may fall before it',
    });
  }
}

function checkLead(lead: LeadTime, field: string, out: Problem[]): void {
  if ('hours' in lead) {
    if (!(lead.hours >= 0 && lead.hours <= LIMITS.maxHours)) {
      out.push({
        field,
        ...problemOf('OUT_OF_RANGE.hours', { max: LIMITS.maxHours }),
        message: `hours between 0 and ${LIMITS.maxHours}`,
      });
    }
  } else if (!(LEAD_TIMES as readonly string[]).includes(lead.as)) {
    out.push({
      field,
      ...problemOf('FIELD_FORMAT.notOneOf', { value: String(lead.as), allowed: LEAD_TIMES }),
      message: `unknown lead time ${String(lead.as)}`,
    });
  }
}

function checkObligation(o: LegalObligation, field: string, out: Problem[]): void {
  switch (o.kind) {
    case 'report':
      if (!REPORT_TYPE_NAME.test(o.reportType)) {
        out.push({
          field: `${field}.reportType`,
          ...problemOf('FIELD_FORMAT.reportTypeName', {}),
          message: 'upper-case letters, digits, _',
        });
      }
      checkDeadline(o.deadline, `${field}.deadline`, out);
      return;
    case 'notice':
    case 'access': {
      const subjects: readonly string[] = o.kind === 'notice' ? NOTICE_SUBJECTS : ['complementary-access'];
      if (!subjects.includes(o.subject)) {
        out.push({
          field: `${field}.subject`,
          ...problemOf('FIELD_FORMAT.notOneOf', { value: String(o.subject), allowed: subjects }),
          message: `unknown subject ${o.subject}`,
        });
      }
      if (o.when !== undefined && !(NOTICE_CONDITIONS as readonly string[]).includes(o.when)) {
        out.push({
          field: `${field}.when`,
          ...problemOf('FIELD_FORMAT.notOneOf', { value: String(o.when), allowed: NOTICE_CONDITIONS }),
          message: `unknown condition ${o.when}`,
        });
      }
      checkLead(
        o.kind === 'notice' ? o.leadTime : o.noticePeriod,
        `${field}.${o.kind === 'notice' ? 'leadTime' : 'noticePeriod'}`,
        out,
      );
      return;
    }
    case 'duty':
      if (!(INSTITUTIONAL_DUTIES as readonly string[]).includes(o.duty)) {
        out.push({
          field: `${field}.duty`,
          ...problemOf('FIELD_FORMAT.notOneOf', { value: String(o.duty), allowed: INSTITUTIONAL_DUTIES }),
          message: `unknown duty ${o.duty}`,
        });
      }
      if (o.holder !== undefined && !(INSTITUTION_KINDS as readonly string[]).includes(o.holder)) {
        out.push({
          field: `${field}.holder`,
          ...problemOf('FIELD_FORMAT.notOneOf', { value: String(o.holder), allowed: INSTITUTION_KINDS }),
          message: `unknown institution ${o.holder}`,
        });
      }
      return;
    default:
      out.push({
        field: `${field}.kind`,
        ...problemOf('FIELD_FORMAT.oneOf', { allowed: OBLIGATION_KINDS }),
        message: 'report, notice, access or duty',
      });
  }
}

/** The key under which a rule may be stated once per instrument (two would be ambiguous). */
export function ruleKey(o: LegalObligation): string | undefined {
  switch (o.kind) {
    case 'report':
      return `report:${o.reportType}`;
    case 'notice':
    case 'access':
      return `notice:${o.subject}:${o.when ?? 'otherwise'}`;
    case 'duty':
      return undefined;
  }
}

/**
 * Every problem of an instrument at once (VALIDATION_FAILED with `{field, code, message}`
 * details): its id, kind, parties, dates in order, provisions with unique refs, and obligations
 * whose figures are in range and stated once per instrument.
 */
export function validateInstrument(i: InstrumentInput): void {
  const out: Problem[] = [];
  if (!INSTRUMENT_ID.test(i.id))
    out.push({
      field: 'id',
      ...problemOf('FIELD_FORMAT.identifier', { max: 64 }),
      message: 'letters, digits, ".", "_" or "-" (1-64)',
    });
  if (i.title.trim() === '' || i.title.length > LIMITS.titleLength) {
    out.push({
      field: 'title',
      ...problemOf('OUT_OF_RANGE.characters', { max: LIMITS.titleLength }),
      message: `1-${LIMITS.titleLength} characters`,
    });
  }
  if (!(INSTRUMENT_KINDS as readonly string[]).includes(i.kind)) {
    out.push({
      field: 'kind',
      ...problemOf('FIELD_FORMAT.oneOf', { allowed: INSTRUMENT_KINDS }),
      message: `one of ${INSTRUMENT_KINDS.join(', ')}`,
    });
  }
  if (i.parties.length === 0 || i.parties.length > LIMITS.parties) {
    out.push({
      field: 'parties',
      ...problemOf('OUT_OF_RANGE.between', { min: 1, max: LIMITS.parties }),
      message: `1-${LIMITS.parties} parties`,
    });
  }
  if (new Set(i.parties).size !== i.parties.length) {
    out.push({ field: 'parties', ...problemOf('DUPLICATE', {}), message: 'a party is listed twice' });
  }
  if (i.kind === 'domestic-act' && i.parties.length !== 1) {
    out.push({
      field: 'parties',
      ...problemOf('OUT_OF_RANGE.oneParty', {}),
      message: 'a domestic act has exactly one party: its state',
    });
  }
  const { signature, inForce, suspended } = i;
  for (const [name, v] of Object.entries({ signature, inForce, suspended })) {
    if (v !== undefined && !isDate(v))
      out.push({ field: name, ...problemOf('DATE_INVALID.value', { value: v }), message: v });
  }
  if (signature && inForce && isDate(signature) && isDate(inForce) && inForce < signature) {
    out.push({
      field: 'inForce',
      ...problemOf('DATE_ORDER.inForceBeforeSignature', {}),
      message: 'enters into force before its signature',
    });
  }
  if (suspended && isDate(suspended) && (!inForce || suspended < inForce)) {
    out.push({
      field: 'suspended',
      ...problemOf('DATE_ORDER.suspendedBeforeInForce', {}),
      message: 'suspended before it entered into force',
    });
  }
  if (i.provisions.length > LIMITS.provisions) {
    out.push({
      field: 'provisions',
      ...problemOf('OUT_OF_RANGE.atMost', { max: LIMITS.provisions }),
      message: `at most ${LIMITS.provisions} provisions`,
    });
  }
  const refs = new Set<string>();
  const rules = new Map<string, string>();
  i.provisions.forEach((p, n) => {
    const field = `provisions[${n}]`;
    if (p.ref.trim() !== p.ref || p.ref === '' || p.ref.length > LIMITS.refLength) {
      out.push({
        field: `${field}.ref`,
        ...problemOf('FIELD_FORMAT.ref', { max: LIMITS.refLength }),
        message: `1-${LIMITS.refLength} characters, no outer spaces`,
      });
    }
    if (refs.has(p.ref))
      out.push({ field: `${field}.ref`, ...problemOf('DUPLICATE.value', { value: p.ref }), message: p.ref });
    refs.add(p.ref);
    if (p.text.trim() === '' || p.text.length > LIMITS.textLength) {
      out.push({
        field: `${field}.text`,
        ...problemOf('OUT_OF_RANGE.characters', { max: LIMITS.textLength }),
        message: `1-${LIMITS.textLength} characters`,
      });
    }
    const obligations = p.obligations ?? [];
    if (obligations.length > LIMITS.obligationsPerProvision) {
      out.push({
        field: `${field}.obligations`,
        ...problemOf('OUT_OF_RANGE.atMost', { max: LIMITS.obligationsPerProvision }),
        message: `at most ${LIMITS.obligationsPerProvision}`,
      });
    }
    obligations.forEach((o, k) => {
      const of = `${field}.obligations[${k}]`;
      checkObligation(o, of, out);
      const key = ruleKey(o);
      if (key === undefined) return;
      const first = rules.get(key);
      if (first !== undefined) {
        out.push({
          field: of,
          ...problemOf('FIELD_CONFLICT.ruleStated', { rule: key, ref: first }),
          message: `${key} is already stated by ${first}`,
        });
      } else rules.set(key, p.ref);
    });
  });
  if (out.length > 0) {
    throw new DomainError('VALIDATION_FAILED', `instrument ${i.id}: ${out.length} problem(s)`, out);
  }
}
