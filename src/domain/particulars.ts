/**
 * The particulars of a problem as values (decision 0052): which of its code's checks found it
 * (`rule`) and the values its English `message` is written from (`values`), so the browser words
 * every problem in the user's language without the server's sentence. A problem's code, rule and
 * value names are declared here once; `problemOf` only accepts exactly the declared values, and
 * the i18n guard holds each `problem.<CODE>[.<rule>]` message to the same names.
 *
 * How each value is written in the API, and how the browser words it:
 * - `text`: a code or name as the report gave it (an MBA, a KMP, a batch), shown as it is;
 * - `count`: a whole number (a line, a report number, a count), formatted for the language;
 * - `grams`: a weight in grams (a JSON number, as report weights are), formatted for the language;
 * - `date`: an ISO date `YYYY-MM-DD` or timestamp, formatted for the language;
 * - `codes`: a list of codes, joined as a list in the language;
 * - `kind`: one of a few fixed words (a JSON type, a separator), worded by an ICU `select`;
 * - `activity`: a joint inspection's activity (JOINT_ACTIVITIES, `item-counting`…), worded as the
 *   language's term for it; a code not on the list (the problem may be that it is unknown) is
 *   shown as it was given.
 */
import type { DetailCode } from './errors.js';

export type ParticularType = 'text' | 'count' | 'grams' | 'date' | 'codes' | 'kind' | 'activity';

type Declaration = Readonly<Record<string, Readonly<Record<string, ParticularType>>>>;

/**
 * Every problem of a report (reader, CSV layout, signature, validator) and of a device's batch,
 * as `CODE` or `CODE.rule`, and a device alarm's by its code, with the names and types of its
 * values. Added to, never renamed (API).
 */
export const PARTICULARS = {
  // reading the bytes
  'MALFORMED.notJson': {},
  'MALFORMED.notUtf8': {},
  'MALFORMED.empty': {},
  'MALFORMED.unreadable': {},
  'MALFORMED.notObject': { found: 'kind' },
  /** `reason`: unclosedQuote, quoteNotAtEnd or quoteInside. */
  'MALFORMED.notCsv': { record: 'count', reason: 'kind' },
  // the fields (JSON and CSV)
  FIELD_UNKNOWN: {},
  'FIELD_UNKNOWN.unnamedColumn': { column: 'count' },
  FIELD_DUPLICATE: {},
  FIELD_MISSING: {},
  'FIELD_MISSING.counterpart': { code: 'text' },
  'FIELD_MISSING.balanceEntries': { element: 'text', entries: 'codes' },
  /** `expected`: string, number, date, grams, object or array; `found`: a JSON type (null, array…). */
  FIELD_TYPE: { expected: 'kind', found: 'kind' },
  'FIELD_TYPE.null': {},
  'FIELD_FORMAT.tooLong': { max: 'count' },
  'FIELD_FORMAT.notCode': { value: 'text' },
  'FIELD_FORMAT.characters': {},
  'FIELD_FORMAT.notWholeNumber': { value: 'text' },
  'FIELD_FORMAT.notDate': { value: 'text' },
  'FIELD_FORMAT.notReportType': { value: 'text', allowed: 'codes' },
  'FIELD_FORMAT.noticeHasLines': {},
  'FIELD_FORMAT.oneValue': {},
  'FIELD_FORMAT.notGrams': { value: 'text' },
  /** A weight written with a decimal comma in a comma-separated file; `suggested` with a point. */
  'FIELD_FORMAT.decimalComma': { value: 'text', suggested: 'text' },
  'FIELD_CONFLICT.correctsAndDeletes': {},
  OUT_OF_RANGE: { value: 'count', min: 'count' },
  'OUT_OF_RANGE.weight': { value: 'text', max: 'grams' },
  WEIGHT_PRECISION: { value: 'text' },
  TOO_MANY_ERRORS: { count: 'count' },
  /** `separator`: comma or semicolon (with commas a decimal comma splits a number in two). */
  ROW_TOO_LONG: { cells: 'count', columns: 'count', separator: 'kind' },
  // the signature
  SIGNATURE_INVALID: {},
  'SIGNATURE_INVALID.header': {},
  KEY_UNKNOWN: {},
  'KEY_UNKNOWN.key': { keyId: 'text' },
  KEY_NOT_VALID: {},
  'KEY_NOT_VALID.key': { keyId: 'text', at: 'date' },
  // the header
  UNKNOWN_MBA: { mba: 'text', state: 'text' },
  REPORT_DUPLICATE: { type: 'text', number: 'count', mba: 'text' },
  'REPORT_DUPLICATE.notice': { reference: 'text' },
  REPORT_NUMBER_GAP: { type: 'text', mba: 'text', expected: 'count', found: 'count' },
  LINE_COUNT_MISMATCH: { declared: 'count', found: 'count' },
  'LINE_NUMBERING.beyond': { count: 'count' },
  'LINE_NUMBERING.twice': {},
  'DATE_OUTSIDE_PERIOD.afterToday': { date: 'date', today: 'date' },
  'DATE_OUTSIDE_PERIOD.outsidePeriod': { date: 'date', from: 'date', to: 'date' },
  'DATE_OUTSIDE_PERIOD.beforeAgreement': { date: 'date', start: 'date' },
  'DATE_OUTSIDE_PERIOD.pitAfterReport': { pit: 'date', reportDate: 'date' },
  'DATE_OUTSIDE_PERIOD.pitNotAfterPrevious': { pit: 'date', previous: 'date' },
  'PERIOD_INVALID.reversed': { from: 'date', to: 'date' },
  'PERIOD_INVALID.notMonth': { from: 'date', to: 'date' },
  REPORT_DATE_EARLY: { date: 'date', end: 'date' },
  // the lines
  UNKNOWN_KMP: { kmp: 'text' },
  UNKNOWN_ELEMENT: { element: 'text' },
  'UNKNOWN_ELEMENT.notElement': { value: 'text' },
  UNKNOWN_BASIS: { basis: 'text' },
  UNKNOWN_ISOTOPE: { isotope: 'text' },
  UNKNOWN_IC_CODE: { code: 'text' },
  'UNKNOWN_IC_CODE.entry': { entry: 'text' },
  NEGATIVE_WEIGHT: {},
  FISSILE_EXCEEDS_ELEMENT: { fissile: 'grams', weight: 'grams' },
  FISSILE_MISSING: {},
  'COUNTERPART_INVALID.sameState': {},
  'COUNTERPART_INVALID.sameMba': {},
  NOTICE_UNKNOWN: { notice: 'text' },
  CORRECTION_TARGET_UNKNOWN: { reportNumber: 'count', line: 'count', mba: 'text' },
  'BATCH_REUSED.twiceInReport': { batch: 'text', code: 'text' },
  'BATCH_REUSED.onBook': { batch: 'text', element: 'text' },
  'BATCH_REUSED.listedTwice': { batch: 'text', element: 'text' },
  // the material balance
  ENTRY_DUPLICATE: { element: 'text', entry: 'text' },
  BALANCE_ARITHMETIC: { element: 'text', entry: 'text', found: 'grams', formula: 'text', expected: 'grams' },
  ITEM_MUF_NONZERO: { element: 'text' },
  PB_MISMATCH: { element: 'text', found: 'grams', expected: 'grams' },
  'PB_MISMATCH.noLines': { element: 'text', expected: 'grams' },
  PE_MISMATCH: { element: 'text', found: 'grams', expected: 'grams' },
  'PE_MISMATCH.noLines': { element: 'text', expected: 'grams' },
  ICR_MISMATCH: { element: 'text', entry: 'text', found: 'grams', expected: 'grams' },
  'ICR_MISMATCH.noEntry': { element: 'text', entry: 'text', expected: 'grams' },
  // export and import notices
  'DATE_ORDER.dispatch': {},
  'DATE_ORDER.arrival': {},
  'NOTICE_RULE_VIOLATED.export': { days: 'count' },
  'NOTICE_RULE_VIOLATED.import': {},
  // a device's batch that does not extend its chain (decision 0029)
  /** `missing` batches, seq `expected` … `found` − 1, were not received before seq `found`. */
  SEQ_GAP: { expected: 'count', found: 'count', missing: 'count' },
  SEQ_FORK: { seq: 'count', head: 'count' },
  PREV_MISMATCH: { seq: 'count' },
  // a form's problems in the other requests (decision 0059): generic rules first
  /** `value` is not one of `allowed` (a fixed list: anchors, subjects, duties, kinds…). */
  'FIELD_FORMAT.notOneOf': { value: 'text', allowed: 'codes' },
  'FIELD_FORMAT.oneOf': { allowed: 'codes' },
  'FIELD_INVALID.oneOf': { allowed: 'codes' },
  'FIELD_INVALID.mustBe': { value: 'text' },
  'FIELD_INVALID.wholeFrom': { min: 'count' },
  'FIELD_INVALID.textAtMost': { max: 'count' },
  /** Letters, digits, `.`, `_` or `-`, at most `max` characters (an id in a URL path). */
  'FIELD_FORMAT.identifier': { max: 'count' },
  'FIELD_CONFLICT.address': { value: 'text' },
  'OUT_OF_RANGE.atMost': { max: 'count' },
  'OUT_OF_RANGE.between': { min: 'count', max: 'count' },
  /** A text of 1 to `max` characters. */
  'OUT_OF_RANGE.characters': { max: 'count' },
  TOO_LONG: { max: 'count' },
  REQUIRED: {},
  'REQUIRED.text': {},
  DUPLICATE: {},
  'DUPLICATE.value': { value: 'text' },
  DATE_INVALID: {},
  'DATE_INVALID.value': { value: 'text' },
  'MALFORMED.body': {},
  'MALFORMED.bodyNotObject': {},
  // the legal register: instruments, their provisions and obligations
  'FIELD_FORMAT.reportTypeName': {},
  'FIELD_FORMAT.ref': { max: 'count' },
  'OUT_OF_RANGE.annualDay': {},
  'OUT_OF_RANGE.wholeDays': { max: 'count' },
  'OUT_OF_RANGE.beforeAnchor': {},
  'OUT_OF_RANGE.hours': { max: 'count' },
  'OUT_OF_RANGE.oneParty': {},
  'DATE_ORDER.inForceBeforeSignature': {},
  'DATE_ORDER.suspendedBeforeInForce': {},
  'DATE_ORDER.endsBeforeStart': {},
  /** `rule`: the obligation's key (`report:ICR`, `notice:routine:otherwise`); `ref`: the provision stating it first. */
  'FIELD_CONFLICT.ruleStated': { rule: 'text', ref: 'text' },
  // the compatibility review's steps
  'FIELD_TYPE.provision': {},
  /** `step`: review, amendment or adoption. */
  'REQUIRED.step': { step: 'kind' },
  'NOT_ALLOWED.step': { step: 'kind' },
  // inspections: sampling plans, draws, verification data, joint inspections and statements
  'OUT_OF_RANGE.wholeFrom': { min: 'count' },
  'OUT_OF_RANGE.positive': {},
  'OUT_OF_RANGE.notNegative': {},
  /** A probability strictly between 0 and 1. */
  'OUT_OF_RANGE.probability': {},
  /** From 1 to `population` items measured in a stratum. */
  'OUT_OF_RANGE.items': { population: 'count' },
  'OUT_OF_RANGE.notAfterNow': {},
  'UNKNOWN.oneOf': { allowed: 'codes' },
  /** `needed` items (goal quantity over average content) in a stratum of `population`. */
  GOAL_EXCEEDS_POPULATION: { needed: 'count', population: 'count' },
  'NOT_A_NUMBER.item': { item: 'text' },
  NOT_TWO_PARTICIPANTS: {},
  NOT_ONE_OR_TWO_PARTICIPANTS: {},
  NOT_AN_INSPECTORATE_OF_STATE: { inspectorate: 'text', state: 'text' },
  UNKNOWN_ACTIVITY: { activity: 'activity' },
  DUPLICATE_ACTIVITY: { activity: 'activity' },
  NOT_PLANNED: { activity: 'activity' },
  NOT_PARTICIPANT: { inspectorate: 'text' },
  UNASSIGNED: { activity: 'activity' },
  ASSIGNED_TO_PARTNER: { activity: 'activity', inspectorate: 'text' },
  /** An activity assigned twice in a joint plan (DUPLICATE.value before decision 0064). */
  'DUPLICATE.activity': { activity: 'activity' },
  /** `found` item ids listed for a population of `population`. */
  COUNT_MISMATCH: { found: 'count', population: 'count' },
  NOT_AS_RECORDED: {},
  /** The sampling plan was drawn for `population` items. */
  NOT_AS_PLANNED: { population: 'count' },
  NOT_IN_SAMPLE: { item: 'text' },
  // Additional Protocol declarations (decision 0032)
  'TOO_MANY_ERRORS.limit': { max: 'count' },
  'FIELD_TYPE.number': {},
  'FIELD_FORMAT.threeDecimals': {},
  /** Two capital letters. */
  'FIELD_FORMAT.stateCode': {},
  'FIELD_FORMAT.attachment': {},
  'FIELD_FORMAT.year': { value: 'text' },
  'FIELD_FORMAT.declarationId': {},
  'COUNTERPART_INVALID.declaringState': {},
  'ANNEX_REF_UNKNOWN.annexI': { value: 'text' },
  'ANNEX_REF_UNKNOWN.annexII': { value: 'text' },
  /** A plan spans at most the `years` succeeding years. */
  'DATE_ORDER.planSpan': { years: 'count' },
  'FIELD_CONFLICT.siteMap': { site: 'text', map: 'text' },
  'PERIOD_INVALID.quarter': {},
  'DATE_ORDER.period': { from: 'date', to: 'date' },
  'TOO_MANY.items': { max: 'count' },
  UNSAFE_CHARACTER: {},
  /** `id` is not a declaration of `state` (another State's is answered as unknown too). */
  'SUPPLEMENT_TARGET_INVALID.unknown': { id: 'text', state: 'text' },
  'SUPPLEMENT_TARGET_INVALID.article': { id: 'text', article: 'text' },
  'SUPPLEMENT_TARGET_INVALID.period': { id: 'text', from: 'date', to: 'date' },
  'SUPPLEMENT_TARGET_INVALID.amended': { id: 'text', by: 'text' },
  'SUPPLEMENT_TARGET_INVALID.justAmended': { id: 'text' },
  /** `hash`: the file's SHA-256 (hex) the item names, not uploaded for `state`. */
  ATTACHMENT_UNKNOWN: { hash: 'text', state: 'text' },
  'NOT_ALLOWED.noProtocol': { state: 'text' },
  NOT_BASE64: {},
  EMPTY: {},
  // webhook targets and federation peers and arrangements
  'SCHEME.oneOf': { allowed: 'codes' },
  NOT_A_URL: {},
  CREDENTIALS: {},
  UNSAFE_NAME: {},
  UNSAFE_VALUE: {},
  'NOT_ALLOWED.header': { allowed: 'codes' },
  'DUPLICATE.header': {},
  NOT_VERIFIED: {},
  PRIVATE_ADDRESS: {},
  UNKNOWN_EVENT: { event: 'text' },
  'FIELD_INVALID.baseUrl': {},
  'NOT_BASE64.key': { bytes: 'count' },
  /** A C2SP note verifier key: `<origin>+<keyid>+<base64>`. */
  'FIELD_FORMAT.verifierKey': {},
  'OUT_OF_RANGE.beforeNow': { to: 'date', now: 'date' },
  'OUT_OF_RANGE.notAfterStart': { to: 'date', from: 'date' },
  // institution roles, cases and devices
  'TOO_MANY.atMost': { max: 'count' },
  /** `organisation` already holds the institutional `duty` (a code, e.g. report-submission). */
  'DUPLICATE.role': { organisation: 'text', duty: 'text' },
  'UNKNOWN.organisation': { organisation: 'text', state: 'text' },
  'UNKNOWN.provision': { ref: 'text' },
  'EMPTY.file': { name: 'text' },
  SIGNATURE_REQUIRED: {},
  /** Only a move to one of `allowed` (case statuses) carries it. */
  'NOT_ALLOWED.onlyTo': { allowed: 'codes' },
  UNKNOWN_REPORT: { report: 'text', state: 'text' },
  'FIELD_INVALID.notInspectorate': { organisation: 'text' },
  BEFORE_LAST_EVENT: {},
  'REQUIRED.note': {},
  'REQUIRED.dueDate': {},
  NOT_AFTER_TODAY: {},
  /** A request that does not match the route's schema (its English is the schema library's). */
  FIELD_INVALID: {},
  /** A list searched by text or sorted by a value no index holds has `max` rows at most. */
  'FIELD_INVALID.listTooLong': { max: 'count' },
  // a device's batch that cannot be read, or is not the device's (decision 0029)
  'TOO_LONG.batch': { bytes: 'count', max: 'count' },
  'FIELD_FORMAT.wholeFrom': { min: 'count' },
  'FIELD_FORMAT.sha256': {},
  'FIELD_FORMAT.number': {},
  'FIELD_FORMAT.whole': {},
  'FIELD_FORMAT.between': { min: 'count', max: 'count' },
  'FIELD_FORMAT.boolean': {},
  'PREV_MISMATCH.genesis': {},
  'EMPTY.events': {},
  'TOO_MANY.events': { count: 'count', max: 'count' },
  'DATE_INVALID.instant': {},
  /** `time` more than `minutes` ahead of the server's clock. */
  EVENT_IN_FUTURE: { time: 'date', minutes: 'count' },
  /** `time` more than `minutes` before the device's `latest` event accepted. */
  EVENT_TOO_OLD: { time: 'date', minutes: 'count', latest: 'date' },
  /** The batch names device `named`; it was sent for `sentFor`. */
  DEVICE_MISMATCH: { named: 'text', sentFor: 'text' },
  'SIGNATURE_INVALID.batchHeader': {},
  'SIGNATURE_INVALID.otherKey': { keyId: 'text', deviceKey: 'text' },
  'SIGNATURE_INVALID.device': {},
  // joint use of a device's data granted or withdrawn by its owners (decision 0063)
  'JOINT_USE.unknownOrganisation': { organisation: 'text' },
  'JOINT_USE.unknownAgreement': { agreement: 'text' },
  /** An owning inspectorate has the data already: joint use is for others. */
  'JOINT_USE.owner': { organisation: 'text' },
  /** An authority or operator of `state`, not of the device's state: it may never have the data. */
  'JOINT_USE.otherState': { organisation: 'text', state: 'text' },
  /** The agreement cited is `status`, not in force. */
  'JOINT_USE.notInForce': { agreement: 'text', status: 'kind' },
  /** The device's `state` is not a party to the agreement cited. */
  'JOINT_USE.stateNotParty': { agreement: 'text', state: 'text' },
  /** The organisation (or, for an authority or operator, its state) is not a party to the agreement. */
  'JOINT_USE.granteeNotParty': { agreement: 'text', organisation: 'text' },
  /** None of the device's `owners` is a party to the agreement: it is not theirs to grant under. */
  'JOINT_USE.ownerNotParty': { agreement: 'text', owners: 'codes' },
  'JOINT_USE.granted': { organisation: 'text', device: 'text' },
  'JOINT_USE.notGranted': { organisation: 'text', device: 'text' },
  'JOINT_USE.removed': { device: 'text' },
  // a declared activity's window (issue 18 §5) and the deadline calendar's dates (decision 0064)
  'FIELD_INVALID.notAfterFrom': { from: 'date', to: 'date' },
  /** A declared activity covers at most `max` days. */
  'FIELD_INVALID.spanDays': { max: 'count' },
  /** A calendar month `YYYY-MM` from 1900. */
  'DATE_INVALID.month': { value: 'text' },
  /** A date and time with an explicit offset (RFC 3339). */
  'DATE_INVALID.timestamp': { value: 'text' },
  /** A column not among `allowed` (the CLI's sampling CSV). */
  'FIELD_UNKNOWN.oneOf': { allowed: 'codes' },
  /** `count` further refusals from `from` to `to`, past the hour's quota (decision 0023). */
  REFUSALS_COUNTED: { count: 'count', from: 'date', to: 'date' },
  // a device's alarm, by its code (its values are stored with it, migration 0031)
  GATE_MISMATCH: {
    kmp: 'text',
    day: 'date',
    countedIn: 'count',
    countedOut: 'count',
    declaredIn: 'count',
    declaredOut: 'count',
  },
} as const satisfies Declaration;

export type ProblemKind = keyof typeof PARTICULARS;

type ValueOf<T> = T extends 'count' | 'grams' ? number : T extends 'codes' ? readonly string[] : string;

/** The values of a kind of problem, exactly the declared names. */
export type ParticularsOf<K extends ProblemKind> = {
  readonly [N in keyof (typeof PARTICULARS)[K]]: ValueOf<(typeof PARTICULARS)[K][N]>;
};

export type ParticularValue = string | number | readonly string[];

/** A problem's code with its particulars, ready to be given a field, a line and its English message. */
export interface Particulars {
  readonly code: DetailCode;
  readonly rule?: string;
  readonly values: Readonly<Record<string, ParticularValue>>;
}

/** The code, rule and values of a declared kind of problem. */
export function problemOf<K extends ProblemKind>(kind: K, values: ParticularsOf<K>): Particulars {
  const dot = kind.indexOf('.');
  return dot < 0
    ? { code: kind as DetailCode, values }
    : { code: kind.slice(0, dot) as DetailCode, rule: kind.slice(dot + 1), values };
}

/** The declared kind of a problem (`CODE` or `CODE.rule`), for the catalogue key and the checks. */
export function kindOf(p: { readonly code?: string; readonly rule?: string }): string {
  return p.rule === undefined ? String(p.code) : `${p.code}.${p.rule}`;
}

/** The declared value types of a kind, or undefined for a kind not declared. */
export function particularTypes(kind: string): Readonly<Record<string, ParticularType>> | undefined {
  return Object.hasOwn(PARTICULARS, kind) ? (PARTICULARS as Declaration)[kind] : undefined;
}
